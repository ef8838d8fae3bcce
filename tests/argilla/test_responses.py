"""An annotator's own answer through POST /api/v1/records/{id}/responses (argilla-compat.md §4.5)."""

import uuid

import pytest

from labeling.models import Record, Response

from ..factories import RecordFactory, ResponseFactory
from .conftest import assert_shape


@pytest.fixture
def record(dataset):
    return RecordFactory(dataset=dataset)


def _post(client, record, body):
    return client.post(f"/api/v1/records/{record.pk}/responses", body)


def test_submit_is_201_for_the_caller_whatever_user_id_says(as_annotator, annotator, admin, record):
    response = _post(as_annotator, record, {
        "status": "submitted", "user_id": str(admin.pk),
        "values": {"demonstration": {"value": "Here is how…"}, "quality": {"value": 4}},
    })
    assert response.status_code == 201
    body = response.json()
    assert_shape(body, ids=("id", "record_id", "user_id"), keys=("values", "status"))
    assert (body["user_id"], body["status"]) == (str(annotator.pk), "submitted")
    assert body["values"] == {"demonstration": {"value": "Here is how…"}, "quality": {"value": 4}}
    stored = Response.objects.get()
    assert (stored.user, stored.values) == (annotator, {"demonstration": "Here is how…", "quality": 4})
    record.refresh_from_db()
    assert record.status == "completed"


@pytest.mark.parametrize("body", [{"status": "discarded"}, {"status": "discarded", "values": {}},
                                  {"status": "draft", "values": {"demonstration": {"value": "half"}}}])
def test_partial_answers_are_accepted_and_values_is_never_null(as_annotator, record, body):
    response = _post(as_annotator, record, body)
    assert response.status_code == 201
    assert isinstance(response.json()["values"], dict)
    record.refresh_from_db()
    assert record.status == "pending"


def test_second_answer_is_409(as_annotator, annotator, record):
    ResponseFactory(record=record, user=annotator, status="draft", values={})
    response = _post(as_annotator, record, {"status": "submitted", "values": {"demonstration": {"value": "x"}}})
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


@pytest.mark.parametrize("body", [
    {"status": "submitted", "values": {"quality": {"value": 4}}},
    {"status": "submitted", "values": {"demonstration": {"value": "x"}, "quality": {"value": 9}}},
    {"status": "draft", "values": {"nope": {"value": "x"}}},
    {"status": "maybe", "values": {}},
])
def test_invalid_answers_are_422_and_write_nothing(as_annotator, record, body):
    response = _post(as_annotator, record, body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert not Response.objects.exists()


def test_unknown_and_foreign_records_are_404(as_annotator, as_outsider, record):
    assert as_annotator.post(f"/api/v1/records/{uuid.uuid4()}/responses", {"status": "discarded"}).status_code == 404
    assert _post(as_outsider, record, {"status": "discarded"}).status_code == 404
    assert not Response.objects.exists()


def test_min_submitted_two_needs_two_submissions(as_annotator, as_admin, dataset, record):
    dataset.min_submitted = 2
    dataset.save()
    values = {"demonstration": {"value": "answer"}}
    _post(as_annotator, record, {"status": "submitted", "values": values})
    assert Record.objects.get(pk=record.pk).status == "pending"
    _post(as_admin, record, {"status": "submitted", "values": values})
    assert Record.objects.get(pk=record.pk).status == "completed"


def test_update_and_delete_a_response_by_id(as_annotator, as_outsider, annotator, record):
    answer = ResponseFactory(record=record, user=annotator, status="draft", values={})
    path = f"/api/v1/responses/{answer.pk}"
    assert as_outsider.put(path, {"status": "discarded"}).status_code == 404
    response = as_annotator.put(path, {"status": "submitted", "values": {"demonstration": {"value": "final"}}})
    assert response.status_code == 200
    assert response.json()["values"] == {"demonstration": {"value": "final"}}
    assert Record.objects.get(pk=record.pk).status == "completed"
    assert as_annotator.delete(path).status_code == 200
    assert not Response.objects.exists()
    assert Record.objects.get(pk=record.pk).status == "pending"
