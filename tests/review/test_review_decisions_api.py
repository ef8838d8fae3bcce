"""Accept, reject and fix through `POST /api/responses/{id}/review/`: what each leaves the answer, its
record and its history in."""

from labeling.models import Record, ResponseVersion

from .conftest import decide


def _entries(response):
    return list(ResponseVersion.objects.filter(response_id=response.pk).order_by("number"))


def test_accept_marks_the_version_accepted_and_writes_an_accept_entry(api_client_for, reviewer, waiting):
    answer = decide(api_client_for(reviewer), waiting, decision="accept", version=1)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["review_status"], body["status"], body["version"]) == ("accepted", "submitted", 2)
    last = _entries(waiting)[-1]
    assert (last.kind, last.reviewed_number, last.author_id, last.respondent_id) == ("accept", 1, reviewer.pk, waiting.user_id)
    assert last.values == {"demonstration": "The labeler's answer."}
    assert Record.objects.get(pk=waiting.record_id).submitted_count == 1


def test_reject_sends_the_answer_back_as_a_draft_that_no_longer_counts(api_client_for, reviewer, waiting):
    answer = decide(api_client_for(reviewer), waiting, decision="reject", version=1, comment="  Too short.  ")

    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["review_status"]) == ("draft", "rejected")
    assert answer.json()["review_comment"] == "Too short."
    record = Record.objects.get(pk=waiting.record_id)
    assert (record.submitted_count, record.status) == (0, "pending")
    last = _entries(waiting)[-1]
    assert (last.kind, last.comment, last.status, last.review_status) == ("reject", "Too short.", "draft", "rejected")


def test_fix_replaces_the_values_and_keeps_the_labelers_original(api_client_for, reviewer, waiting):
    answer = decide(api_client_for(reviewer), waiting, decision="fix", version=1,
                    values={"demonstration": "The reviewer's answer.", "quality": 4})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["values"] == {"demonstration": "The reviewer's answer.", "quality": 4}
    assert (body["status"], body["review_status"], body["user"]) == ("submitted", "accepted", str(waiting.user_id))
    first, last = _entries(waiting)
    assert first.values == {"demonstration": "The labeler's answer."} and first.author_id == waiting.user_id
    assert (last.kind, last.author_id, last.values["demonstration"]) == ("fix", reviewer.pk, "The reviewer's answer.")


def test_an_admin_may_review_too(api_client_for, admin, waiting):
    assert decide(api_client_for(admin), waiting, decision="accept", version=1).status_code == 200
