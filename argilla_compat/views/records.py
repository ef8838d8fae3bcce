"""Records, suggestions and responses (§4.4, §4.5): Argilla's shapes onto our bulk services."""

import json
import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from accounts.selectors import user_list
from config.errors import InvalidInput
from labeling.metadata_filter import metadata_conditions, metadata_q, metadata_types
from labeling.models import Dataset, Record
from labeling.selectors.lookups import dataset_get, record_get, records_readable
from labeling.selectors.responses import response_get, response_list
from labeling.services import records as record_services
from labeling.services import responses as response_services
from labeling.services import suggestions as suggestion_services

from .. import shapes
from ..http import ArgillaError, Call, json_response, no_content, parse_uuid, unprocessable
from ..selectors import record_rows

MAX_CREATE = 1000
MAX_UPSERT = 500
MAX_DELETE = 100
RESPONSE_STATUSES = ("draft", "submitted", "discarded")


def _dataset(call: Call, dataset_id) -> Dataset:
    return dataset_get(user=call.user, dataset_id=parse_uuid(dataset_id))


def _maybe_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def _items(call: Call, maximum: int) -> list:
    items = call.body.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= maximum:
        raise unprocessable(f"'items' must be a list of 1 to {maximum} records.")
    if any(not isinstance(item, dict) for item in items):
        raise unprocessable("Each item must be an object.")
    return items


# --- listing ------------------------------------------------------------------------------------


def _includes(call: Call) -> set[str]:
    return {value.split(":", 1)[0] for value in call.query_list("include")}


def _status_condition(call: Call, dataset: Dataset, wanted: set[str]) -> Q:
    """Response statuses: a record matches when any response the caller may see has one of them, or
    (`pending`, old alias `missing`) when it has none; OR across values (v1 `filter_by(response_status=...)`)."""
    unknown = wanted - {*RESPONSE_STATUSES, "pending", "missing"}
    if unknown:
        raise unprocessable(f"Unknown response status: {', '.join(sorted(map(str, unknown)))}.")
    visible = response_list(user=call.user, dataset=dataset).filter(record_id=OuterRef("pk"))
    condition = Q(pk__in=[])
    statuses = wanted & set(RESPONSE_STATUSES)
    if statuses:
        condition |= Q(Exists(visible.filter(status__in=statuses)))
    if wanted & {"pending", "missing"}:
        condition |= ~Q(Exists(visible))
    return condition


def _metadata_condition(dataset: Dataset, name: str, *, terms: list | None = None, bounds: dict | None = None) -> Q:
    """Terms (`name in terms`) or a numeric range (`{"ge", "le"}`) on a declared metadata property,
    checked by the one metadata-filter rule; its refusals are Argilla's 422."""
    if bounds:
        if not isinstance(bounds, dict) or not set(bounds) <= {"ge", "le"}:
            raise unprocessable(f"Metadata filter '{name}' must be {{\"ge\": n, \"le\": n}}.")
        spec = {"min": bounds.get("ge"), "max": bounds.get("le")}
    elif isinstance(terms, list):
        spec = terms
    else:
        raise unprocessable(f"Metadata filter '{name}' needs a list of terms or a range.")
    try:
        return metadata_q(metadata_conditions({name: spec}, types=metadata_types([dataset])))
    except InvalidInput as error:
        raise unprocessable(error.message) from None


def _query_conditions(call: Call, dataset: Dataset) -> list[Q]:
    """`response_status=...` and `metadata=name:v1,v2` / `metadata=name:{"ge": 1, "le": 5}` query parameters."""
    conditions = []
    statuses = set(call.request.GET.getlist("response_status"))
    if statuses:
        conditions.append(_status_condition(call, dataset, statuses))
    for raw in call.request.GET.getlist("metadata"):
        name, _, spec = raw.partition(":")
        if spec.startswith("{"):
            try:
                bounds = json.loads(spec)
            except ValueError:
                raise unprocessable(f"Metadata filter '{name}' must be {{\"ge\": n, \"le\": n}}.") from None
            conditions.append(_metadata_condition(dataset, name, bounds=bounds))
        else:
            conditions.append(_metadata_condition(dataset, name, terms=[v for v in spec.split(",") if v]))
    return conditions


