"""POST /api/records/{id}/skip/ (issue #19): the reason is recorded (a new skip replaces it), the claim is
given back, and bad input changes nothing."""

import pytest

from labeling.models import Claim, Dataset, Skip

from ..factories import RecordFactory

pytestmark = pytest.mark.django_db


def test_a_skip_is_recorded_and_releases_the_claim(api, annotator, dataset, records):
    me = api(annotator)
    record_id = me.next(dataset)
    response = me.skip(record_id, "broken")
    assert response.status_code == 200
    body = response.json()
    assert body["record"] == record_id and body["reason"] == "broken" and body["inserted_at"]
    assert Skip.objects.get(user=annotator, record_id=record_id).reason == "broken"
    assert not Claim.objects.filter(user=annotator, record_id=record_id).exists()


def test_a_new_skip_replaces_the_reason(api, annotator, dataset, records):
    me = api(annotator)
    me.skip(records[0].pk, "later")
    first = Skip.objects.get(user=annotator)
    me.skip(records[0].pk, "not_my_field")
    again = Skip.objects.get(user=annotator)
    assert (again.pk, again.reason) == (first.pk, "not_my_field") and again.inserted_at >= first.inserted_at


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"reason": "boring"}, "reason", '"boring" is not a valid choice.'),
    ({}, "reason", "This field is required."),
    ({"reason": "later", "user": "someone"}, "user",
     "Unknown parameter; see the API schema at /api/schema/ for what this accepts."),
])
def test_bad_input_is_refused_and_changes_nothing(api, annotator, dataset, records, body, field, message):
    me = api(annotator)
    record_id = me.next(dataset)
    response = me.client.post(f"/api/records/{record_id}/skip/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][field] == [message]
    assert not Skip.objects.exists()
    assert Claim.objects.filter(user=annotator, record_id=record_id).exists()


def test_a_record_outside_the_callers_assignments_is_not_found(api, annotator, dataset):
    Dataset.objects.filter(pk=dataset.pk).update(distribution=Dataset.Distribution.ASSIGNED)
    record = RecordFactory(dataset=dataset)
    response = api(annotator).skip(record.pk, "later")
    assert response.status_code == 404
    assert not Skip.objects.exists()


def test_a_record_of_a_draft_dataset_cannot_be_skipped(api, admin, dataset):
    record = RecordFactory(dataset=dataset)
    Dataset.objects.filter(pk=dataset.pk).update(status=Dataset.Status.DRAFT)
    response = api(admin).skip(record.pk, "later")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "dataset_not_ready"
    assert not Skip.objects.exists()
