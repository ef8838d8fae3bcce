"""Refused decisions: each answers its status and message in the one error shape, and writes nothing."""

import pytest

from accounts.models import Membership
from labeling.models import Record, Response, ResponseVersion

from ..api.conftest import error_of
from ..factories import MembershipFactory, RecordFactory, UserFactory
from .conftest import decide


def _state(response):
    stored = Response.objects.get(pk=response.pk)
    record = Record.objects.get(pk=response.record_id)
    entries = list(ResponseVersion.objects.filter(response_id=response.pk).values_list("number", "kind"))
    return stored.values, stored.status, stored.review_status, stored.version, record.submitted_count, entries


@pytest.mark.parametrize(("body", "status", "code", "message"), [
    ({"decision": "reject", "version": 1}, 400, "invalid", "A rejection needs a comment"),
    ({"decision": "reject", "version": 1, "comment": "   "}, 400, "invalid", "A rejection needs a comment"),
    ({"decision": "fix", "version": 1, "values": {"demonstration": ""}}, 400, "invalid_response", "required"),
    ({"decision": "fix", "version": 1, "values": {"nope": "x", "demonstration": "y"}}, 400, "invalid_response",
     "Unknown question"),
    ({"decision": "fix", "version": 1}, 400, "invalid_response", "Values must be an object"),
    ({"decision": "approve", "version": 1}, 400, "invalid", "decision"),
    ({"decision": "accept"}, 400, "invalid", "version"),
    ({"decision": "accept", "version": 1, "status": "accepted"}, 400, "invalid", "Unknown parameter"),
    ({"decision": "accept", "version": 2}, 409, "stale_version", "no longer the latest"),
])
def test_bad_input_is_refused_and_changes_nothing(api_client_for, reviewer, waiting, body, status, code, message):
    before = _state(waiting)
    answer = decide(api_client_for(reviewer), waiting, **body)

    assert answer.status_code == status
    error = error_of(answer)
    assert error["code"] == code and message in error["message"]
    assert _state(waiting) == before


def test_an_answer_decided_already_is_a_conflict(api_client_for, reviewer, waiting):
    client = api_client_for(reviewer)
    assert decide(client, waiting, decision="accept", version=1).status_code == 200
    before = _state(waiting)

    again = decide(client, waiting, decision="reject", version=1, comment="Changed my mind.")
    assert again.status_code == 409 and error_of(again)["details"] == {"version": 2}
    assert decide(client, waiting, decision="accept", version=2).status_code == 409
    assert _state(waiting) == before


def test_annotators_cannot_review(api_client_for, waiting, workspace):
    annotator = UserFactory(username="another-labeler")
    MembershipFactory(user=annotator, workspace=workspace, role=Membership.Role.ANNOTATOR)
    before = _state(waiting)
    # An annotator cannot reach someone else's answer at all (it is not theirs to read).
    assert decide(api_client_for(annotator), waiting, decision="accept", version=1).status_code == 404
    assert _state(waiting) == before


def test_no_one_reviews_their_own_answer(api_client_for, reviewed_dataset, reviewer, submit):
    own = submit(reviewer, RecordFactory(dataset=reviewed_dataset))
    before = _state(own)
    answer = decide(api_client_for(reviewer), own, decision="accept", version=1)

    assert answer.status_code == 403
    assert error_of(answer)["message"] == "No one reviews their own answer."
    assert _state(own) == before


def test_a_labeler_deciding_their_own_answer_is_refused(api_client_for, labeler, waiting):
    before = _state(waiting)
    answer = decide(api_client_for(labeler), waiting, decision="accept", version=1)

    assert answer.status_code == 403
    assert _state(waiting) == before


def test_reviewers_of_another_workspace_get_not_found(api_client_for, waiting, other_workspace):
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, workspace=other_workspace, role=Membership.Role.REVIEWER)
    before = _state(waiting)
    answer = decide(api_client_for(stranger), waiting, decision="accept", version=1)

    assert answer.status_code == 404 and error_of(answer)["code"] == "not_found"
    assert _state(waiting) == before
