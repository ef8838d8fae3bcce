"""The portal's review page: the answers side by side, and accept, reject and fix through its forms."""

import pytest

from labeling.models import Record, Response, ResponseVersion

from ..factories import RecordFactory, SuggestionFactory
from .conftest import submit


@pytest.fixture
def labelers(make_labelers):
    return make_labelers(2)


@pytest.fixture
def record(review_dataset, labelers):
    """A record with a suggestion and both labelers' answers waiting for review."""
    record = RecordFactory(dataset=review_dataset, fields={"prompt": "Name a colour."})
    SuggestionFactory(record=record, value="The sky is blue.")
    submit(labelers[0], record, "The sky is grey today.")
    submit(labelers[1], record, "The <sea> is blue.")
    return record


def _answers(record):
    return {r.user.username: r for r in Response.objects.filter(record=record).select_related("user")}


def _state(record):
    """What a refused decision must leave untouched: every answer and the whole history of the record."""
    answers = sorted((r.pk, r.status, r.review_status, r.version, str(r.values)) for r in Response.objects.filter(record=record))
    entries = sorted(ResponseVersion.objects.filter(record=record).values_list("id", flat=True))
    return answers, entries, Record.objects.get(pk=record.pk).submitted_count


def test_the_queue_shows_the_record_and_every_answer_side_by_side_with_diffs(login, reviewer, record, urls):
    page = login(reviewer).get(urls.queue(record.dataset))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Name a colour." in html and "Write the ideal answer." in html, "the record's field and the guidelines"
    assert "Answer 1 · lab0" in html and "Answer 2 · lab1" in html
    assert "time spent" in html and "version 1" in html and "Waiting for review" in html
    assert "The &lt;sea&gt; is blue." in html, "answers are escaped"
    assert "Changes from the suggestion" in html and "Compared with answer 2 (lab1)" in html
    assert "<del>sky </del><ins>&lt;sea&gt; </ins>" in html, "answer 2 against the suggestion"
    assert html.count('name="decision" value="accept"') == 2
    assert html.count('class="decision-panel decision-reject"') == 2
    for shortcut in ("<kbd>a</kbd>", "<kbd>r</kbd>", "<kbd>f</kbd>", "<kbd>n</kbd>"):
        assert shortcut in html
    assert " style=" not in html and "<script>" not in html


def test_a_reviewer_never_gets_their_own_answer_to_decide(login, reviewer, record, urls):
    submit(reviewer, record, "The reviewer also labels.")
    html = login(reviewer).get(urls.record(record)).content.decode()
    assert "Answer 3 · rev" in html and "Your own answer" in html
    assert html.count('name="decision" value="accept"') == 2
    mine = Response.objects.get(record=record, user=reviewer)
    refused = login(reviewer).post(urls.decide(mine), {"decision": "accept", "version": mine.version})
    assert refused.status_code == 403
    assert "No one reviews their own answer." in refused.content.decode()
    assert Response.objects.get(pk=mine.pk).review_status == "pending"


def test_accept_then_reject_with_a_comment_then_fix(login, reviewer, record, urls):
    client = login(reviewer)
    answers = _answers(record)
    accepted = client.post(urls.decide(answers["lab0"]), {"decision": "accept", "version": 1, "mode": "queue"})
    assert accepted.status_code == 302 and accepted["Location"] == urls.queue(record.dataset)
    assert Response.objects.get(pk=answers["lab0"].pk).review_status == "accepted"

    rejected = client.post(urls.decide(answers["lab1"]), {"decision": "reject", "version": 1, "comment": "Colours only."})
    assert rejected.status_code == 302 and rejected["Location"] == urls.record(record)
    after = Response.objects.get(pk=answers["lab1"].pk)
    assert (after.status, after.review_status) == ("draft", "rejected")
    assert ResponseVersion.objects.filter(response_id=after.pk, kind="reject", comment="Colours only.").exists()
    page = client.get(urls.record(record)).content.decode()
    assert "Answer rejected; it went back to its labeler." in page

    third = submit(make_labeler(record), record, "Red.")
    fixed = client.post(urls.decide(third), {"decision": "fix", "version": third.version, "fix-demonstration": "Red, like a rose."})
    assert fixed.status_code == 302
    third.refresh_from_db()
    assert (third.values["demonstration"], third.review_status, third.status) == ("Red, like a rose.", "accepted", "submitted")
    entry = ResponseVersion.objects.get(response_id=third.pk, kind="fix")
    assert (entry.author_id, entry.respondent_id) == (reviewer.pk, third.user_id)


