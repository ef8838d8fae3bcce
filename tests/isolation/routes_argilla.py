"""Isolation cases for the Argilla compatibility API under /argilla (issue 7; see registry.py).

These routes authenticate by `X-Argilla-Api-Key` only, so they run with the "argilla" auth kind alone
(a token or a session gets 401 there: tested in tests/argilla/test_auth.py).
"""

from django.test import Client

from accounts.services import api_key_create

from .registry import register, register_auth_kind, register_prefix, resolver_routes

register_prefix("argilla/")
ROUTE_404 = "Not Found"  # the answer of the catch-all route, as opposed to a tenancy 404


class _ArgillaMatrixClient(Client):
    """A client presenting an Argilla key. The matrix reads our API's error shape; Argilla's
    `{"detail": ...}` is mapped onto it, keeping an unknown-route 404 distinct from a tenancy 404."""

    def generic(self, *args, **kwargs):
        response = super().generic(*args, **kwargs)
        if response.status_code >= 400 and response.get("Content-Type") == "application/json":
            detail = response.json().get("detail")
            code = "not_found" if response.status_code == 404 and detail != ROUTE_404 else f"http_{response.status_code}"
            body = {"error": {"code": code, "message": detail}}
            response.json = lambda: body
        return response


def _argilla_client(user):
    _, secret = api_key_create(actor=None, user=user, name="isolation")
    return _ArgillaMatrixClient(enforce_csrf_checks=True, HTTP_X_ARGILLA_API_KEY=secret)


register_auth_kind("argilla", _argilla_client)


def reg(route: str, **options) -> None:
    route = f"argilla/{route}"
    methods = options.pop("methods", None) or resolver_routes()[route].argilla_methods
    register(route, methods=methods, auth_kinds=("argilla",), **options)


PASSWORD = "correct-horse-planted"
RECORD = {"fields": {"prompt": "planted"}, "external_id": "planted"}

# Nothing of B named: must not fail, leak or write.
for route in ("api/me", "api/_info", "api/_status", "api/v1/me", "api/v1/me/workspaces", "api/v1/me/datasets",
              "api/users", "api/v1/users", "<path:path>"):
    reg(route, methods=("GET",) if route in ("api/users", "api/v1/users", "<path:path>") else None, reaches_b=False,
        kwargs=(lambda b: {"path": "api/v1/unknown"}) if route == "<path:path>" else None)
reg("api/v1/me/datasets", label="filtered by B's workspace", reaches_b=False,
    query={"GET": lambda b: f"workspace_id={b.workspace.pk}"})
reg("api/workspaces", bodies={"POST": lambda b: {"name": "planted-ws"}}, reaches_b=False)
reg("api/v1/workspaces", bodies={"POST": lambda b: {"name": "planted-ws"}}, reaches_b=False)
reg("api/users", methods=("POST",), reaches_b=False,
    bodies={"POST": lambda b: {"username": "planted", "password": PASSWORD, "workspaces": [b.workspace.name]}})
reg("api/v1/users", methods=("POST",), reaches_b=False,
    bodies={"POST": lambda b: {"username": "planted", "password": PASSWORD, "role": "annotator"}})

# B's users and workspaces.
of_user = lambda b: {"user_id": b.annotator.pk}  # noqa: E731
of_workspace = lambda b: {"workspace_id": b.workspace.pk}  # noqa: E731
reg("api/users/<str:user_id>", kwargs=of_user)
reg("api/v1/users/<str:user_id>", kwargs=of_user)
reg("api/v1/users/<str:user_id>/workspaces", kwargs=of_user)
reg("api/workspaces/<str:workspace_id>/users", kwargs=of_workspace)
reg("api/v1/workspaces/<str:workspace_id>", kwargs=of_workspace)
reg("api/v1/workspaces/<str:workspace_id>/users", kwargs=of_workspace,
    bodies={"POST": lambda b: {"user_id": str(b.admin.pk)}})
reg("api/v1/workspaces/<str:workspace_id>/users", label="B's user", methods=("POST",),
    kwargs=lambda b: {"workspace_id": b.caller_workspace.pk},
    bodies={"POST": lambda b: {"user_id": str(b.annotator.pk)}})
for route in ("api/workspaces/<str:workspace_id>/users/<str:user_id>",
              "api/v1/workspaces/<str:workspace_id>/users/<str:user_id>"):
    reg(route, label="B's workspace", kwargs=lambda b: {"workspace_id": b.workspace.pk, "user_id": b.annotator.pk})
    reg(route, label="B's user", kwargs=lambda b: {"workspace_id": b.caller_workspace.pk, "user_id": b.annotator.pk})

