"""The review figures of the dataset dashboard: acceptance per labeler, review times, rejections."""

from datetime import timedelta

from django.utils import timezone

from labeling.selectors.review_stats import review_figures

from ..factories import UserFactory
from .conftest import decide, submitted_answer


def test_acceptance_rates_review_times_and_latest_rejections_first(review_dataset, reviewer, admin, make_labelers):
    alice, bob = make_labelers(2)
    t0 = timezone.now() - timedelta(hours=1)
    decide(submitted_answer(review_dataset, alice, at=t0), kind="accept", reviewer=reviewer, at=t0 + timedelta(seconds=60))
    rejected = submitted_answer(review_dataset, alice, at=t0)
    decide(rejected, kind="reject", reviewer=reviewer, at=t0 + timedelta(seconds=120), comment="Too short.")
    decide(submitted_answer(review_dataset, bob, at=t0), kind="fix", reviewer=admin, at=t0 + timedelta(seconds=30),
           values={"demonstration": "Fixed."})
    submitted_answer(review_dataset, bob, at=t0)
    later = submitted_answer(review_dataset, bob, at=t0)
    decide(later, kind="reject", reviewer=admin, at=t0 + timedelta(seconds=300), comment="Off topic.")

    figures = review_figures(dataset=review_dataset)

    assert figures["to_review"] == 1
    rows = {row["username"]: row for row in figures["labelers"]}
    assert [row["username"] for row in figures["labelers"]] == ["lab0", "lab1"]
    assert (rows["lab0"]["accepted"], rows["lab0"]["rejected"], rows["lab0"]["acceptance_rate"]) == (1, 1, 0.5)
    assert (rows["lab1"]["fixed"], rows["lab1"]["rejected"], rows["lab1"]["waiting"]) == (1, 1, 1)
    assert rows["lab1"]["acceptance_rate"] == 0.5
    assert figures["median_review_seconds"] == 90.0  # of 30, 60, 120 and 300 seconds
    reviewers = {row["username"]: row for row in figures["reviewers"]}
    assert reviewers["rev"] == {"username": "rev", "decisions": 2, "median_review_seconds": 90.0}
    assert reviewers["wsadmin"] == {"username": "wsadmin", "decisions": 2, "median_review_seconds": 165.0}
    assert [(r["labeler"], r["comment"]) for r in figures["rejections"]] == [("lab1", "Off topic."), ("lab0", "Too short.")]
    assert figures["rejections"][0]["reviewed_number"] == 1


def test_no_decision_yet_gives_no_rate_and_no_median(review_dataset, make_labelers):
    (alice,) = make_labelers(1)
    submitted_answer(review_dataset, alice)
    figures = review_figures(dataset=review_dataset)
    assert figures["to_review"] == 1
    assert figures["labelers"][0]["acceptance_rate"] is None
    assert figures["median_review_seconds"] is None and figures["reviewers"] == [] and figures["rejections"] == []


def test_rejections_are_bounded_and_other_datasets_do_not_count(review_dataset, other_dataset, reviewer, make_labelers):
    (alice,) = make_labelers(1)
    now = timezone.now()
    for i in range(4):
        decide(submitted_answer(review_dataset, alice, at=now), kind="reject", reviewer=reviewer,
               at=now + timedelta(seconds=i + 1), comment=f"comment {i}")
    stranger = UserFactory(username="stranger")
    decide(submitted_answer(other_dataset, stranger, at=now), kind="accept", reviewer=reviewer, at=now)
    figures = review_figures(dataset=review_dataset, recent=2)
    assert [r["comment"] for r in figures["rejections"]] == ["comment 3", "comment 2"]
    assert [row["username"] for row in figures["labelers"]] == ["lab0"]
