from labeling.models import Claim

from ..factories import MembershipFactory, RecordFactory, UserFactory


def test_next_claims_a_record_and_204_when_none_left(api_client_for, annotator, workspace, dataset):
    record = RecordFactory(dataset=dataset)
    client = api_client_for(annotator)
    first = client.get(f"/api/datasets/{dataset.pk}/next/")
    assert first.status_code == 200
    assert first.json()["id"] == str(record.pk)
    assert Claim.objects.filter(record=record, user=annotator).exists()
    other = UserFactory(username="second")
    MembershipFactory(user=other, workspace=workspace)
    assert api_client_for(other).get(f"/api/datasets/{dataset.pk}/next/").status_code == 204
    client.put(f"/api/records/{record.pk}/response/", {"values": {"demonstration": "A"}, "status": "submitted"},
               format="json")
    assert client.get(f"/api/datasets/{dataset.pk}/next/").status_code == 204


def test_next_on_a_draft_dataset_is_404_for_annotators(api_client_for, annotator, dataset):
    dataset.status = "draft"
    dataset.save()
    assert api_client_for(annotator).get(f"/api/datasets/{dataset.pk}/next/").status_code == 404