def _search_conditions(call: Call, dataset: Dataset) -> list[Q]:
    """v2 search bodies: a text query on one or all fields, and `and`-ed filters on response status,
    record status and metadata (`{"type": "terms"|"range", "scope": {...}, "values"|"ge"|"le"}`)."""
    body = call.body
    conditions = []
    text = ((body.get("query") or {}).get("text") or {}) if isinstance(body.get("query"), dict) else {}
    if text.get("q"):
        if text.get("field"):
            conditions.append(Q(**{f"fields__{text['field']}__icontains": text["q"]}))
        else:
            names = dataset.fields.values_list("name", flat=True)
            condition = Q(pk__in=[])
            for name in names:
                condition |= Q(**{f"fields__{name}__icontains": text["q"]})
            conditions.append(condition)
    filters = body.get("filters") or {}
    for item in filters.get("and", []) if isinstance(filters, dict) else []:
        if not isinstance(item, dict) or not isinstance(item.get("scope"), dict):
            raise unprocessable("Each filter is an object with a 'scope'.")
        scope, values = item["scope"], item.get("values")
        entity = scope.get("entity")
        if entity == "response" and scope.get("property") == "status" and isinstance(values, list):
            conditions.append(_status_condition(call, dataset, set(values)))
        elif entity == "record" and scope.get("property") == "status" and isinstance(values, list):
            conditions.append(Q(status__in=values))
        elif entity == "metadata":
            name = scope.get("metadata_property") or scope.get("name")
            bounds = {key: item.get(key) for key in ("ge", "le") if key in item}
            conditions.append(_metadata_condition(dataset, name, terms=values, bounds=bounds))
        else:
            raise unprocessable("Only response status, record status and metadata filters are supported.")
    return conditions


def _ordering(call: Call, dataset: Dataset) -> list[str]:
    """`sort_by=inserted_at:asc|updated_at:desc|metadata.<name>:asc`, always ending on creation order."""
    order = []
    props = set(dataset.metadata_properties.values_list("name", flat=True))
    for raw in call.request.GET.getlist("sort_by"):
        key, _, direction = raw.partition(":")
        direction = direction or "asc"
        if direction not in ("asc", "desc"):
            raise unprocessable(f"Sort direction must be asc or desc, not '{direction}'.")
        if key == "inserted_at":
            column = "ordinal"
        elif key == "updated_at":
            column = "updated_at"
        elif key.startswith("metadata.") and key.removeprefix("metadata.") in props:
            column = f"metadata__{key.removeprefix('metadata.')}"
        else:
            raise unprocessable(f"Records cannot be sorted by '{key}'.")
        order.append(column if direction == "asc" else f"-{column}")
    return [*order, "ordinal"]


def records(call: Call, dataset_id):
    dataset = _dataset(call, dataset_id)
    offset = call.query_int("offset", 0, 0)
    limit = call.query_int("limit", 50, 1, 1000)
    include = _includes(call)
    found = records_readable(user=call.user, dataset=dataset)
    for condition in _query_conditions(call, dataset):
        found = found.filter(condition)
    total = found.count()
    page = found.order_by(*_ordering(call, dataset))[offset : offset + limit]
    return json_response({"items": _page(call, dataset, page, include), "total": total})


def _page(call: Call, dataset: Dataset, records, include: set[str]) -> list[dict]:
    with_responses, with_suggestions = "responses" in include, "suggestions" in include
    rows = record_rows(user=call.user, dataset=dataset, records=records, responses=with_responses,
                       suggestions=with_suggestions)
    return [shapes.record(row, responses=with_responses, suggestions=with_suggestions, vectors="vectors" in include)
            for row in rows]


def records_search(call: Call, dataset_id):
    """v2 `dataset.records(query=...)`: the same listing, with the query and filters in the body."""
    dataset = _dataset(call, dataset_id)
    offset = call.query_int("offset", 0, 0)
    limit = call.query_int("limit", 50, 1, 1000)
    include = _includes(call)
    if (call.body.get("query") or {}).get("vector") if isinstance(call.body.get("query"), dict) else False:
        raise unprocessable("Vector search is not supported by this server.")
    found = records_readable(user=call.user, dataset=dataset)
    for condition in _search_conditions(call, dataset):
        found = found.filter(condition)
    total = found.count()
    page = found.order_by("ordinal")[offset : offset + limit]
    items = [{"record": record, "query_score": None} for record in _page(call, dataset, page, include)]
    return json_response({"items": items, "total": total})


# --- writes -------------------------------------------------------------------------------------


