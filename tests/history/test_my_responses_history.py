"""The portal's "My responses" shows each answer's history (the review issue, §4): every version, newest
first, with a word diff against the one before (<del>/<ins>), the reviewer's comments, and the answer's
review status; all histories of a page come in one query."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labeling.models import Dataset
from labeling.selectors.lookups import record_access_for
from labeling.services import responses as response_services

from ..factories import RecordFactory, history_entry

URL = reverse("portal:my_responses")


def _write(user, record, text, status="submitted", **more):
    return response_services.response_write(access=record_access_for(user=user, record=record),
                                            values={"demonstration": text, **more}, status=status)


def _entries(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li class="history-entry" data-number="(\d+)" data-kind="(\w+)">', html)


@pytest.fixture
def page(client, annotator):
    client.force_login(annotator)
    return lambda: client.get(URL).content.decode()


def test_each_version_shows_what_it_changed_newest_first(page, annotator, admin, dataset):
    Dataset.objects.filter(pk=dataset.pk).update(review="all")
    record = RecordFactory(dataset=dataset)
    _write(annotator, record, "The cat sat.")
    response = _write(annotator, record, "The black cat sat <down>.")
    history_entry(response, kind="reject", author=admin, comment="Which <b>mat</b>?", status="draft",
                  review_status="rejected")
    html = page()

    assert _entries(html) == [("3", "reject"), ("2", "edit"), ("1", "submit")]
    assert "History: 3 versions" in html
    assert "The <ins>black </ins>cat <del>sat.</del><ins>sat &lt;down&gt;.</ins>" in html
    assert "<ins>The cat sat.</ins>" in html  # the first version is all new
    assert "Which &lt;b&gt;mat&lt;/b&gt;?" in html and "<b>mat</b>" not in html
    assert "by wsadmin" in html and "The answer is unchanged." in html
    assert '<span class="badge review-rejected">Rejected</span>' in html


def test_other_answers_show_their_old_and_new_value(page, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    _write(annotator, record, "Same.", quality=3)
    _write(annotator, record, "Same.", quality=5)
    assert "<del>3</del> → <ins>5</ins>" in page()


def test_a_draft_never_submitted_has_no_history(page, annotator, dataset):
    _write(annotator, RecordFactory(dataset=dataset), "half", status="draft")
    html = page()
    assert '<li class="response-item">' in html and "History:" not in html


def test_only_my_own_history_shows(page, annotator, admin, dataset, workspace):
    from ..factories import MembershipFactory, UserFactory

    peer = UserFactory(username="peer")
    MembershipFactory(user=peer, workspace=workspace)
    record = RecordFactory(dataset=dataset)
    _write(peer, record, "The peer's secret answer.")
    _write(annotator, record, "Mine.")
    html = page()
    assert _entries(html) == [("1", "submit")] and "secret" not in html


def test_the_page_runs_a_constant_number_of_queries(page, annotator, dataset):
    _write(annotator, RecordFactory(dataset=dataset), "one")
    page()
    with CaptureQueriesContext(connection) as small:
        page()
    for n in range(6):
        record = RecordFactory(dataset=dataset)
        for text in (f"first {n}", f"second {n}", f"third {n}"):
            _write(annotator, record, text)
    with CaptureQueriesContext(connection) as large:
        html = page()
    assert len(_entries(html)) == 1 + 6 * 3
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)
