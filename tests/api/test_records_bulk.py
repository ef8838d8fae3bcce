from labeling.models import Record, Suggestion

from ..factories import MetadataPropertyFactory
from .conftest import error_of


def url(dataset):
    return f"/api/datasets/{dataset.pk}/records/"


def test_bulk_insert_then_upsert_by_external_id(api_client_for, admin, dataset):
    client = api_client_for(admin)
    rows = [{"external_id": f"p{i}", "fields": {"prompt": f"Prompt {i}"}} for i in range(3)]
    rows[0]["suggestions"] = [{"question": "demonstration", "value": "Draft answer", "agent": "gpt"}]
    first = client.post(url(dataset), {"records": rows}, format="json").json()
    assert (first["created"], first["updated"], len(first["ids"])) == (3, 0, 3)
    again = client.post(url(dataset), {"records": [{"external_id": "p1", "fields": {"prompt": "Changed"}}]},
                        format="json").json()
    assert (again["created"], again["updated"]) == (0, 1)
    assert Record.objects.get(external_id="p1").fields == {"prompt": "Changed"}
    assert Suggestion.objects.get().value == "Draft answer"


def test_every_bad_row_is_reported_and_nothing_written(api_client_for, admin, dataset):
    rows = [{"fields": {"prompt": "ok"}}, {"fields": {}}, {"fields": {"prompt": "x", "extra": "y"}}]
    response = api_client_for(admin).post(url(dataset), {"records": rows}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_records"
    assert {row["index"] for row in error["details"]["rows"]} == {1, 2}
    assert all({"index", "message"} <= set(row) for row in error["details"]["rows"])
    assert not Record.objects.exists()


def test_skip_writes_the_good_rows_and_lists_the_bad(api_client_for, admin, dataset):
    rows = [{"fields": {"prompt": "ok"}}, {"fields": {"prompt": 3}}]
    body = api_client_for(admin).post(url(dataset), {"records": rows, "on_error": "skip"}, format="json").json()
    assert body["created"] == 1
    assert [row["index"] for row in body["skipped"]] == [1]
    assert Record.objects.count() == 1


def test_undeclared_row_keys_are_bad_rows(api_client_for, admin, dataset):
    rows = [{"fields": {"prompt": "ok"}}, {"fields": {"prompt": "ok"}, "status": "completed", "id": "x"}]
    response = api_client_for(admin).post(url(dataset), {"records": rows}, format="json")
    assert response.status_code == 400
    assert error_of(response)["details"]["rows"] == [
        {"index": 1, "field": "id", "message": "Unknown key 'id'."},
        {"index": 1, "field": "status", "message": "Unknown key 'status'."},
    ]
    assert not Record.objects.exists()


def test_more_than_ten_thousand_rows_are_refused(api_client_for, admin, dataset):
    rows = [{"fields": {"prompt": "p"}}] * 10_001
    response = api_client_for(admin).post(url(dataset), {"records": rows}, format="json")
    assert response.status_code == 400
    assert "at most 10000" in error_of(response)["message"]
    assert not Record.objects.exists()


def test_metadata_is_validated_against_properties(api_client_for, admin, dataset):
    MetadataPropertyFactory(dataset=dataset, name="length", type="integer", settings={"type": "integer"})
    rows = [{"fields": {"prompt": "p"}, "metadata": {"length": "long"}}]
    response = api_client_for(admin).post(url(dataset), {"records": rows}, format="json")
    assert response.status_code == 400
    assert error_of(response)["details"]["rows"][0]["index"] == 0
    assert not Record.objects.exists()


def test_annotators_cannot_add_records(api_client_for, annotator, dataset):
    response = api_client_for(annotator).post(url(dataset), {"records": [{"fields": {"prompt": "p"}}]}, format="json")
    assert response.status_code == 403
    assert not Record.objects.exists()


def test_draft_datasets_take_no_records(api_client_for, admin, dataset):
    dataset.status = "draft"
    dataset.save()
    response = api_client_for(admin).post(url(dataset), {"records": [{"fields": {"prompt": "p"}}]}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "dataset_not_ready"
