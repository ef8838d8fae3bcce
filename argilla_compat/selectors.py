"""Reads this package needs that have no use elsewhere, built on the tenancy querysets (STYLE §3).

Argilla's record listings and searches arrive as query parameters and JSON bodies; the views hand
their plain values here, and every name in them is checked against the dataset's schema before it
touches a query. Refusals are `InvalidInput`, which the Argilla layer answers as its 422.
"""

import json

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.fields.json import KeyTransform

from accounts import tenancy
from accounts.models import User, Workspace
from accounts.selectors import user_list
from config.errors import InvalidInput, NotFound
from config.ids import uuid_or_none
from labeling.access import DatasetAccess, RecordAccess
from labeling.metadata_filter import metadata_conditions, metadata_q, metadata_types
from labeling.models import Dataset, Field, MetadataProperty, Question, Record, Suggestion
from labeling.selectors.lookups import records_readable
from labeling.selectors.responses import response_list

RESPONSE_STATUSES = ("draft", "submitted", "discarded")
PENDING_STATUSES = ("pending", "missing")
RANGE_MESSAGE = "Metadata filter '{name}' must be {{\"ge\": n, \"le\": n}}."


def schema_item_get(*, user: User, model: type[Field | Question | MetadataProperty], item_id) -> Field | Question | MetadataProperty:
    """A field, question or metadata property of a dataset the user may read; NotFound otherwise.

    Argilla addresses these by their own id (`/api/v1/fields/{id}`), without the dataset in the path.
    """
    try:
        return model.objects.visible_to(user).select_related("dataset").get(pk=item_id)
    except model.DoesNotExist:
        raise NotFound(f"{model._meta.verbose_name.capitalize()} not found.") from None


def metadata_properties_shown(*, access: DatasetAccess):
    """The dataset's metadata properties the caller may see: all for its admins, else those visible to annotators."""
    props = access.dataset.metadata_properties.all()
    if not access.is_admin:
        props = props.filter(visible_for_annotators=True)
    return props


