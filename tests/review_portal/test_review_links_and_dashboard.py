"""Where the review queue is linked from (the portal home, the dashboard), and the dashboard's review
section as its admins see it."""

from datetime import timedelta

from django.utils import timezone

from ..factories import DatasetFactory, RecordFactory
from .conftest import decide, submit, submitted_answer


def test_home_links_the_review_queue_with_the_answers_waiting_for_the_caller(login, reviewer, review_dataset, make_labelers, urls):
    labeler, other = make_labelers(2)
    for user in (labeler, other):
        submit(user, RecordFactory(dataset=review_dataset))
    submit(reviewer, RecordFactory(dataset=review_dataset))  # their own: not theirs to review
    html = login(reviewer).get("/").content.decode()
    assert f'href="{urls.queue(review_dataset)}">Review (2 to do)' in html


def test_home_shows_no_review_link_to_annotators_or_where_review_is_off(login, annotator, reviewer, review_dataset, workspace):
    off = DatasetFactory(workspace=workspace, name="unreviewed")
    assert "to do)" not in login(annotator).get("/").content.decode()
    html = login(reviewer).get("/").content.decode()
    assert "Review (0 to do)" in html and f"/datasets/{off.pk}/review/" not in html


def test_dashboard_shows_the_review_section(login, admin, reviewer, review_dataset, make_labelers):
    (labeler,) = make_labelers(1)
    now = timezone.now()
    decide(submitted_answer(review_dataset, labeler, at=now), kind="accept", reviewer=reviewer, at=now + timedelta(seconds=40))
    rejected = submitted_answer(review_dataset, labeler, at=now)
    decide(rejected, kind="reject", reviewer=reviewer, at=now + timedelta(seconds=80), comment="Cite <b>a source</b>.")
    submitted_answer(review_dataset, labeler, at=now)
    html = login(admin).get(f"/datasets/{review_dataset.pk}/dashboard/").content.decode()
    assert '<strong id="to-review">1</strong> answer to review' in html
    assert "median review time 60.0 s" in html
    assert "<td>50%</td>" in html, "lab0: one accepted of two decisions"
    assert "Cite &lt;b&gt;a source&lt;/b&gt;." in html
    assert f'/datasets/{review_dataset.pk}/review/records/{rejected.record_id}/' in html
    assert " style=" not in html


def test_dashboard_before_any_review(login, admin, dataset):
    html = login(admin).get(f"/datasets/{dataset.pk}/dashboard/").content.decode()
    assert "Review: Off" in html and "No answer has been sent to review yet." in html
