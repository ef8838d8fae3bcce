"""The export report's agreement and the dashboard's are one formula (`labeling.agreement`) fed two ways:
the report from the answers it streams, the dashboard from sums the database aggregates. Same answers,
same figures."""

import pytest

from labeling.selectors.agreement import dataset_agreement

ANSWERS = {  # record -> one (quality, topic) per labeler; None: not answered
    "p0": [(2, "a"), (5, "a"), (4, "b")],
    "p1": [(4, "b"), (4, "b")],
    "p2": [(1, "c"), (3, "a"), None],
    "p3": [(5, None), (5, "c")],
    "p4": [(3, "a")],
}


def test_the_export_report_and_the_dashboard_give_the_same_alpha(rich_dataset, labelers, add_records, answer,
                                                                  run_export, job_file):
    records = add_records(rich_dataset, list(ANSWERS))
    for record, answers in zip(records, ANSWERS.values(), strict=True):
        for user, given in zip(labelers, answers, strict=False):
            if given is None:
                continue
            quality, topic = given
            values = {"demonstration": f"by {user.username}", "quality": quality}
            if topic is not None:
                values["topic"] = topic
            answer(user, record, **values)
    answer(labelers[2], records[4], status="draft", demonstration="later", quality=1, topic="b")  # drafts never count

    report = job_file.json(run_export([rich_dataset], "sft-prompt-completion", prompt_field="prompt",
                                 demonstration_question="demonstration"))["agreement"]
    dashboard = {row["question"]: row for row in dataset_agreement(dataset=rich_dataset)}

    for question, level in (("quality", "interval"), ("topic", "nominal")):
        assert report[question]["level"] == level
        assert report[question]["records"] == dashboard[question]["records"] == 4 - (question == "topic")
        assert report[question]["krippendorff_alpha"] == pytest.approx(dashboard[question]["alpha"], rel=1e-12)
        assert dashboard[question]["alpha"] is not None
