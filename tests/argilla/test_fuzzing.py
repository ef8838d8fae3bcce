"""Fuzz the /argilla routes that take bodies and query strings with hypothesis (DESIGN §9, issue 15).

The values are shaped like the SDKs' requests, with anything at any place: NUL characters, integers
beyond 64 bits, non-finite numbers, deep nesting, wrong types and lookup-like names
(`prompt__regex`). Whatever arrives, the answer is below 500 and an error is Argilla's JSON
`{"detail": ...}`. A bounded, derandomized number of examples per route keeps the run short and the
same on every run.
"""

import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..factories import MetadataPropertyFactory, RecordFactory, ResponseFactory

LOOKUP_NAMES = ["prompt", "prompt__regex", "fields__prompt__icontains", "category", "category__gt", "pk", "id",
                "user__password__startswith", "metadata.category", "status", "submitted", "pending"]
names = st.sampled_from(LOOKUP_NAMES) | st.text(max_size=12)
texts = st.sampled_from(["", "x", "\x00", "a\x00b", "%", "'; --", "pending", "submitted"]) | st.text(max_size=20)
numbers = (st.integers(min_value=-(2**70), max_value=2**70)
           | st.sampled_from([2**63, -(2**63) - 1, 99999999999999999999])
           | st.floats(allow_nan=True, allow_infinity=True))
leaves = st.none() | st.booleans() | numbers | texts
anything = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
                        max_leaves=8)

scope = st.fixed_dictionaries({}, optional={
    "entity": st.sampled_from(["response", "record", "metadata", "user"]) | anything,
    "property": st.sampled_from(["status", "category"]) | anything,
    "metadata_property": names | anything,
    "name": names,
})
filter_item = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(["terms", "range"]) | anything, "scope": scope | anything,
    "values": st.lists(texts | anything, max_size=3) | anything, "ge": numbers | anything, "le": numbers | anything,
})
search_body = st.fixed_dictionaries({}, optional={
    "query": st.fixed_dictionaries({}, optional={
        "text": st.fixed_dictionaries({}, optional={"q": texts | anything, "field": names | anything}) | anything,
        "vector": anything,
    }) | anything,
    "filters": st.fixed_dictionaries({}, optional={"and": st.lists(filter_item, max_size=3) | anything}) | anything,
})
record_item = st.fixed_dictionaries({}, optional={
    "id": texts, "external_id": texts | numbers, "fields": st.dictionaries(names, texts | anything, max_size=3) | anything,
    "metadata": st.dictionaries(names, anything, max_size=3) | anything,
    "suggestions": st.lists(st.dictionaries(names, anything, max_size=3), max_size=2) | anything,
    "responses": st.lists(st.dictionaries(st.sampled_from(["values", "status", "user_id"]), anything), max_size=2) | anything,
})
records_body = st.fixed_dictionaries({"items": st.lists(record_item, min_size=1, max_size=3) | anything})
query_value = texts | numbers.map(str) | st.sampled_from(["99999999999999999999", "-1", "1e999", "category:{\"ge\": 1}"])
query = st.dictionaries(st.sampled_from(["offset", "limit", "response_status", "metadata", "sort_by", "include", "ids"])
                        | names, query_value, max_size=4)
# Nesting as raw text: the deepest bodies cannot be built as Python objects and serialized.
deep_body = st.integers(min_value=1, max_value=3_000).map(lambda depth: '{"query": ' + "[" * depth + "]" * depth + "}")

EXAMPLES = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def base(dataset, annotator):
    MetadataPropertyFactory(dataset=dataset, name="category")
    record = RecordFactory(dataset=dataset, metadata={"category": "a"})
    ResponseFactory(record=record, user=annotator)
    return f"/argilla/api/v1/datasets/{dataset.pk}"


def assert_answered_in_json(response):
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json"
        assert set(json.loads(response.content)) == {"detail"}


def send(client, method: str, path: str, body: str):
    return client.client.generic(method, path, body, content_type="application/json", **client.headers)


def dumps(value) -> str:
    return json.dumps(value, allow_nan=True)


@EXAMPLES
@given(body=search_body)
def test_records_search(as_admin, base, body):
    assert_answered_in_json(send(as_admin, "POST", f"{base}/records/search", dumps(body)))


@EXAMPLES
@given(params=query)
def test_records_search_query_string(as_admin, base, params):
    path = f"{base}/records/search?{urlencode(params)}"
    assert_answered_in_json(send(as_admin, "POST", path, "{}"))


@EXAMPLES
@given(params=query)
def test_records_listing(as_admin, base, params):
    assert_answered_in_json(as_admin.client.get(f"{base}/records", params, **as_admin.headers))


@pytest.mark.parametrize("method, path", [("POST", "/records"), ("PUT", "/records/bulk"), ("PATCH", "/records")])
@EXAMPLES
@given(body=records_body)
def test_record_writes(as_admin, base, method, path, body):
    assert_answered_in_json(send(as_admin, method, base + path, dumps(body)))


@EXAMPLES
@given(body=anything)
def test_dataset_settings_writes(as_admin, base, body):
    for path in ("/fields", "/questions", "/metadata-properties"):
        assert_answered_in_json(send(as_admin, "POST", base + path, dumps(body)))
    assert_answered_in_json(send(as_admin, "PATCH", base, dumps(body)))


@EXAMPLES
@given(body=deep_body)
def test_deep_bodies(as_admin, base, body):
    assert_answered_in_json(send(as_admin, "POST", f"{base}/records/search", body))


@EXAMPLES
@given(body=anything)
def test_response_create_as_annotator(as_annotator, dataset, base, body):
    record = dataset.records.first()
    assert_answered_in_json(send(as_annotator, "POST", f"/argilla/api/v1/records/{record.pk}/responses", dumps(body)))
