"""The Argilla layer keeps working with review on: an answer submitted through it can be fixed by a
reviewer, and reads back through it as the fixed (latest) version, still the labeler's."""

from accounts.services import api_key_create
from labeling.models import Response

from ..argilla.conftest import ArgillaClient
from ..factories import RecordFactory
from .conftest import decide


def _argilla(user):
    return ArgillaClient(api_key_create(actor=None, user=user, name="argilla")[1])


def test_a_fixed_answer_reads_back_as_the_latest_version(api_client_for, admin, reviewer, labeler, reviewed_dataset):
    record = RecordFactory(dataset=reviewed_dataset)
    created = _argilla(labeler).post(f"/api/v1/records/{record.pk}/responses", {
        "status": "submitted", "values": {"demonstration": {"value": "Labeler's words."}}})
    assert created.status_code == 201
    response = Response.objects.get(pk=created.json()["id"])
    assert (response.review_status, response.version) == ("pending", 1)

    fixed = decide(api_client_for(reviewer), response, decision="fix", version=1,
                   values={"demonstration": "Reviewer's words.", "quality": 5})
    assert fixed.status_code == 200

    listed = _argilla(admin).get(f"/api/v1/datasets/{reviewed_dataset.pk}/records", include=["responses"])
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    [answer] = item["responses"]
    assert answer["values"] == {"demonstration": {"value": "Reviewer's words."}, "quality": {"value": 5}}
    assert (answer["user_id"], answer["status"]) == (str(labeler.pk), "submitted")
