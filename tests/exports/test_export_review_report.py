"""report.json's review section (the review issue, point 5): the review_status applied, and per labeler the
answers' versions accepted, rejected and fixed, with the acceptance rate, over the exported datasets."""

from exports.pipeline.report import review_summary
from tests.factories import DatasetFactory, RecordFactory, ResponseFactory


def test_decisions_per_labeler_over_the_exported_datasets(workspace, dataset, labelers, reviewer, history, run_export,
                                                          job_file):
    ann1, ann2, ann3 = labelers
    dataset.review = "sampled"
    dataset.review_sample_percent = 50
    dataset.save(update_fields=["review", "review_sample_percent"])
    copy = DatasetFactory(workspace=workspace, name="copy")  # review off now; its decisions still count
    elsewhere = DatasetFactory(workspace=workspace, name="not exported", review="all")

    def answered(target, user):
        response = ResponseFactory(record=RecordFactory(dataset=target), user=user, review_status=None)
        history.submit(response)
        return response

    history.accept(answered(dataset, ann1), reviewer)
    history.accept(answered(dataset, ann1), reviewer)
    rejected = answered(dataset, ann1)
    history.reject(rejected, reviewer, "No.")
    history.submit(rejected, demonstration="Better.")
    history.accept(rejected, reviewer)
    history.fix(answered(copy, ann2), reviewer, demonstration="Fixed.")
    history.reject(answered(copy, ann2), reviewer, "No.")
    answered(dataset, ann3)  # pending: no decision yet
    history.reject(answered(elsewhere, ann3), reviewer, "Not exported.")

    job = run_export([dataset, copy], "sft-messages", group_by="record")
    review = job_file.json(job)["review"]
    assert review == {
        "review_status": "not_rejected",
        "decisions": {"accepted": 3, "rejected": 2, "fixed": 1, "acceptance_rate": 0.5},
        "labelers": {
            "ann1": {"accepted": 3, "rejected": 1, "fixed": 0, "acceptance_rate": 0.75},
            "ann2": {"accepted": 0, "rejected": 1, "fixed": 1, "acceptance_rate": 0.0},
        },
    }
    assert {d["name"]: d["review"] for d in job_file.json(job)["datasets"]} == {"acme/demo": "sampled", "acme/copy": "off"}
    assert job_file.json(job)["options"]["review_status"] == "not_rejected"


def test_without_review_the_section_is_empty(dataset, labelers, run_export, job_file):
    ResponseFactory(record=RecordFactory(dataset=dataset), user=labelers[0])
    job = run_export([dataset], "sft-messages")
    assert job_file.json(job)["review"] == {
        "review_status": "any",
        "decisions": {"accepted": 0, "rejected": 0, "fixed": 0, "acceptance_rate": None},
        "labelers": {},
    }


def test_summary_is_plain_arithmetic():
    summary = review_summary("accepted_only", {"b": {"accept": 1, "fix": 2}, "a": {"reject": 1}})
    assert list(summary["labelers"]) == ["a", "b"]
    assert summary["labelers"]["b"] == {"accepted": 1, "rejected": 0, "fixed": 2, "acceptance_rate": 0.3333}
    assert summary["decisions"] == {"accepted": 1, "rejected": 1, "fixed": 2, "acceptance_rate": 0.25}
