"""report.json counts the skips of the exported datasets per labeler and reason (issue #19)."""

import pytest

from ..factories import RecordFactory, SkipFactory

pytestmark = pytest.mark.django_db


def test_the_export_report_counts_skips_per_labeler_and_reason(dataset, other_dataset, labelers, add_records, answer,
                                                              run_export, job_file):
    first, second, _ = labelers
    records = add_records(dataset, ["p0", "p1", "p2"])
    answer(second, records[0], demonstration="d")
    SkipFactory(record=records[0], user=first, reason="broken")
    SkipFactory(record=records[1], user=first, reason="not_my_field")
    SkipFactory(record=records[2], user=second, reason="later")
    SkipFactory(record=RecordFactory(dataset=other_dataset), user=first, reason="broken")

    report = job_file.json(run_export([dataset], "sft-messages"))

    assert report["skips"] == {
        "total": 3,
        "by_reason": {"later": 1, "not_my_field": 1, "broken": 1},
        "by_labeler": {"ann1": {"later": 0, "not_my_field": 1, "broken": 1},
                       "ann2": {"later": 1, "not_my_field": 0, "broken": 0}},
    }


def test_a_report_without_skips_says_so(dataset, labelers, add_records, answer, run_export, job_file):
    (record,) = add_records(dataset, ["p"])
    answer(labelers[0], record, demonstration="d")
    report = job_file.json(run_export([dataset], "sft-messages"))
    assert report["skips"] == {"total": 0, "by_reason": {"later": 0, "not_my_field": 0, "broken": 0}, "by_labeler": {}}