reg("api/v1/datasets", bodies={"POST": lambda b: {"name": "planted", "workspace_id": str(b.workspace.pk)}})

# B's datasets, ready and draft, and everything under them.
for name, dataset in (("ready", "dataset"), ("draft", "draft_dataset")):
    def in_dataset(b, dataset=dataset):
        return {"dataset_id": getattr(b, dataset).pk}

    d = "api/v1/datasets/<str:dataset_id>"
    reg(d, label=name, kwargs=in_dataset,
        bodies={"PATCH": lambda b: {"guidelines": "planted", "distribution": {"strategy": "overlap", "min_submitted": 3}}})
    reg(f"{d}/publish", label=name, kwargs=in_dataset)
    reg(f"{d}/fields", label=name, kwargs=in_dataset,
        bodies={"POST": lambda b: {"name": "planted", "settings": {"type": "text"}}})
    reg(f"{d}/questions", label=name, kwargs=in_dataset,
        bodies={"POST": lambda b: {"name": "planted", "settings": {"type": "text"}}})
    reg(f"{d}/metadata-properties", label=name, kwargs=in_dataset,
        bodies={"POST": lambda b: {"name": "planted", "settings": {"type": "terms", "values": ["x"]}}})
    reg("api/v1/me/datasets/<str:dataset_id>/metadata-properties", label=name, kwargs=in_dataset)
    reg(f"{d}/vectors-settings", label=name, kwargs=in_dataset,
        bodies={"POST": lambda b: {"name": "planted", "title": "planted", "dimensions": 2}})
    reg("api/v1/me/datasets/<str:dataset_id>/metrics", label=name, kwargs=in_dataset)
    reg(f"{d}/progress", label=name, kwargs=in_dataset)
    reg(f"{d}/users/progress", label=name, kwargs=in_dataset)
    reg(f"{d}/records", label=name, kwargs=in_dataset,
        bodies={"POST": lambda b: {"items": [RECORD]},
                "PATCH": lambda b: {"items": [{"id": str(b.record.pk), "metadata": {"topic": "planted"}}]}},
        query={"DELETE": lambda b: f"ids={b.record.pk}", "GET": lambda b: "include=responses&response_status=draft"})
    reg(f"{d}/records/search", label=name, kwargs=in_dataset,
        bodies={"POST": lambda b: {"query": None, "filters": {"and": [
            {"type": "terms", "scope": {"entity": "response", "property": "status"}, "values": ["draft"]}]}}})
    reg(f"{d}/records/bulk", label=name, kwargs=in_dataset,
        bodies={"PUT": lambda b: {"items": [{**RECORD, "id": str(b.record.pk), "external_id": b.record.external_id}]}})

# A's own dataset, naming B's record to delete.
reg("api/v1/datasets/<str:dataset_id>/records", label="B's record in A's dataset", methods=("DELETE",),
    kwargs=lambda b: {"dataset_id": b.caller_workspace.datasets.get().pk},
    query={"DELETE": lambda b: f"ids={b.record.pk}"}, reaches_b=False)

for name, record in (("answered", "record"), ("assigned", "spare_record")):
    def of_record(b, record=record):
        return {"record_id": getattr(b, record).pk}

    reg("api/v1/records/<str:record_id>", label=name, kwargs=of_record,
        bodies={"PATCH": lambda b: {"metadata": {"topic": "planted"}}})
    reg("api/v1/records/<str:record_id>/responses", label=name, kwargs=of_record,
        bodies={"POST": lambda b: {"status": "submitted", "values": {"demonstration": {"value": "planted"}}}})

# A's own dataset, naming B's record in a bulk metadata update.
reg("api/v1/datasets/<str:dataset_id>/records", label="B's record in A's dataset (update)", methods=("PATCH",),
    kwargs=lambda b: {"dataset_id": b.caller_workspace.datasets.get().pk},
    bodies={"PATCH": lambda b: {"items": [{"id": str(b.record.pk), "metadata": {"topic": "planted"}}]}})

reg("api/v1/responses/<str:response_id>", kwargs=lambda b: {"response_id": b.response.pk},
    bodies={"PUT": lambda b: {"status": "discarded"}})
reg("api/v1/fields/<str:field_id>", kwargs=lambda b: {"field_id": b.dataset.fields.first().pk},
    bodies={"PATCH": lambda b: {"title": "planted"}})
reg("api/v1/questions/<str:question_id>", kwargs=lambda b: {"question_id": b.dataset.questions.first().pk},
    bodies={"PATCH": lambda b: {"title": "planted"}})
reg("api/v1/metadata-properties/<str:property_id>",
    kwargs=lambda b: {"property_id": b.dataset.metadata_properties.first().pk})
