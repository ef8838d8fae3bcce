"""Reads for one use case each, always from a tenancy-scoped queryset (STYLE §3)."""

import statistics
from collections import defaultdict
from uuid import UUID

from django.db.models import Count, F, Prefetch, Q

from accounts import tenancy
from accounts.models import Membership, User
from config.errors import NotFound

from .models import Assignment, Dataset, Record, Response, Suggestion


def _uuid(value) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise NotFound() from None


def dataset_list(*, user: User, workspace_id=None):
    """Datasets the user may read, optionally in one workspace."""
    datasets = Dataset.objects.visible_to(user).select_related("workspace")
    if workspace_id is not None:
        datasets = datasets.filter(workspace_id=_uuid(workspace_id))
    return datasets


def dataset_get(*, user: User, dataset_id) -> Dataset:
    """One dataset the user may read; missing and not-yours are the same NotFound."""
    try:
        return Dataset.objects.visible_to(user).select_related("workspace").get(pk=_uuid(dataset_id))
    except Dataset.DoesNotExist:
        raise NotFound("Dataset not found.") from None


def dataset_get_by_name(*, user: User, workspace_name: str, name: str) -> Dataset:
    try:
        return Dataset.objects.visible_to(user).select_related("workspace").get(workspace__name=workspace_name, name=name)
    except Dataset.DoesNotExist:
        raise NotFound(f"Dataset '{workspace_name}/{name}' not found.") from None


def dataset_with_schema(dataset: Dataset) -> Dataset:
    """Prefetch fields, questions and metadata properties (three queries, whatever their number)."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects([dataset], "fields", "questions", "metadata_properties")
    return dataset


def records_readable(*, user: User, dataset: Dataset):
    """Records of a dataset the user may read: every one for its admins, the distribution's share for others."""
    if tenancy.is_workspace_admin(user, dataset.workspace_id):
        return Record.objects.filter(dataset=dataset)
    return Record.objects.for_annotator(user, dataset)


def record_list(*, user: User, dataset: Dataset, with_responses: bool = True):
    """Records with suggestions and the responses the user may see (all for admins, own for others)."""
    records = records_readable(user=user, dataset=dataset).order_by("ordinal")
    prefetches = [Prefetch("suggestions", queryset=Suggestion.objects.select_related("question"))]
    if with_responses:
        responses = Response.objects.all()
        if not tenancy.is_workspace_admin(user, dataset.workspace_id):
            responses = responses.filter(user_id=user.pk)
        prefetches.append(Prefetch("responses", queryset=responses.order_by("inserted_at")))
    return records.prefetch_related(*prefetches)


def record_get(*, user: User, dataset: Dataset | None = None, record_id) -> Record:
    """One record the user may read (through its dataset when given); NotFound otherwise."""
    records = Record.objects.visible_to(user).select_related("dataset", "dataset__workspace")
    if dataset is not None:
        records = records.filter(dataset=dataset)
    try:
        return records.get(pk=_uuid(record_id))
    except Record.DoesNotExist:
        raise NotFound("Record not found.") from None


def response_list(*, user: User, dataset: Dataset):
    """Responses of a dataset: all of them for its admins, only their own for annotators."""
    responses = Response.objects.visible_to(user).filter(record__dataset=dataset).select_related("record", "user")
    if not tenancy.is_workspace_admin(user, dataset.workspace_id):
        responses = responses.filter(user_id=user.pk)
    return responses


def response_get(*, user: User, response_id) -> Response:
    try:
        return Response.objects.visible_to(user).select_related("record__dataset__workspace").get(pk=_uuid(response_id))
    except Response.DoesNotExist:
        raise NotFound("Response not found.") from None


