"""Records of a dataset with what the caller may see of them, and the records API's filters."""

from django.db.models import Exists, OuterRef, Prefetch

from accounts.selectors import user_refs_condition

from ..access import DatasetAccess
from ..metadata_filter import metadata_conditions, metadata_filter, metadata_types
from ..models import Assignment, Record, Response, Suggestion
from ..sql.record_details import record_details
from .lookups import records_readable

RECORD_RESPONSE_FILTERS = (*Response.Status.values, "missing")


def record_list(*, access: DatasetAccess):
    """Records with suggestions and the responses the caller may see (all for admins, own for others,
    each with its `review_comment`), as `visible_suggestions` and `visible_responses`."""
    records = records_readable(access=access).order_by("ordinal")
    responses = Response.objects.with_review_comment().order_by("inserted_at")
    if not access.is_admin:
        responses = responses.filter(user_id=access.user.pk)
    return records.prefetch_related(
        Prefetch("suggestions", queryset=Suggestion.objects.select_related("question").order_by("inserted_at"),
                 to_attr="visible_suggestions"),
        Prefetch("responses", queryset=responses, to_attr="visible_responses"),
    )


def record_with_details(*, access: DatasetAccess, record: Record) -> Record:
    """Set `visible_suggestions` and `visible_responses` (all for admins, own otherwise), as
    `record_list` does, on a record of the accessed dataset the caller was just given (the next record); unlike
    `record_list` it does not re-read the record through the distribution's scope.

    One hand-written statement (`labeling.sql.record_details`), as the annotation loop runs this on every call.
    """
    details = record_details(record_id=record.pk, user_id=None if access.is_admin else access.user.pk)
    record.visible_suggestions, record.visible_responses = details.suggestions, details.responses
    return record


def record_filter(records, *, access: DatasetAccess, status: str | None = None, external_id: str | None = None,
                  metadata: dict | None = None, response_status: str | None = None, assigned_to=None):
    """Narrow a `record_list` queryset by the allow-listed record filters.

    `metadata` maps property names to query-string values; names must be the dataset's metadata
    properties (anything else is InvalidInput) and values are converted to the property's type.
    `response_status` is the caller's own response status, or "missing" for records they have not answered;
    `assigned_to` a username or a user id.
    """
    if status is not None:
        records = records.filter(status=status)
    if external_id is not None:
        records = records.filter(external_id=external_id)
    if metadata:
        records = metadata_filter(records, metadata_conditions(metadata, types=metadata_types([access.dataset])))
    if response_status is not None:
        own = Response.objects.filter(record_id=OuterRef("pk"), user_id=access.user.pk)
        if response_status == "missing":
            records = records.filter(~Exists(own))
        else:
            records = records.filter(Exists(own.filter(status=response_status)))
    if assigned_to is not None:
        holder = user_refs_condition([assigned_to], through="user")
        records = records.filter(Exists(Assignment.objects.filter(holder, record_id=OuterRef("pk"))))
    return records