def own_response_counts(*, access: DatasetAccess) -> dict[str, int]:
    """{submitted, discarded, draft}: how many of the caller's own responses in the dataset have each status."""
    mine = dict(
        response_list(access=access)
        .filter(user_id=access.user.pk)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {status: mine.get(status, 0) for status in ("submitted", "discarded", "draft")}


def response_counts_by_user(*, access: DatasetAccess) -> list[dict]:
    """Per user whose responses the caller may see, by username: their responses counted by the record's
    status (`completed`, `pending`) × the response's status."""
    rows = (
        response_list(access=access)
        .values_list("user__username", "record__status", "status")
        .annotate(n=Count("id"))
        .order_by("user__username")
    )
    users: dict = {}
    for username, record_status, status, n in rows:
        entry = users.setdefault(username, {
            "username": username,
            "completed": {"submitted": 0, "discarded": 0, "draft": 0},
            "pending": {"submitted": 0, "discarded": 0, "draft": 0},
        })
        entry[record_status][status] = n
    return list(users.values())


# --- identity -----------------------------------------------------------------------------------


def workspace_names_by_user(*, users: list[User]) -> dict:
    """{user_id: workspace names}: Argilla lists owners in every workspace, others in their memberships."""
    prefetch_related_objects(users, "memberships__workspace")
    everything = None
    names = {}
    for u in users:
        if tenancy.is_owner(u):
            if everything is None:
                everything = list(Workspace.objects.values_list("name", flat=True))
            names[u.pk] = everything
        else:
            names[u.pk] = sorted(m.workspace.name for m in u.memberships.all())
    return names


def workspaces_shared(*, user: User, member: User):
    """The workspaces `member` belongs to that the caller can see too."""
    return Workspace.objects.visible_to(member).filter(pk__in=Workspace.objects.visible_to(user).values("pk"))


def is_member(*, user: User, workspace: Workspace) -> bool:
    """Whether `user` already holds a membership in `workspace`."""
    return tenancy.member_workspace_ids(user).filter(workspace_id=workspace.pk).exists()


# --- records: listing and search ----------------------------------------------------------------


def record_status_condition(*, access: DatasetAccess, wanted: set) -> Q:
    """Response statuses: a record matches when any response the caller may see has one of them, or
    (`pending`, old alias `missing`) when it has none; OR across values (v1 `filter_by(response_status=...)`)."""
    unknown = wanted - {*RESPONSE_STATUSES, *PENDING_STATUSES}
    if unknown:
        raise InvalidInput(f"Unknown response status: {', '.join(sorted(map(str, unknown)))}.")
    visible = response_list(access=access).filter(record_id=OuterRef("pk"))
    condition = Q(pk__in=[])
    statuses = wanted & set(RESPONSE_STATUSES)
    if statuses:
        condition |= Q(Exists(visible.filter(status__in=statuses)))
    if wanted & set(PENDING_STATUSES):
        condition |= ~Q(Exists(visible))
    return condition


def metadata_condition(*, dataset: Dataset, name, terms: list | None = None, bounds: dict | None = None) -> Q:
    """Terms (`name in terms`) or a numeric range (`{"ge", "le"}`) on a declared metadata property,
    checked by the one metadata-filter rule."""
    if bounds:
        if not isinstance(bounds, dict) or not set(bounds) <= {"ge", "le"}:
            raise InvalidInput(RANGE_MESSAGE.format(name=name))
        spec = {"min": bounds.get("ge"), "max": bounds.get("le")}
    elif isinstance(terms, list):
        spec = terms
    else:
        raise InvalidInput(f"Metadata filter '{name}' needs a list of terms or a range.")
    return metadata_q(metadata_conditions({name: spec}, types=metadata_types([dataset])))


def text_condition(*, dataset: Dataset, text: str, field=None) -> Q:
    """Records whose field `field` (or any field) contains `text`, case-insensitively.

    The name is checked against the dataset's fields and used only as a JSON key, never as part of an
    ORM lookup string, so `prompt__regex` can only name a field of that spelling.
    """
    names = list(dataset.fields.values_list("name", flat=True))
    if field:
        if field not in names:
            raise InvalidInput(f"'{field}' is not a field of this dataset.")
        names = [field]
    condition = Q(pk__in=[])
    for name in names:
        # The column's type is given up front, as when the ORM resolves a `fields__...` path.
        key = KeyTransform(name, ExpressionWrapper(F("fields"), output_field=JSONField()))
        condition |= Q(key.get_lookup("icontains")(key, text))
    return condition


def record_ordering(*, dataset: Dataset, sort_by: list[str]) -> list[str]:
    """`inserted_at:asc|updated_at:desc|metadata.<name>:asc` as an ordering, always ending on creation order."""
    order = []
    props = set(dataset.metadata_properties.values_list("name", flat=True))
    for raw in sort_by:
        key, _, direction = raw.partition(":")
        direction = direction or "asc"
        if direction not in ("asc", "desc"):
            raise InvalidInput(f"Sort direction must be asc or desc, not '{direction}'.")
        if key == "inserted_at":
            column = "ordinal"
        elif key == "updated_at":
            column = "updated_at"
        elif key.startswith("metadata.") and key.removeprefix("metadata.") in props:
            column = f"metadata__{key.removeprefix('metadata.')}"
        else:
            raise InvalidInput(f"Records cannot be sorted by '{key}'.")
        order.append(column if direction == "asc" else f"-{column}")
    return [*order, "ordinal"]


def records_listed(*, access: DatasetAccess, response_statuses: list[str], metadata: list[str],
                   sort_by: list[str]) -> QuerySet:
    """v1 listing: `response_status=...`, `metadata=name:v1,v2` / `metadata=name:{"ge": 1, "le": 5}`
    and `sort_by=...` query parameters over the records the caller may read, ordered."""
    dataset = access.dataset
    found = records_readable(access=access)
    if response_statuses:
        found = found.filter(record_status_condition(access=access, wanted=set(response_statuses)))
    for raw in metadata:
        name, _, spec = raw.partition(":")
        if spec.startswith("{"):
            try:
                bounds = json.loads(spec)
            except ValueError:
                raise InvalidInput(RANGE_MESSAGE.format(name=name)) from None
            found = found.filter(metadata_condition(dataset=dataset, name=name, bounds=bounds))
        else:
            found = found.filter(metadata_condition(dataset=dataset, name=name, terms=[v for v in spec.split(",") if v]))
    return found.order_by(*record_ordering(dataset=dataset, sort_by=sort_by))


def _filter_condition(*, access: DatasetAccess, item) -> Q:
    """One v2 search filter (`{"type": "terms"|"range", "scope": {...}, "values"|"ge"|"le"}`)."""
    if not isinstance(item, dict) or not isinstance(item.get("scope"), dict):
        raise InvalidInput("Each filter is an object with a 'scope'.")
    scope, values = item["scope"], item.get("values")
    entity = scope.get("entity")
    if entity in ("response", "record") and scope.get("property") == "status":
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise InvalidInput(f"A {entity} status filter takes 'values': a list of status names.")
        if entity == "response":
            return record_status_condition(access=access, wanted=set(values))
        unknown = set(values) - set(Record.Status.values)
        if unknown:
            raise InvalidInput(f"Unknown record status: {', '.join(sorted(unknown))}.")
        return Q(status__in=values)
    if entity == "metadata":
        name = scope.get("metadata_property") or scope.get("name")
        bounds = {key: item.get(key) for key in ("ge", "le") if key in item}
        return metadata_condition(dataset=access.dataset, name=name, terms=values, bounds=bounds)
    raise InvalidInput("Only response status, record status and metadata filters are supported.")


def records_searched(*, access: DatasetAccess, text: dict, filters) -> QuerySet:
    """v2 search bodies: a text query (`{"q", "field"}`) on one or all fields, and `and`-ed filters on
    response status, record status and metadata, over the records the caller may read, in creation order."""
    if not isinstance(text, dict) or not isinstance(text.get("q", ""), str) or not isinstance(text.get("field", ""), str | None):
        raise InvalidInput("'query.text' is an object: {\"q\": the text to find, \"field\": a field name or null}.")
    if not isinstance(filters, dict) or not isinstance(filters.get("and", []), list):
        raise InvalidInput("'filters' is an object: {\"and\": a list of filters}.")
    found = records_readable(access=access)
    if text.get("q"):
        found = found.filter(text_condition(dataset=access.dataset, text=text["q"], field=text.get("field")))
    for item in filters.get("and", []):
        found = found.filter(_filter_condition(access=access, item=item))
    return found.order_by("ordinal")


def records_matched(*, access: DatasetAccess, items: list[dict]) -> list[Record | None]:
    """For each v2 `records.log` item, the readable record it names by external_id, else by id, else None."""
    external_ids = [str(i["external_id"]) for i in items if i.get("external_id") is not None]
    ids = [uid for uid in (uuid_or_none(item.get("id")) for item in items) if uid is not None]
    existing = records_readable(access=access).filter(Q(external_id__in=external_ids) | Q(pk__in=ids))
    by_external, by_id = {}, {}
    for record in existing:
        by_id[str(record.pk)] = record
        if record.external_id is not None:
            by_external[record.external_id] = record
    return [
        by_external.get(None if item.get("external_id") is None else str(item["external_id"]))
        or by_id.get(str(item.get("id")))
        for item in items
    ]


def records_with_ids(*, access: DatasetAccess, ids: list) -> QuerySet:
    """The records of the accessed dataset the caller may read among `ids`."""
    return records_readable(access=access).filter(pk__in=ids)


def question_names_by_id(*, dataset: Dataset) -> dict[str, str]:
    """{question id as text: name}: Argilla names questions by id, our services by name."""
    return {str(q.pk): q.name for q in dataset.questions.all()}


def users_by_id(*, user: User, user_ids) -> dict[str, User]:
    """{id as text: user} for the users among `user_ids` the caller may see; ids that are no UUID name nobody."""
    wanted = [u for u in map(uuid_or_none, user_ids) if u]
    return {str(u.pk): u for u in user_list(user=user).prefetch_related(None).filter(pk__in=wanted)}


def has_responded(*, access: RecordAccess) -> bool:
    """Whether the caller already has a response to the accessed record."""
    return response_list(access=access).filter(record=access.record, user_id=access.user.pk).exists()


RECORD_COLUMNS = ("id", "status", "fields", "metadata", "external_id", "dataset_id", "inserted_at", "updated_at")
SUGGESTION_COLUMNS = ("id", "record_id", "question_id", "type", "value", "score", "agent", "inserted_at", "updated_at")
RESPONSE_COLUMNS = ("id", "record_id", "user_id", "values", "status", "inserted_at", "updated_at")


def record_rows(*, access: DatasetAccess, records, responses: bool, suggestions: bool) -> list[dict]:
    """One page of records as plain rows, with their suggestions and the responses the caller may see.

    `records` is an ordered, sliced queryset from `labeling.selectors.record_list` (already scoped).
    Rows rather than model instances, in three queries: the SDKs page through whole datasets.
    """
    rows = list(records.values(*RECORD_COLUMNS))
    ids = [row["id"] for row in rows]
    for row in rows:
        row["responses"], row["suggestions"] = [], []
    by_id = {row["id"]: row for row in rows}
    if responses and ids:
        for answer in (response_list(access=access).filter(record_id__in=ids)
                       .order_by("inserted_at").values(*RESPONSE_COLUMNS)):
            by_id[answer["record_id"]]["responses"].append(answer)
    if suggestions and ids:
        for suggestion in Suggestion.objects.filter(record_id__in=ids).order_by("inserted_at").values(*SUGGESTION_COLUMNS):
            by_id[suggestion["record_id"]]["suggestions"].append(suggestion)
    return rows