class _Translation:
    """Argilla record items in our services' terms: suggestions by question name, responses by user."""

    def __init__(self, call: Call, dataset: Dataset, items: list):
        self.call, self.dataset = call, dataset
        self.questions = {str(q.pk): q.name for q in dataset.questions.all()}
        user_ids = {
            str(r.get("user_id") or call.user.pk)
            for item in items for r in (item.get("responses") or []) if isinstance(r, dict)
        }
        wanted = [u for u in map(_maybe_uuid, user_ids) if u]
        self.users = {str(u.pk): u for u in user_list(user=call.user).prefetch_related(None).filter(pk__in=wanted)}

    def suggestions(self, raw, index: int) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise unprocessable(f"item {index}: suggestions must be a list.")
        out = []
        for spec in raw:
            name = self.questions.get(str(spec.get("question_id"))) if isinstance(spec, dict) else None
            if name is None:
                raise unprocessable(f"item {index}: suggestion for an unknown question id.")
            out.append({"question": name, "value": spec.get("value"), "score": spec.get("score"),
                        "agent": spec.get("agent"), "type": spec.get("type")})
        return out

    def responses(self, raw, index: int) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, list) or any(not isinstance(r, dict) for r in raw):
            raise unprocessable(f"item {index}: responses must be a list of objects.")
        out = []
        for spec in raw:
            user = self.users.get(str(spec.get("user_id") or self.call.user.pk))
            if user is None:
                raise unprocessable(f"item {index}: response for an unknown user_id.")
            out.append({"index": index, "user": user, "status": spec.get("status"),
                        "values": shapes.unwrap_values(spec.get("values"))})
        return out


def _check_vectors(items: list) -> None:
    if any(item.get("vectors") for item in items):
        raise unprocessable("Vectors are not supported by this server.")


def _write(call: Call, dataset: Dataset, rows: list[dict], responses: list[dict]) -> list[Record]:
    """Upsert records and then their responses, all or nothing as Argilla's bulk paths are."""
    with transaction.atomic():
        result = record_services.records_upsert(actor=call.user, dataset=dataset, items=rows)
        if responses:
            for response in responses:
                response["record"] = result.records[response["index"]]
            response_services.responses_upsert(actor=call.user, dataset=dataset, items=responses)
    return result.records


def records_create(call: Call, dataset_id):
    """v1 `add_records` / `push_to_argilla`: create (or, by external_id, update) records; 204."""
    dataset = _dataset(call, dataset_id)
    items = _items(call, MAX_CREATE)
    _check_vectors(items)
    translate = _Translation(call, dataset, items)
    rows, responses = [], []
    for index, item in enumerate(items):
        row = {"fields": item.get("fields"), "metadata": item.get("metadata"),
               "suggestions": translate.suggestions(item.get("suggestions"), index)}
        if item.get("external_id") is not None:
            row["external_id"] = item["external_id"]
        rows.append(row)
        responses.extend(translate.responses(item.get("responses"), index))
    _write(call, dataset, rows, responses)
    return no_content()


def records_bulk_upsert(call: Call, dataset_id):
    """v2 `records.log`: match by external_id, else by id, else create; keep other users' responses."""
    dataset = _dataset(call, dataset_id)
    items = _items(call, MAX_UPSERT)
    _check_vectors(items)
    translate = _Translation(call, dataset, items)
    external_ids = [str(i["external_id"]) for i in items if i.get("external_id") is not None]
    ids = [uid for uid in (_maybe_uuid(item.get("id")) for item in items) if uid is not None]
    existing = records_readable(user=call.user, dataset=dataset).filter(Q(external_id__in=external_ids) | Q(pk__in=ids))
    by_external, by_id = {}, {}
    for record in existing:
        by_id[str(record.pk)] = record
        if record.external_id is not None:
            by_external[record.external_id] = record
    rows, responses, updated = [], [], []
    with transaction.atomic():
        for index, item in enumerate(items):
            external_id = None if item.get("external_id") is None else str(item["external_id"])
            record = by_external.get(external_id) or by_id.get(str(item.get("id")))
            if record is not None and record.external_id is None:
                # A record made without an external id, sent back under the id the SDK gave it.
                record = record_services.record_update(actor=call.user, record=record, external_id=external_id or str(record.pk))
            row = {"fields": item.get("fields") if item.get("fields") is not None else (record.fields if record else None),
                   "suggestions": translate.suggestions(item.get("suggestions"), index),
                   "external_id": record.external_id if record is not None else external_id}
            if item.get("metadata") is not None:
                row["metadata"] = item["metadata"]
            elif record is not None:
                row["metadata"] = record.metadata
            if record is not None:
                updated.append(str(record.pk))
            rows.append(row)
            responses.extend(translate.responses(item.get("responses"), index))
        written = _write(call, dataset, rows, responses)
    written_ids = [r.pk for r in written]
    shown = {row["id"]: row for row in _page(call, dataset, records_readable(user=call.user, dataset=dataset)
                                               .filter(pk__in=written_ids), {"responses", "suggestions"})}
    return json_response({"items": [shown[str(pk)] for pk in written_ids], "updated_item_ids": updated})