def dataset_progress(*, dataset: Dataset) -> dict:
    """Progress of a dataset (DESIGN §4): records by status, responses by status, and per annotator.

    A fixed number of aggregate queries whatever the size of the dataset.
    """
    records = Record.objects.filter(dataset=dataset).aggregate(
        total=Count("id"), completed=Count("id", filter=Q(status=Record.Status.COMPLETED))
    )
    by_status = dict(
        Response.objects.filter(record__dataset=dataset).values_list("status").annotate(n=Count("id")).order_by()
    )
    per_user: dict = defaultdict(lambda: {"assigned": 0, "submitted": 0, "discarded": 0, "draft": 0, "answered_assigned": 0})
    for user_id, n in Assignment.objects.filter(record__dataset=dataset).values_list("user_id").annotate(n=Count("id")).order_by():
        per_user[user_id]["assigned"] = n
    for user_id, status, n in (
        Response.objects.filter(record__dataset=dataset).values_list("user_id", "status").annotate(n=Count("id")).order_by()
    ):
        per_user[user_id][status] = n
    for user_id, n in (
        Response.objects.filter(
            record__dataset=dataset,
            status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED],
            record__assignments__user_id=F("user_id"),
        )
        .values_list("user_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_user[user_id]["answered_assigned"] = n
    durations: dict = defaultdict(list)
    for user_id, started, submitted in Response.objects.filter(
        record__dataset=dataset, status=Response.Status.SUBMITTED, started_at__isnull=False, submitted_at__isnull=False
    ).values_list("user_id", "started_at", "submitted_at"):
        durations[user_id].append((submitted - started).total_seconds())
    members = {
        m.user_id: m
        for m in Membership.objects.filter(workspace_id=dataset.workspace_id).select_related("user")
    }
    users = {u.pk: u for u in User.objects.filter(pk__in=set(per_user) - set(members))}
    annotators = []
    for user_id in sorted(set(per_user) | {uid for uid, m in members.items() if m.role == Membership.Role.ANNOTATOR},
                          key=lambda uid: (members[uid].user.username if uid in members else users[uid].username)):
        counts = per_user[user_id]
        user = members[user_id].user if user_id in members else users[user_id]
        if dataset.distribution == Dataset.Distribution.ASSIGNED:
            remaining = counts["assigned"] - counts["answered_assigned"]
        else:
            remaining = max(0, (records["total"] or 0) - counts["submitted"] - counts["discarded"])
        times = durations.get(user_id)
        annotators.append({
            "user_id": str(user_id),
            "username": user.username,
            "assigned": counts["assigned"],
            "submitted": counts["submitted"],
            "discarded": counts["discarded"],
            "draft": counts["draft"],
            "remaining": max(0, remaining),
            "median_seconds_per_submission": round(statistics.median(times), 1) if times else None,
        })
    return {
        "records": {
            "total": records["total"],
            "completed": records["completed"],
            "pending": records["total"] - records["completed"],
        },
        "responses": {status: by_status.get(status, 0) for status in Response.Status.values},
        "annotators": annotators,
    }


RECORD_RESPONSE_FILTERS = (*Response.Status.values, "missing")


def record_filter(records, *, user: User, dataset: Dataset, status: str | None = None, external_id: str | None = None,
                  metadata: dict | None = None, response_status: str | None = None, assigned_to=None):
    """Narrow a `record_list` queryset by the allow-listed record filters.

    `metadata` maps property names to query-string values; names must be the dataset's metadata
    properties (anything else is InvalidInput) and values are converted to the property's type.
    `response_status` is the caller's own response status, or "missing" for records they have not answered.
    """
    from django.db.models import Exists, OuterRef
    from django.db.models.fields.json import KeyTransform

    from config.errors import InvalidInput

    from .models import MetadataProperty

    if status is not None:
        records = records.filter(status=status)
    if external_id is not None:
        records = records.filter(external_id=external_id)
    if metadata:
        types = dict(MetadataProperty.objects.filter(dataset=dataset, name__in=list(metadata)).values_list("name", "type"))
        for position, (name, raw) in enumerate(metadata.items()):
            if name not in types:
                raise InvalidInput(f"'{name}' is not a metadata property of this dataset.",
                                   details={"field": f"metadata.{name}"})
            try:
                value = {"integer": int, "float": float}.get(types[name], str)(raw)
            except ValueError:
                raise InvalidInput(f"metadata.{name} takes a {types[name]} value.",
                                   details={"field": f"metadata.{name}"}) from None
            alias = f"metadata_filter_{position}"
            records = records.alias(**{alias: KeyTransform(name, "metadata")}).filter(**{alias: value})
    if response_status is not None:
        own = Response.objects.filter(record_id=OuterRef("pk"), user_id=user.pk)
        if response_status == "missing":
            records = records.filter(~Exists(own))
        else:
            records = records.filter(Exists(own.filter(status=response_status)))
    if assigned_to is not None:
        records = records.filter(Exists(Assignment.objects.filter(record_id=OuterRef("pk"), user_id=assigned_to)))
    return records
