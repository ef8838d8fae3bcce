from labeling.models import Record

from ..factories import MembershipFactory, RecordFactory, ResponseFactory, SuggestionFactory, UserFactory


def test_admin_sees_all_responses_annotator_only_own(api_client_for, admin, annotator, workspace, dataset):
    other = UserFactory(username="other-ann")
    MembershipFactory(user=other, workspace=workspace)
    record = RecordFactory(dataset=dataset)
    SuggestionFactory(record=record)
    mine = ResponseFactory(record=record, user=annotator)
    ResponseFactory(record=record, user=other)
    as_admin = api_client_for(admin).get(f"/api/records/{record.pk}/").json()
    assert len(as_admin["responses"]) == 2
    assert as_admin["suggestions"][0]["question"] == "demonstration"
    as_annotator = api_client_for(annotator).get(f"/api/records/{record.pk}/").json()
    assert [r["id"] for r in as_annotator["responses"]] == [str(mine.pk)]


def test_annotator_cannot_read_unassigned_records_in_assigned_mode(api_client_for, annotator, dataset):
    dataset.distribution = "assigned"
    dataset.save()
    record = RecordFactory(dataset=dataset)
    assert api_client_for(annotator).get(f"/api/records/{record.pk}/").status_code == 404


def test_admin_patches_and_deletes(api_client_for, admin, dataset):
    record = RecordFactory(dataset=dataset, external_id="one")
    client = api_client_for(admin)
    patched = client.patch(f"/api/records/{record.pk}/", {"fields": {"prompt": "New"}, "external_id": "uno"},
                           format="json")
    assert patched.status_code == 200
    assert (patched.json()["fields"], patched.json()["external_id"]) == ({"prompt": "New"}, "uno")
    assert client.delete(f"/api/records/{record.pk}/").status_code == 204
    assert not Record.objects.exists()


def test_invalid_patch_changes_nothing(api_client_for, admin, dataset):
    record = RecordFactory(dataset=dataset)
    before = record.fields
    response = api_client_for(admin).patch(f"/api/records/{record.pk}/", {"fields": {"unknown": "x"}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["rows"][0]["index"] == 0
    record.refresh_from_db()
    assert record.fields == before


def test_annotator_cannot_change_records(api_client_for, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    client = api_client_for(annotator)
    assert client.patch(f"/api/records/{record.pk}/", {"fields": {"prompt": "x"}}, format="json").status_code == 403
    assert client.delete(f"/api/records/{record.pk}/").status_code == 403
    assert Record.objects.get().fields == record.fields