def make_labeler(record):
    from accounts.models import Membership

    from ..factories import MembershipFactory, UserFactory

    user = UserFactory(username="late")
    MembershipFactory(user=user, workspace=record.dataset.workspace, role=Membership.Role.ANNOTATOR)
    return user


def test_a_fix_keeps_the_answers_to_other_questions(login, reviewer, record, labelers, urls):
    answer = Response.objects.get(record=record, user=labelers[0])
    answer.values = {**answer.values, "quality": 4}
    answer.save(update_fields=["values"])
    login(reviewer).post(urls.decide(answer), {"decision": "fix", "version": 1, "fix-demonstration": "Grey."})
    answer.refresh_from_db()
    assert answer.values == {"demonstration": "Grey.", "quality": 4}


def test_a_rejection_without_a_comment_is_refused_beside_the_answer(login, reviewer, record, urls):
    before = _state(record)
    answer = _answers(record)["lab1"]
    refused = login(reviewer).post(urls.decide(answer), {"decision": "reject", "version": 1, "comment": "   "})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "A rejection needs a comment for the labeler." in html
    assert 'aria-invalid="true"' in html and "decision-reject\" open" in html
    assert _state(record) == before


def test_a_fix_that_empties_a_required_answer_is_refused_and_keeps_the_text(login, reviewer, record, urls):
    before = _state(record)
    answer = _answers(record)["lab0"]
    refused = login(reviewer).post(urls.decide(answer), {"decision": "fix", "version": 1, "fix-demonstration": "  "})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "decision-fix\" open" in html
    assert 'id="fix-error-1-demonstration">This question is required.</p>' in html
    assert _state(record) == before


def test_an_unreadable_decision_or_version_changes_nothing(login, reviewer, record, urls):
    before = _state(record)
    answer = _answers(record)["lab0"]
    client = login(reviewer)
    for data in ({"decision": "accept", "version": "two"}, {"decision": "approve", "version": 1}, {"version": 1}):
        refused = client.post(urls.decide(answer), data)
        assert refused.status_code == 400, data
        assert 'role="alert"' in refused.content.decode()
    assert _state(record) == before


def test_a_stale_version_is_a_message_and_the_page_shows_the_latest_version(login, reviewer, record, labelers, urls):
    answer = _answers(record)["lab0"]
    submit(labelers[0], record, "The sky is grey, then blue.")  # an edit: version 2 now waits
    before = _state(record)
    client = login(reviewer)
    stale = client.post(urls.decide(answer), {"decision": "accept", "version": 1}, follow=True)
    html = stale.content.decode()
    assert "This answer changed" in html and "The page now shows the answer&#x27;s latest version." in html
    assert "The sky is grey, then blue." in html and "version 2" in html
    assert "History: 2 versions" in html and "<ins>grey, then blue.</ins>" in html, "the edit in the answer's history"
    assert _state(record) == before


def test_nothing_to_review_and_next_goes_round_the_queue(login, reviewer, review_dataset, labelers, urls):
    client = login(reviewer)
    assert "Nothing to review in demo" in client.get(urls.queue(review_dataset)).content.decode()
    first, second = RecordFactory(dataset=review_dataset), RecordFactory(dataset=review_dataset)
    submit(labelers[0], first)
    submit(labelers[0], second)
    assert client.get(urls.queue(review_dataset)).context["record"] == first
    assert client.get(urls.queue(review_dataset)).context["record"] == first, "the held record comes back"
    assert client.post(urls.skip(first))["Location"] == urls.queue(review_dataset)
    assert client.get(urls.queue(review_dataset)).context["record"] == second
    client.post(urls.skip(second))
    assert client.get(urls.queue(review_dataset)).context["record"] == first, "round again once all were passed over"
