from labeling.models import Record, Response

from ..factories import RecordFactory
from .conftest import error_of


def put(client, record, body):
    return client.put(f"/api/records/{record.pk}/response/", body, format="json")


def test_draft_then_submit_completes_the_record(api_client_for, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    client = api_client_for(annotator)
    draft = put(client, record, {"values": {"quality": 3}, "status": "draft"})
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    submitted = put(client, record, {"values": {"demonstration": "Answer", "quality": 4}, "status": "submitted"})
    assert submitted.json()["values"] == {"demonstration": "Answer", "quality": 4}
    record.refresh_from_db()
    assert (record.status, record.submitted_count) == ("completed", 1)
    assert Response.objects.count() == 1


def test_invalid_values_are_400_and_nothing_written(api_client_for, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    response = put(api_client_for(annotator), record, {"values": {"quality": 9}, "status": "submitted"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_response"
    assert set(error["details"]["questions"]) == {"quality", "demonstration"}
    assert not Response.objects.exists()
    assert Record.objects.get().status == "pending"


def test_body_cannot_pick_another_user(api_client_for, annotator, admin, dataset):
    record = RecordFactory(dataset=dataset)
    body = {"values": {"demonstration": "A"}, "status": "submitted", "user": str(admin.pk)}
    response = put(api_client_for(annotator), record, body)
    assert response.status_code == 400
    assert "user" in error_of(response)["details"]
    assert not Response.objects.exists()


def test_bad_status_is_400(api_client_for, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    response = put(api_client_for(annotator), record, {"values": {}, "status": "approved"})
    assert response.status_code == 400
    assert not Response.objects.exists()