def records_delete(call: Call, dataset_id):
    dataset = _dataset(call, dataset_id)
    ids = call.query_list("ids")
    if not 1 <= len(ids) <= MAX_DELETE:
        raise unprocessable(f"'ids' must name 1 to {MAX_DELETE} records.")
    record_ids = [_maybe_uuid(i) for i in ids]
    if None in record_ids:
        raise unprocessable("'ids' must be comma-separated UUIDs.")
    record_services.records_delete(actor=call.user, dataset=dataset, record_ids=record_ids)
    return no_content()


def records_update(call: Call, dataset_id):
    """v1 `update_records`: metadata and suggestions of existing records, all or nothing; 204."""
    dataset = _dataset(call, dataset_id)
    items = _items(call, MAX_CREATE)
    _check_vectors(items)
    translate = _Translation(call, dataset, [])
    with transaction.atomic():
        suggestions = []
        for index, item in enumerate(items):
            record = record_get(user=call.user, dataset=dataset, record_id=parse_uuid(item.get("id")))
            if item.get("metadata") is not None:
                record_services.record_update(actor=call.user, record=record, metadata=item["metadata"])
            suggestions += [{**spec, "record_id": str(record.pk)}
                            for spec in translate.suggestions(item.get("suggestions"), index)]
        if suggestions:
            suggestion_services.suggestions_upsert(actor=call.user, dataset=dataset, items=suggestions)
    return no_content()


# --- one record ---------------------------------------------------------------------------------


def _record(call: Call, record_id) -> Record:
    return record_get(user=call.user, record_id=parse_uuid(record_id))


def _shown(call: Call, record: Record) -> dict:
    records = records_readable(user=call.user, dataset=record.dataset).filter(pk=record.pk)
    return _page(call, record.dataset, records, {"responses", "suggestions"})[0]


def record_detail(call: Call, record_id):
    return json_response(_shown(call, _record(call, record_id)))


def record_patch(call: Call, record_id):
    """v1/v2 `record.update()`: metadata and suggestions (fields stay as they are in Argilla)."""
    record, body = _record(call, record_id), call.body
    _check_vectors([body])
    with transaction.atomic():
        if body.get("metadata") is not None:
            record_services.record_update(actor=call.user, record=record, metadata=body["metadata"])
        if body.get("suggestions"):
            translate = _Translation(call, record.dataset, [])
            items = [{**s, "record_id": str(record.pk)} for s in translate.suggestions(body["suggestions"], 0)]
            suggestion_services.suggestions_upsert(actor=call.user, dataset=record.dataset, items=items)
    return json_response(_shown(call, record))


def record_delete(call: Call, record_id):
    record = _record(call, record_id)
    shaped = _shown(call, record)
    record_services.records_delete(actor=call.user, dataset=record.dataset, record_ids=[record.pk])
    return json_response(shaped)


def response_create(call: Call, record_id):
    """An answer by the caller (a `user_id` in the body is ignored); 409 if they already answered."""
    record, body = _record(call, record_id), call.body
    mine = response_list(user=call.user, dataset=record.dataset).filter(record=record, user_id=call.user.pk)
    if mine.exists():
        raise ArgillaError(
            409, f"Response already exists for record with id `{record.pk}` and by user with id `{call.user.pk}`"
        )
    response = response_services.response_write(
        actor=call.user, record=record, values=shapes.unwrap_values(body.get("values")), status=body.get("status")
    )
    return json_response(shapes.response(response), status=201)


def response_update(call: Call, response_id):
    """Argilla's UI path: replace a response's values and status (its author, or an admin on their behalf)."""
    response, body = response_get(user=call.user, response_id=parse_uuid(response_id)), call.body
    response = response_services.response_write(
        actor=call.user, record=response.record, values=shapes.unwrap_values(body.get("values")),
        status=body.get("status"), user=response.user,
    )
    return json_response(shapes.response(response))


def response_delete(call: Call, response_id):
    response = response_get(user=call.user, response_id=parse_uuid(response_id))
    shaped = shapes.response(response)
    response_services.response_delete(actor=call.user, response=response)
    return json_response(shaped)
