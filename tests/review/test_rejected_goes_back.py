"""A rejected answer goes back to its labeler: their next record is it, with the reviewer's comment;
it no longer counts, so open distribution offers the record again; resubmitting sends it back to review."""

from django.urls import reverse

from accounts.models import Membership
from labeling.models import Dataset, Record, ResponseVersion

from ..factories import AssignmentFactory, MembershipFactory, RecordFactory, UserFactory
from .conftest import decide

COMMENT = "Answer the question that was asked, with an example."


def _next(client, dataset):
    return client.get(f"/api/datasets/{dataset.pk}/next/")


def test_the_labelers_next_record_is_the_rejected_one_with_the_comment(api_client_for, reviewer, labeler, waiting,
                                                                      reviewed_dataset):
    RecordFactory.create_batch(3, dataset=reviewed_dataset)
    assert decide(api_client_for(reviewer), waiting, decision="reject", version=1, comment=COMMENT).status_code == 200

    handed = _next(api_client_for(labeler), reviewed_dataset)

    assert handed.status_code == 200
    body = handed.json()
    assert body["id"] == str(waiting.record_id)
    [own] = body["responses"]
    assert (own["status"], own["review_status"], own["review_comment"]) == ("draft", "rejected", COMMENT)
    assert own["values"] == {"demonstration": "The labeler's answer."}


def test_resubmitting_adds_one_version_and_waits_for_review_again(api_client_for, reviewer, labeler, waiting, submit):
    decide(api_client_for(reviewer), waiting, decision="reject", version=1, comment=COMMENT)
    before = ResponseVersion.objects.filter(response_id=waiting.pk).count()

    again = submit(labeler, waiting.record, "A better answer, with an example.")

    assert ResponseVersion.objects.filter(response_id=waiting.pk).count() == before + 1
    assert (again.status, again.review_status, again.version) == ("submitted", "pending", before + 1)
    last = ResponseVersion.objects.get(response_id=waiting.pk, number=again.version)
    assert (last.kind, last.author_id) == ("submit", labeler.pk)
    assert Record.objects.get(pk=waiting.record_id).submitted_count == 1
    assert decide(api_client_for(reviewer), again, decision="accept", version=again.version).status_code == 200


def test_a_rejected_answer_no_longer_counts_so_open_distribution_offers_the_record_again(
        api_client_for, reviewer, labeler, waiting, workspace):
    newcomer = UserFactory(username="newcomer")
    MembershipFactory(user=newcomer, workspace=workspace, role=Membership.Role.ANNOTATOR)
    dataset = waiting.record.dataset
    assert Record.objects.get(pk=waiting.record_id).status == "completed"
    assert _next(api_client_for(newcomer), dataset).status_code == 204

    decide(api_client_for(reviewer), waiting, decision="reject", version=1, comment=COMMENT)

    assert Record.objects.get(pk=waiting.record_id).status == "pending"
    assert _next(api_client_for(newcomer), dataset).json()["id"] == str(waiting.record_id)


def test_rejected_records_come_before_assignments_in_assigned_distribution(api_client_for, reviewer, labeler, workspace,
                                                                          submit):
    dataset = RecordFactory(dataset__workspace=workspace, dataset__review="all",
                            dataset__distribution=Dataset.Distribution.ASSIGNED).dataset
    first, rejected = dataset.records.get(), RecordFactory(dataset=dataset)
    for record in (first, rejected):
        AssignmentFactory(record=record, user=labeler)
    answer = submit(labeler, rejected)
    decide(api_client_for(reviewer), answer, decision="reject", version=1, comment=COMMENT)

    assert _next(api_client_for(labeler), dataset).json()["id"] == str(rejected.pk)


def test_the_rejected_record_comes_first_even_past_the_labelers_quota(api_client_for, reviewer, waiting, labeler,
                                                                     reviewed_dataset):
    labeler.memberships.update(quota=1)
    RecordFactory(dataset=reviewed_dataset)
    client = api_client_for(labeler)
    assert _next(client, reviewed_dataset).status_code == 204

    decide(api_client_for(reviewer), waiting, decision="reject", version=1, comment=COMMENT)

    assert _next(client, reviewed_dataset).json()["id"] == str(waiting.record_id)


def test_the_portal_annotate_page_serves_the_rejected_record_first(client, api_client_for, reviewer, labeler, waiting,
                                                                  reviewed_dataset):
    RecordFactory(dataset=reviewed_dataset, fields={"prompt": "Another prompt entirely"})
    decide(api_client_for(reviewer), waiting, decision="reject", version=1, comment=COMMENT)
    client.force_login(labeler)

    page = client.get(reverse("portal:annotate", args=[reviewed_dataset.pk]))

    assert page.status_code == 200
    assert waiting.record.fields["prompt"] in page.content.decode()
