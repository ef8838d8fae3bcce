"""Records, suggestions and responses (§4.4, §4.5): Argilla's shapes onto our bulk services."""

from config.ids import parse_uuid, uuid_or_none
from labeling.access import DatasetAccess, RecordAccess
from labeling.models import Dataset
from labeling.selectors.lookups import dataset_access, dataset_access_for, record_access, record_access_for, record_get
from labeling.selectors.responses import response_get
from labeling.services import records as record_services
from labeling.services import responses as response_services

from .. import shapes
from ..http import ArgillaError, Call, json_response, no_content, unprocessable
from ..selectors import (
    has_responded,
    question_names_by_id,
    record_rows,
    records_listed,
    records_matched,
    records_searched,
    records_with_ids,
    users_by_id,
)
from ..services import records_amend, records_log, records_push

MAX_CREATE = 1000
MAX_UPSERT = 500
MAX_DELETE = 100


def _access(call: Call, dataset_id) -> DatasetAccess:
    return dataset_access(user=call.user, dataset_id=parse_uuid(dataset_id))


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


def _paging(call: Call) -> tuple[slice, set[str]]:
    """The window `offset` and `limit` ask for, and what `include` asks to show."""
    offset = call.query_int("offset", 0, 0)
    limit = call.query_int("limit", 50, 1, 1000)
    return slice(offset, offset + limit), _includes(call)


def records(call: Call, dataset_id):
    access = _access(call, dataset_id)
    window, include = _paging(call)
    found = records_listed(
        access=access, response_statuses=call.request.GET.getlist("response_status"),
        metadata=call.request.GET.getlist("metadata"), sort_by=call.request.GET.getlist("sort_by"),
    )
    total = found.count()
    return json_response({"items": _page(access, found[window], include), "total": total})


def _page(access: DatasetAccess, records, include: set[str]) -> list[dict]:
    with_responses, with_suggestions = "responses" in include, "suggestions" in include
    rows = record_rows(access=access, records=records, responses=with_responses,
                       suggestions=with_suggestions)
    return [shapes.record(row, responses=with_responses, suggestions=with_suggestions, vectors="vectors" in include)
            for row in rows]


def records_search(call: Call, dataset_id):
    """v2 `dataset.records(query=...)`: the same listing, with the query and filters in the body."""
    access = _access(call, dataset_id)
    window, include = _paging(call)
    query = call.body.get("query") or {}
    if not isinstance(query, dict):
        raise unprocessable("'query' is an object: {\"text\": {\"q\", \"field\"}}.")
    if query.get("vector"):
        raise unprocessable("Vector search is not supported by this server.")
    found = records_searched(access=access, text=query.get("text") or {},
                             filters=call.body.get("filters") or {})
    total = found.count()
    items = [{"record": record, "query_score": None} for record in _page(access, found[window], include)]
    return json_response({"items": items, "total": total})


# --- writes -------------------------------------------------------------------------------------


class _Translation:
    """Argilla record items in our services' terms: suggestions by question name, responses by user."""

    def __init__(self, call: Call, dataset: Dataset, items: list):
        self.call, self.dataset = call, dataset
        self.questions = question_names_by_id(dataset=dataset)
        user_ids = {
            str(r.get("user_id") or call.user.pk)
            for item in items for r in (item.get("responses") or []) if isinstance(r, dict)
        }
        self.users = users_by_id(user=call.user, user_ids=user_ids)

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


def records_create(call: Call, dataset_id):
    """v1 `add_records` / `push_to_argilla`: create (or, by external_id, update) records; 204."""
    access = _access(call, dataset_id)
    dataset = access.dataset
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
    records_push(access=access, rows=rows, responses=responses)
    return no_content()


def records_bulk_upsert(call: Call, dataset_id):
    """v2 `records.log`: match by external_id, else by id, else create; keep other users' responses."""
    access = _access(call, dataset_id)
    dataset = access.dataset
    items = _items(call, MAX_UPSERT)
    _check_vectors(items)
    translate = _Translation(call, dataset, items)
    matches = records_matched(access=access, items=items)
    suggestions, responses = [], []
    for index, item in enumerate(items):
        suggestions.append(translate.suggestions(item.get("suggestions"), index))
        responses.extend(translate.responses(item.get("responses"), index))
    written, updated = records_log(access=access, items=items, matches=matches, suggestions=suggestions,
                                   responses=responses)
    written_ids = [r.pk for r in written]
    written_rows = _page(access, records_with_ids(access=access, ids=written_ids),
                         {"responses", "suggestions"})
    shown = {row["id"]: row for row in written_rows}
    return json_response({"items": [shown[str(pk)] for pk in written_ids], "updated_item_ids": updated})


