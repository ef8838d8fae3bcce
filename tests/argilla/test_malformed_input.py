"""Malformed input on /argilla gets Argilla's JSON error with the status its SDKs expect (422 for what
FastAPI would refuse as invalid, 413 for a body over the limit, 404 for unknown paths) and changes
nothing (DESIGN §9, issue 15)."""

import pytest
from django.conf import settings

from labeling.models import Record

from ..factories import MetadataPropertyFactory, RecordFactory


@pytest.fixture
def existing(dataset):
    MetadataPropertyFactory(dataset=dataset, name="category")
    record = RecordFactory(dataset=dataset, fields={"prompt": "kept"}, metadata={"category": "a"})
    return {str(record.pk): (record.fields, record.metadata, record.status)}


def unchanged(existing) -> bool:
    return {str(r.pk): (r.fields, r.metadata, r.status) for r in Record.objects.all()} == existing


def detail_of(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail"}
    return body["detail"]


def search(client, dataset, body, query: str = ""):
    return client.post(f"/api/v1/datasets/{dataset.pk}/records/search{query}", body)


def post_raw(client, path: str, body: bytes | str):
    return client.client.generic("POST", "/argilla" + path, body, content_type="application/json", **client.headers)


STATUS = {"entity": "response", "property": "status"}


@pytest.mark.parametrize("body, detail", [
    ({"query": {"text": {"q": "x", "field": "prompt__regex"}}}, "'prompt__regex' is not a field of this dataset."),
    ({"query": {"text": {"q": "x\x00"}}},
     "'query.text.q' contains a NUL character (\\u0000), which cannot be stored; remove it."),
    ({"query": {"text": {"q": "x", "field": "pro\x00mpt"}}},
     "'query.text.field' contains a NUL character (\\u0000), which cannot be stored; remove it."),
    ({"query": {"text": "x"}}, "'query.text' is an object: {\"q\": the text to find, \"field\": a field name or null}."),
    ({"query": "x"}, "'query' is an object: {\"text\": {\"q\", \"field\"}}."),
    ({"filters": {"and": [{"type": "terms", "scope": STATUS, "values": [{"a": 1}]}]}},
     "A response status filter takes 'values': a list of status names."),
    ({"filters": {"and": [{"type": "terms", "scope": {**STATUS, "entity": "record"}, "values": [["pending"]]}]}},
     "A record status filter takes 'values': a list of status names."),
    ({"filters": {"and": [{"type": "terms", "scope": {**STATUS, "entity": "record"}, "values": ["bogus"]}]}},
     "Unknown record status: bogus."),
    ({"filters": {"and": {"type": "terms"}}}, "'filters' is an object: {\"and\": a list of filters}."),
    ({"filters": {"and": [{"type": "terms", "scope": {"entity": "metadata", "metadata_property": "category__regex"},
                           "values": ["a"]}]}},
     "'category__regex' is not a metadata property of this dataset."),
])
def test_a_bad_search_body_is_422(as_admin, dataset, existing, body, detail):
    assert detail_of(search(as_admin, dataset, body), 422) == detail
    assert unchanged(existing)


@pytest.mark.parametrize("path", ["/records?offset=99999999999999999999", "/records?limit=99999999999999999999",
                                  "/records?offset=-1"])
def test_an_offset_or_limit_out_of_range_is_422(as_admin, dataset, existing, path):
    detail = detail_of(as_admin.get(f"/api/v1/datasets/{dataset.pk}{path}"), 422)
    assert detail.startswith(("'offset' must be between 0 and ", "'limit' must be between 1 and 1000"))


def test_a_huge_offset_on_search_is_422(as_admin, dataset, existing):
    detail = detail_of(search(as_admin, dataset, {}, "?offset=99999999999999999999"), 422)
    assert detail == f"'offset' must be between 0 and {2**62 - 1}."


def test_the_largest_offset_allowed_answers_an_empty_page(as_admin, dataset, existing):
    response = as_admin.get(f"/api/v1/datasets/{dataset.pk}/records?offset={2**62 - 1}")
    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 1}


@pytest.mark.parametrize("query", ["response_status=%00", "metadata=category:%00", "sort_by=%00", "x%00=1"])
def test_nul_in_a_query_parameter_is_422(as_admin, dataset, existing, query):
    detail = detail_of(as_admin.client.get(f"/argilla/api/v1/datasets/{dataset.pk}/records?{query}",
                                           **as_admin.headers), 422)
    assert "contains a NUL character (\\u0000); remove it." in detail


def test_a_body_nested_50000_deep_is_422(as_admin, dataset, existing):
    body = '{"query": ' + "[" * 50_000 + "]" * 50_000 + "}"
    detail = detail_of(post_raw(as_admin, f"/api/v1/datasets/{dataset.pk}/records/search", body), 422)
    assert detail == f"The JSON body nests deeper than {settings.DATA_UPLOAD_MAX_JSON_DEPTH} levels; flatten it."


def test_nul_in_a_record_being_created_is_422_and_nothing_is_written(as_admin, dataset, existing):
    items = [{"fields": {"prompt": "fine"}}, {"fields": {"prompt": "bad\x00"}}]
    detail = detail_of(as_admin.post(f"/api/v1/datasets/{dataset.pk}/records", {"items": items}), 422)
    assert detail.startswith("'items[1].fields.prompt' contains a NUL character")
    assert unchanged(existing)


def test_a_huge_integer_in_a_record_is_422_and_nothing_is_written(as_admin, dataset, existing):
    body = '{"items": [{"fields": {"prompt": "p"}, "metadata": {"n": 99999999999999999999}}]}'
    detail = detail_of(post_raw(as_admin, f"/api/v1/datasets/{dataset.pk}/records", body), 422)
    assert detail.startswith("Integers must lie between")
    assert unchanged(existing)


def test_a_body_over_the_shipped_limit_is_413(as_admin, dataset, existing):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = b'{"items": [' + b" " * limit + b"]}"
    detail = detail_of(post_raw(as_admin, f"/api/v1/datasets/{dataset.pk}/records", body), 413)
    assert detail == f"The request body is larger than {limit} bytes; send fewer items per call."
    assert unchanged(existing)
