"""The review queue through the API: `GET /api/datasets/{id}/review/next/` and its summary."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from labeling.models import Response, ReviewClaim

from ..api.conftest import error_of
from ..factories import MembershipFactory, RecordFactory, SuggestionFactory, UserFactory
from .conftest import decide


def _next(client, dataset):
    return client.get(f"/api/datasets/{dataset.pk}/review/next/")


def test_next_gives_the_oldest_waiting_answer_first_with_everything_to_decide_it(
        api_client_for, reviewed_dataset, reviewer, labeler, workspace, submit):
    second = UserFactory(username="lab2")
    MembershipFactory(user=second, workspace=workspace)
    older, newer = RecordFactory(dataset=reviewed_dataset), RecordFactory(dataset=reviewed_dataset)
    SuggestionFactory(record=newer, value="Suggested.")
    submit(labeler, newer, "First on newer.")
    Response.objects.filter(record=newer).update(submitted_at=timezone.now() + timedelta(minutes=1))
    submit(labeler, older, "On older.")
    submit(second, newer, "Second on newer.")
    client = api_client_for(reviewer)

    first = _next(client, reviewed_dataset)
    assert first.status_code == 200
    body = first.json()
    assert body["record"]["id"] == str(older.pk)
    assert body["guidelines"] == reviewed_dataset.guidelines
    assert [q["name"] for q in body["questions"]] == ["demonstration", "quality"]
    [answer] = body["answers"]
    assert (answer["labeler"], answer["version"], answer["review_status"], answer["is_decidable"]) == (
        "lab", 1, "pending", True)
    assert answer["values"] == {"demonstration": "On older."} and answer["seconds_spent"] >= 0
    assert ReviewClaim.objects.get(record=older).reviewer == reviewer
    assert _next(client, reviewed_dataset).json()["record"]["id"] == str(older.pk), "asking twice gives the same record"

    assert decide(client, Response.objects.get(record=older), decision="accept", version=1).status_code == 200
    following = _next(client, reviewed_dataset).json()
    assert following["record"]["id"] == str(newer.pk)
    assert [a["labeler"] for a in following["answers"]] == ["lab2", "lab"]
    assert following["suggestions"] == [{"question": "demonstration", "value": "Suggested.", "score": None,
                                         "agent": "model-x", "type": "model"}]
    assert list(ReviewClaim.objects.values_list("record_id", flat=True)) == [newer.pk], "one claim per reviewer"


def test_two_reviewers_are_handed_different_records(api_client_for, reviewed_dataset, reviewer, labeler, workspace, submit):
    other = UserFactory(username="rev2")
    MembershipFactory(user=other, workspace=workspace, role=Membership.Role.REVIEWER)
    records = [RecordFactory(dataset=reviewed_dataset) for _ in range(2)]
    for record in records:
        submit(labeler, record)

    first = _next(api_client_for(reviewer), reviewed_dataset).json()["record"]["id"]
    second = _next(api_client_for(other), reviewed_dataset).json()["record"]["id"]
    assert {first, second} == {str(r.pk) for r in records}
    assert _next(api_client_for(UserFactory(username="admin2", is_superuser=True)), reviewed_dataset).status_code == 204


def test_an_expired_claim_lets_another_reviewer_take_the_record(api_client_for, reviewer, waiting, workspace):
    other = UserFactory(username="rev2")
    MembershipFactory(user=other, workspace=workspace, role=Membership.Role.REVIEWER)
    dataset = waiting.record.dataset
    assert _next(api_client_for(reviewer), dataset).status_code == 200
    assert _next(api_client_for(other), dataset).status_code == 204
    ReviewClaim.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert _next(api_client_for(other), dataset).json()["record"]["id"] == str(waiting.record_id)
    assert ReviewClaim.objects.get().reviewer == other


def test_own_answers_are_not_in_the_reviewers_queue(api_client_for, reviewed_dataset, reviewer, submit):
    own = submit(reviewer, RecordFactory(dataset=reviewed_dataset))
    client = api_client_for(reviewer)

    assert _next(client, reviewed_dataset).status_code == 204
    summary = client.get(f"/api/datasets/{reviewed_dataset.pk}/review/").json()
    assert summary == {"review": "all", "review_sample_percent": 100, "pending": 1, "to_do": 0, "accepted": 0,
                       "rejected": 0}
    assert own.review_status == "pending"


def test_summary_counts_the_decisions(api_client_for, reviewed_dataset, reviewer, labeler, submit):
    answers = [submit(labeler, RecordFactory(dataset=reviewed_dataset)) for _ in range(3)]
    client = api_client_for(reviewer)
    decide(client, answers[0], decision="accept", version=1)
    decide(client, answers[1], decision="reject", version=1, comment="No.")

    summary = client.get(f"/api/datasets/{reviewed_dataset.pk}/review/").json()
    assert (summary["pending"], summary["to_do"], summary["accepted"], summary["rejected"]) == (1, 1, 1, 1)


def test_annotators_cannot_use_the_queue(api_client_for, labeler, waiting):
    client = api_client_for(labeler)
    dataset = waiting.record.dataset
    for url in (f"/api/datasets/{dataset.pk}/review/next/", f"/api/datasets/{dataset.pk}/review/"):
        answer = client.get(url)
        assert answer.status_code == 403 and error_of(answer)["code"] == "permission_denied"
    assert not ReviewClaim.objects.exists()


def test_next_answers_in_a_constant_number_of_queries(api_client_for, reviewed_dataset, reviewer, workspace, submit):
    def next_with_answers(count):
        record = RecordFactory(dataset=reviewed_dataset)
        for i in range(count):
            user = UserFactory(username=f"labeler-{count}-{i}")
            MembershipFactory(user=user, workspace=workspace)
            submit(user, record)
        client = api_client_for(reviewer)
        with CaptureQueriesContext(connection) as queries:
            body = _next(client, reviewed_dataset).json()
        assert len(body["answers"]) == count
        decide(client, Response.objects.filter(record=record).first(), decision="accept", version=1)
        Response.objects.filter(record=record).update(review_status="accepted")
        return len(queries)

    assert next_with_answers(1) == next_with_answers(6)