def records_delete(call: Call, dataset_id):
    access = _access(call, dataset_id)
    ids = call.query_list("ids")
    if not 1 <= len(ids) <= MAX_DELETE:
        raise unprocessable(f"'ids' must name 1 to {MAX_DELETE} records.")
    record_ids = [uuid_or_none(i) for i in ids]
    if None in record_ids:
        raise unprocessable("'ids' must be comma-separated UUIDs.")
    record_services.records_delete(access=access, record_ids=record_ids)
    return no_content()


def records_update(call: Call, dataset_id):
    """v1 `update_records`: metadata and suggestions of existing records, all or nothing; 204."""
    access = _access(call, dataset_id)
    dataset = access.dataset
    items = _items(call, MAX_CREATE)
    _check_vectors(items)
    translate = _Translation(call, dataset, [])
    metadata, suggestions = [], []
    for index, item in enumerate(items):
        record = record_get(user=call.user, dataset=dataset, record_id=parse_uuid(item.get("id")))
        if item.get("metadata") is not None:
            metadata.append((record, item["metadata"]))
        suggestions += [{**spec, "record_id": str(record.pk)}
                        for spec in translate.suggestions(item.get("suggestions"), index)]
    records_amend(access=access, metadata=metadata, suggestions=suggestions)
    return no_content()


# --- one record ---------------------------------------------------------------------------------


def _record(call: Call, record_id) -> RecordAccess:
    return record_access(user=call.user, record_id=parse_uuid(record_id))


def _shown(access: RecordAccess) -> dict:
    records = records_with_ids(access=access, ids=[access.record.pk])
    return _page(access, records, {"responses", "suggestions"})[0]


def record_detail(call: Call, record_id):
    return json_response(_shown(_record(call, record_id)))


def record_patch(call: Call, record_id):
    """v1/v2 `record.update()`: metadata and suggestions (fields stay as they are in Argilla)."""
    access, body = _record(call, record_id), call.body
    record = access.record
    _check_vectors([body])
    metadata = [(record, body["metadata"])] if body.get("metadata") is not None else []
    suggestions = []
    if body.get("suggestions"):
        translate = _Translation(call, record.dataset, [])
        suggestions = [{**s, "record_id": str(record.pk)} for s in translate.suggestions(body["suggestions"], 0)]
    records_amend(access=access, metadata=metadata, suggestions=suggestions)
    return json_response(_shown(access))


def record_delete(call: Call, record_id):
    access = _record(call, record_id)
    record, shaped = access.record, _shown(access)
    record_services.records_delete(access=access, record_ids=[record.pk])
    return json_response(shaped)


def response_create(call: Call, record_id):
    """An answer by the caller (a `user_id` in the body is ignored); 409 if they already answered."""
    access, body = _record(call, record_id), call.body
    record = access.record
    if has_responded(access=access):
        raise ArgillaError(
            409, f"Response already exists for record with id `{record.pk}` and by user with id `{call.user.pk}`"
        )
    response = response_services.response_write(
        access=access, values=shapes.unwrap_values(body.get("values")), status=body.get("status")
    )
    return json_response(shapes.response(response), status=201)


def response_update(call: Call, response_id):
    """Argilla's UI path: replace a response's values and status (its author, or an admin on their behalf)."""
    response, body = response_get(user=call.user, response_id=parse_uuid(response_id)), call.body
    response = response_services.response_write(
        access=record_access_for(user=call.user, record=response.record),
        values=shapes.unwrap_values(body.get("values")),
        status=body.get("status"), user=response.user,
    )
    return json_response(shapes.response(response))


def response_delete(call: Call, response_id):
    response = response_get(user=call.user, response_id=parse_uuid(response_id))
    shaped = shapes.response(response)
    access = dataset_access_for(user=call.user, dataset=response.record.dataset)
    response_services.response_delete(access=access, response=response)
    return json_response(shaped)
