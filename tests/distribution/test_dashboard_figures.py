"""The dashboard's figures computed in the database: medians, submissions per day, agreement."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.reconcile import Alpha
from labeling.selectors.agreement import dataset_agreement
from labeling.selectors.progress import dataset_progress, dataset_submissions_per_day

from ..factories import QuestionFactory, RecordFactory, ResponseFactory
from .conftest import rolled_back

LABELS = ["yes", "no", "maybe"]


def add_label_question(dataset):
    return QuestionFactory(
        dataset=dataset, name="verdict", type="label_selection", required=False, position=2,
        settings={"type": "label_selection", "options": [{"value": v, "text": v} for v in LABELS]},
    )


def test_median_seconds_per_submission_and_last_activity(dataset, make_annotators):
    [fast, slow] = make_annotators(2)
    now = timezone.now()
    for user, durations in ((fast, [10, 30, 20, 40]), (slow, [100, 300, 200])):
        for seconds in durations:
            ResponseFactory(record=RecordFactory(dataset=dataset), user=user, status="submitted",
                            started_at=now - timedelta(seconds=seconds), submitted_at=now)
    ResponseFactory(record=RecordFactory(dataset=dataset), user=slow, status="draft", started_at=now)
    rows = {row["username"]: row for row in dataset_progress(dataset=dataset)["annotators"]}
    assert rows["lab0"]["median_seconds_per_submission"] == 25.0
    assert rows["lab1"]["median_seconds_per_submission"] == 200.0
    assert rows["lab1"]["last_activity_at"] is not None


def test_submissions_per_day_fills_empty_days(dataset, annotator):
    now = timezone.now()
    for days_ago in (0, 0, 2, 40):
        ResponseFactory(record=RecordFactory(dataset=dataset), user=annotator, submitted_at=now - timedelta(days=days_ago))
    series = dataset_submissions_per_day(dataset=dataset, days=5)
    assert [point["submitted"] for point in series] == [0, 0, 1, 0, 2]
    assert series[-1]["day"] == now.date()


answers = st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=1, max_size=4), max_size=12)


@pytest.fixture
def voters(dataset, make_annotators):
    add_label_question(dataset)
    return make_annotators(4)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ratings=answers, labels=st.lists(st.lists(st.sampled_from(LABELS), min_size=1, max_size=4), max_size=12))
def test_alpha_from_database_sums_matches_the_export_report(dataset, voters, ratings, labels):
    users = voters
    with rolled_back():
        rated, labelled = Alpha("interval"), Alpha("nominal")
        for values in ratings:
            record = RecordFactory(dataset=dataset)
            for user, value in zip(users, values):
                ResponseFactory(record=record, user=user, values={"demonstration": "x", "quality": value}
                                if value is not None else {"demonstration": "x"})
            rated.add_unit(values)
        for values in labels:
            record = RecordFactory(dataset=dataset)
            for user, value in zip(users, values):
                ResponseFactory(record=record, user=user, values={"demonstration": "", "verdict": value})
            labelled.add_unit(values)
        # A draft never counts.
        ResponseFactory(record=RecordFactory(dataset=dataset), user=users[0], status="draft", values={"quality": 1})
        figures = {row["question"]: row for row in dataset_agreement(dataset=dataset)}
        for name, expected in (("quality", rated), ("verdict", labelled)):
            assert figures[name]["records"] == expected.units
            if expected.value() is None:
                assert figures[name]["alpha"] is None
            else:
                assert abs(figures[name]["alpha"] - expected.value()) < 1e-9
        several = sum(1 for values in ratings if len(values) >= 2)
        assert figures["demonstration"]["records_with_several"] == several
