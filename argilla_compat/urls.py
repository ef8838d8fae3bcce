"""Every path of argilla-compat.md, mounted under /argilla. Exact, slashless paths: the SDKs never add a
trailing slash, and a redirect would lose a POST body; unknown paths answer a JSON 404."""

from django.urls import path

from .http import endpoint, not_found
from .views import datasets, identity, records

D = "api/v1/datasets/<str:dataset_id>"

urlpatterns = [
    # Legacy 1.x paths (v1 SDK).
    path("api/me", endpoint(GET=identity.me_legacy)),
    path("api/_info", endpoint(GET=identity.info)),
    path("api/_status", endpoint(GET=identity.status)),
    path("api/workspaces", endpoint(POST=identity.legacy_workspace_create)),
    path("api/users", endpoint(GET=identity.legacy_users, POST=identity.legacy_user_create)),
    path("api/users/<str:user_id>", endpoint(DELETE=identity.legacy_user_delete)),
    path("api/workspaces/<str:workspace_id>/users", endpoint(GET=identity.legacy_workspace_users)),
    path(
        "api/workspaces/<str:workspace_id>/users/<str:user_id>",
        endpoint(POST=identity.legacy_workspace_member, DELETE=identity.legacy_workspace_member_remove),
    ),
    # Identity and workspaces.
    path("api/v1/me", endpoint(GET=identity.me)),
    path("api/v1/me/workspaces", endpoint(GET=identity.my_workspaces)),
    path("api/v1/users", endpoint(GET=identity.users, POST=identity.user_create)),
    path("api/v1/users/<str:user_id>", endpoint(GET=identity.user_detail, DELETE=identity.user_delete_v1)),
    path("api/v1/users/<str:user_id>/workspaces", endpoint(GET=identity.user_workspaces)),
    path("api/v1/workspaces", endpoint(POST=identity.workspace_create)),
    path(
        "api/v1/workspaces/<str:workspace_id>",
        endpoint(GET=identity.workspace_detail, DELETE=identity.workspace_delete),
    ),
    path(
        "api/v1/workspaces/<str:workspace_id>/users",
        endpoint(GET=identity.workspace_members, POST=identity.workspace_member_add),
    ),
    path(
        "api/v1/workspaces/<str:workspace_id>/users/<str:user_id>",
        endpoint(DELETE=identity.workspace_member_remove),
    ),
    # Datasets and their settings.
    path("api/v1/me/datasets", endpoint(GET=datasets.my_datasets)),
    path("api/v1/datasets", endpoint(POST=datasets.dataset_create)),
    path(
        D,
        endpoint(GET=datasets.dataset_detail, PATCH=datasets.dataset_patch, DELETE=datasets.dataset_delete),
    ),
    path(f"{D}/publish", endpoint(PUT=datasets.dataset_publish)),
    path(f"{D}/fields", endpoint(GET=datasets.fields, POST=datasets.field_create)),
    path(f"{D}/questions", endpoint(GET=datasets.questions, POST=datasets.question_create)),
    path(f"{D}/metadata-properties", endpoint(POST=datasets.metadata_property_create)),
    path("api/v1/me/datasets/<str:dataset_id>/metadata-properties", endpoint(GET=datasets.metadata_properties)),
    path(f"{D}/vectors-settings", endpoint(GET=datasets.vectors_settings, POST=datasets.vectors_settings_create)),
    path("api/v1/me/datasets/<str:dataset_id>/metrics", endpoint(GET=datasets.metrics)),
    path(f"{D}/progress", endpoint(GET=datasets.progress)),
    path(f"{D}/users/progress", endpoint(GET=datasets.users_progress)),
    # Records and responses.
    path(
        f"{D}/records",
        endpoint(GET=records.records, POST=records.records_create, PATCH=records.records_update,
                 DELETE=records.records_delete),
    ),
    path(f"{D}/records/bulk", endpoint(PUT=records.records_bulk_upsert)),
    path(f"{D}/records/search", endpoint(POST=records.records_search)),
    path(
        "api/v1/records/<str:record_id>",
        endpoint(GET=records.record_detail, PATCH=records.record_patch, DELETE=records.record_delete),
    ),
    path("api/v1/records/<str:record_id>/responses", endpoint(POST=records.response_create)),
    path(
        "api/v1/responses/<str:response_id>",
        endpoint(PUT=records.response_update, DELETE=records.response_delete),
    ),
    # One settings item, addressed by its own id.
    path("api/v1/fields/<str:field_id>", endpoint(PATCH=datasets.field_patch, DELETE=datasets.field_delete)),
    path(
        "api/v1/questions/<str:question_id>",
        endpoint(PATCH=datasets.question_patch, DELETE=datasets.question_delete),
    ),
    path("api/v1/metadata-properties/<str:property_id>", endpoint(DELETE=datasets.metadata_property_delete)),
    path("<path:path>", not_found),
]
