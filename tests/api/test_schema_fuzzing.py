"""Fuzz every operation of /api/schema/ with schemathesis (DESIGN §9): as a workspace admin, then
as an annotator, a bounded number of examples each; no 5xx, and every answer — status code, content
type, headers and body — matches the schema. Path ids are pointed at real objects half the time, so
the examples reach the services instead of stopping at 404. A second pass sends what the schema
refuses (negative examples: wrong types, missing and undeclared keys, out-of-range values): still no
5xx, and every error body is the one JSON error shape."""

import zlib

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from accounts.services import api_key_create
from labeling.models import Record

from ..factories import MetadataPropertyFactory, RecordFactory, ResponseFactory

# Positive examples only (the schema's own types): URL ids that are not UUIDs never reach the API,
# Django's resolver answers them. Explicit examples and fuzzing only, to keep the run bounded.
CONFIG = SchemathesisConfig.from_dict({
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"mode": "positive", "max-examples": 5},
})
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)
NEGATIVE = SchemathesisConfig.from_dict({
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"mode": "negative", "max-examples": 5},
})
negative_schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=NEGATIVE)

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """schemathesis calls the WSGI application directly, not through Django's test client, so the
    request_started / request_finished handlers would close the connection holding the test's
    transaction (on PostgreSQL: "the connection is closed"). Disconnect them, as the test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def objects(workspace, dataset, admin, annotator):
    MetadataPropertyFactory(dataset=dataset, name="topic")
    # The annotator's submitted response is counted, as the services keep it: with a count of 0, an
    # example discarding that response drove it below zero (a CHECK violation, answered with a 500).
    record = RecordFactory(dataset=dataset, metadata={"topic": "t"}, submitted_count=1,
                           status=Record.Status.COMPLETED)
    ResponseFactory(record=record, user=annotator)
    return {"workspace_id": workspace.pk, "dataset_id": dataset.pk, "record_id": record.pk}


@pytest.mark.parametrize("role", ["admin", "annotator"])
@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case, role, objects, request):
    user = request.getfixturevalue(role)
    _, secret = api_key_create(actor=None, user=user, name="fuzz")
    for name in case.path_parameters or {}:
        # crc32, not hash(): str hashes change with every process, and so did which examples hit.
        if name in objects and zlib.crc32(str(case.path_parameters[name]).encode()) % 2:
            case.path_parameters[name] = str(objects[name])
    headers = {"Authorization": f"Token {secret}"}
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    assert_error_shape(response)


def assert_error_shape(response):
    """An error answer is JSON, {"error": {"code", "message", "details"}}."""
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/json"), response.text[:200]
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body


@negative_schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_answers_invalid_requests_with_the_error_shape(case, objects, admin):
    _, secret = api_key_create(actor=None, user=admin, name="fuzz")
    for name in case.path_parameters or {}:
        if name in objects and zlib.crc32(str(case.path_parameters[name]).encode()) % 2:
            case.path_parameters[name] = str(objects[name])
    response = case.call(headers={"Authorization": f"Token {secret}"})
    assert response.status_code < 500, response.text[:500]
    assert_error_shape(response)
