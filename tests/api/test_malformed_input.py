"""Malformed input on /api/ gets a 4xx in the one error shape and changes nothing (DESIGN §9, issue 15):
NUL characters, bodies nested too deep, numbers no column holds, bodies over the size limit, and the
errors Django answers itself (unknown paths, disallowed hosts, server errors)."""

import json

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import get_resolver

from config import error_views
from labeling.models import Record

from ..factories import MetadataPropertyFactory, RecordFactory
from .conftest import error_of


def url(dataset):
    return f"/api/datasets/{dataset.pk}/records/"


def post_raw(client, path: str, body: bytes | str):
    return client.generic("POST", path, body, content_type="application/json")


@pytest.fixture
def existing(dataset):
    """One record, to show that a refused call leaves it as it was."""
    record = RecordFactory(dataset=dataset, fields={"prompt": "kept"}, metadata={"category": "a"})
    return {str(record.pk): (record.fields, record.metadata)}


def unchanged(existing) -> bool:
    return {str(r.pk): (r.fields, r.metadata) for r in Record.objects.all()} == existing


def test_nul_in_a_metadata_filter_is_refused(api_client_for, admin, dataset, existing):
    MetadataPropertyFactory(dataset=dataset, name="category")
    response = api_client_for(admin).get(url(dataset) + "?metadata.category=%00")
    assert response.status_code == 400
    error = error_of(response)
    assert error["message"] == "Metadata filter 'category' contains a NUL character."
    assert error["details"] == {"field": "metadata.category"}


def test_a_body_nested_5000_deep_is_refused_before_parsing(api_client_for, admin, dataset, existing):
    body = '{"records": ' + "[" * 5000 + "]" * 5000 + "}"
    response = post_raw(api_client_for(admin), url(dataset), body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["message"] == f"The JSON body nests deeper than {settings.DATA_UPLOAD_MAX_JSON_DEPTH} levels; flatten it."
    assert error["details"] == {"max_depth": 64}
    assert unchanged(existing)


def test_brackets_inside_strings_do_not_count_as_nesting(api_client_for, admin, dataset, existing):
    rows = [{"fields": {"prompt": "[" * 5000 + "{" * 5000}}]
    response = api_client_for(admin).post(url(dataset), {"records": rows}, format="json")
    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_nul_in_a_record_field_is_refused_with_where_it_is(api_client_for, admin, dataset, existing):
    rows = [{"fields": {"prompt": "fine"}}, {"fields": {"prompt": "bad\x00"}}]
    response = api_client_for(admin).post(url(dataset), {"records": rows}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["details"] == {"field": "records[1].fields.prompt"}
    assert "contains a NUL character" in error["message"]
    assert unchanged(existing)


def test_nul_in_a_key_is_refused(api_client_for, admin, dataset, existing):
    response = post_raw(api_client_for(admin), url(dataset), '{"records": [{"fields": {"pro\\u0000mpt": "x"}}]}')
    assert response.status_code == 400
    assert error_of(response)["details"] == {"field": "records[0].fields.pro\\u0000mpt"}
    assert unchanged(existing)


@pytest.mark.parametrize("number, message", [
    ("99999999999999999999", "Integers must lie between"),
    ("1e400", "Numbers must be finite; 1e400 is not."),
    ("NaN", "NaN is not valid JSON; send a finite number or null."),
])
def test_numbers_no_column_holds_are_refused(api_client_for, admin, dataset, existing, number, message):
    body = '{"records": [{"fields": {"prompt": "p"}, "metadata": {"n": ' + number + "}}]}"
    response = post_raw(api_client_for(admin), url(dataset), body)
    assert response.status_code == 400
    assert error_of(response)["message"].startswith(message)
    assert unchanged(existing)


def test_malformed_json_is_a_parse_error(api_client_for, admin, dataset, existing):
    response = post_raw(api_client_for(admin), url(dataset), '{"records": [')
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "parse_error"
    assert error["message"].startswith("The request body is not valid JSON:")
    assert unchanged(existing)


def test_a_body_over_the_shipped_limit_is_413_in_the_error_shape(api_client_for, admin, dataset, existing):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = b'{"records": [' + b" " * limit + b"]}"
    response = post_raw(api_client_for(admin), url(dataset), body)
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "payload_too_large"
    assert error["message"] == f"The request body is larger than {limit} bytes; send fewer items per call."
    assert error["details"] == {"max_bytes": limit}
    assert unchanged(existing)


def test_an_unknown_api_path_is_404_in_the_error_shape(api_client_for, admin):
    response = api_client_for(admin).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "not_found"


def test_a_record_path_that_is_no_uuid_is_404_in_the_error_shape(api_client_for, admin):
    response = api_client_for(admin).get("/api/records/not-a-uuid/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_portal_keeps_html_error_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_disallowed_host_is_400_in_the_error_shape(api_client_for, admin):
    response = api_client_for(admin).get("/api/me/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


@pytest.mark.parametrize("status", [400, 403, 404, 500])
@pytest.mark.parametrize("path, keys", [("/api/datasets/", {"error"}), ("/argilla/api/v1/me", {"detail"}),
                                        ("/datasets/", None)])
def test_djangos_own_error_answers_take_the_shape_of_the_path(status, path, keys):
    """JSON in the API's shape under /api/ and /argilla, Django's HTML pages for the portal."""
    handler = get_resolver().resolve_error_handler(status)
    assert handler.__module__ == error_views.__name__
    request = RequestFactory().get(path)
    response = handler(request) if status == 500 else handler(request, exception=None)
    assert response.status_code == status
    if keys is None:
        assert response["Content-Type"].startswith("text/html")
    else:
        assert set(json.loads(response.content)) == keys
