"""The review_status export option and the latest accepted version (the review issue, point 5): which answers
the review lets through, and that a reviewed answer is exported as its latest accept or fix entry's values
in every way an export reads (one dataset, groups by prompt, a consolidation by external_id)."""

import pytest
from django.utils.html import escape

from tests.factories import DatasetFactory, RecordFactory, ResponseFactory


@pytest.fixture
def reviewed(workspace, dataset, labelers, reviewer, history):
    """Two datasets of one schema, `dataset` with review on, the other with review off since (its decisions stay).

    demo: e0: ann1 accepted twice ("r0 ann1 second", quality 4), ann2 fixed by the reviewer; e1: ann1 accepted,
    then edited (pending again), ann2 rejected (a draft); e2: ann1 pending, ann2 never sent to review.
    copy: e0: ann3 accepted, then edited; e1: ann3 fixed."""
    ann1, ann2, ann3 = labelers
    dataset.review = "all"
    dataset.save(update_fields=["review"])
    copy = DatasetFactory(workspace=workspace, name="copy")

    def answer(record, user, text, **values):
        return ResponseFactory(record=record, user=user, values={"demonstration": text, **values}, review_status=None)

    r0, r1, r2 = (RecordFactory(dataset=dataset, external_id=f"e{i}", fields={"prompt": f"p{i}"}) for i in range(3))
    c0, c1 = (RecordFactory(dataset=copy, external_id=f"e{i}", fields={"prompt": f"p{i}"}) for i in range(2))

    first = answer(r0, ann1, "r0 ann1 first", quality=2)
    history.submit(first), history.accept(first, reviewer)
    history.submit(first, demonstration="r0 ann1 second", quality=4), history.accept(first, reviewer)
    fixed = answer(r0, ann2, "r0 ann2 as written", quality=1)
    history.submit(fixed), history.fix(fixed, reviewer, demonstration="r0 fixed by rev")

    edited = answer(r1, ann1, "r1 ann1 accepted", quality=5)
    history.submit(edited), history.accept(edited, reviewer)
    history.submit(edited, demonstration="r1 ann1 edited since", quality=1)
    rejected = answer(r1, ann2, "r1 ann2 rejected")
    history.submit(rejected), history.reject(rejected, reviewer, "Too short.")

    history.submit(answer(r2, ann1, "r2 ann1 waiting"))
    history.submit(answer(r2, ann2, "r2 ann2 not sampled"), review=None)

    copied = answer(c0, ann3, "copy e0 first")
    history.submit(copied), history.accept(copied, reviewer)
    history.submit(copied, demonstration="copy e0 edited since")
    copy_fixed = answer(c1, ann3, "copy e1 as written")
    history.submit(copy_fixed), history.fix(copy_fixed, reviewer, demonstration="copy e1 fixed")
    return dataset, copy


ONE_DATASET = {
    "accepted_only": ["r0 ann1 second", "r0 fixed by rev"],
    "not_rejected": ["r0 ann1 second", "r0 fixed by rev", "r1 ann1 accepted", "r2 ann1 waiting", "r2 ann2 not sampled"],
}
BOTH_DATASETS = {
    "accepted_only": ["r0 ann1 second", "r0 fixed by rev", "copy e1 fixed"],
    "not_rejected": ["r0 ann1 second", "r0 fixed by rev", "copy e0 first", "r1 ann1 accepted", "copy e1 fixed",
                     "r2 ann1 waiting", "r2 ann2 not sampled"],
}
LAYOUTS = [(1, "record", ONE_DATASET), (1, "prompt", ONE_DATASET), (2, "external_id", BOTH_DATASETS),
           (2, "prompt", BOTH_DATASETS)]


@pytest.mark.parametrize("review_status", ["accepted_only", "not_rejected"])
@pytest.mark.parametrize("datasets, group_by, expected", LAYOUTS)
def test_exports_hold_the_answers_the_review_lets_through_in_their_latest_accepted_version(
    settings, reviewed, run_export, job_file, review_status, datasets, group_by, expected,
):
    settings.EXPORT_CHUNK_SIZE = 2  # several chunks, and several batches of a consolidation's answers
    job = run_export(reviewed[:datasets], "sft-prompt-completion", review_status=review_status, group_by=group_by)
    assert job.status == "succeeded", job.error
    assert [row["completion"] for row in job_file.lines(job)] == expected[review_status]


def test_a_fixed_answer_stays_its_labelers_with_the_accepted_versions_other_answers(reviewed, run_export, job_file):
    job = run_export(reviewed[:1], "csv", review_status="accepted_only")
    with open(job_file.path(job), newline="") as handle:
        import csv

        rows = [(row["completion"], row["annotator"], row["quality"]) for row in csv.DictReader(handle)]
    assert rows == [("r0 ann1 second", "ann1", "4.0"), ("r0 fixed by rev", "ann2", "1.0")]


def test_the_edit_after_an_acceptance_is_not_exported_until_it_is_accepted(reviewed, reviewer, run_export, job_file,
                                                                            history):
    from labeling.models import Response

    edited = Response.objects.get(values__demonstration="r1 ann1 edited since")
    job = run_export(reviewed[:1], "sft-prompt-completion", review_status="not_rejected", text_strategy="first")
    assert [row["completion"] for row in job_file.lines(job)] == ["r0 ann1 second", "r1 ann1 accepted", "r2 ann1 waiting"]
    history.accept(edited, reviewer)
    job = run_export(reviewed[:1], "sft-prompt-completion", review_status="accepted_only")
    assert [row["completion"] for row in job_file.lines(job)] == ["r0 ann1 second", "r0 fixed by rev",
                                                                  "r1 ann1 edited since"]


def test_any_keeps_rejected_answers_when_drafts_are_asked_for(reviewed, run_export, job_file):
    lines = {}
    for review_status in ("any", "not_rejected"):
        job = run_export(reviewed[:1], "sft-prompt-completion", review_status=review_status,
                         response_status=["submitted", "draft"])
        lines[review_status] = [row["completion"] for row in job_file.lines(job)]
    assert lines["not_rejected"] == ONE_DATASET["not_rejected"]
    assert lines["any"] == [*ONE_DATASET["not_rejected"][:3], "r1 ann2 rejected", *ONE_DATASET["not_rejected"][3:]]


def test_the_export_page_offers_the_option_and_its_preview_applies_it(login, admin, reviewed):
    form = {"datasets": [str(reviewed[0].pk)], "format": "sft-prompt-completion", "response_status": ["submitted"],
            "text_strategy": "all", "rating_aggregate": "mean", "review_status": "accepted_only", "preview": "1"}
    client = login(admin)
    page = client.get("/exports/").content.decode()
    assert '<option value="accepted_only">Accepted answers only</option>' in page
    response = client.post("/exports/", form)
    page = response.content.decode()
    assert response.status_code == 200 and "<span data-preview-count>2</span> rows" in page
    assert escape('"completion": "r0 fixed by rev"') in page and "r2 ann1 waiting" not in page
    response = client.post("/exports/", {**form, "review_status": "accepted"})
    assert response.status_code == 400 and "not one of the available choices" in response.context["form"].errors[
        "review_status"][0]


def test_by_default_rejected_answers_are_left_out_only_when_a_dataset_reviews(reviewed, run_export, job_file):
    dataset = reviewed[0]
    job = run_export([dataset], "sft-prompt-completion", response_status=["submitted", "draft"])
    assert job.options["review_status"] == "not_rejected"
    assert [row["completion"] for row in job_file.lines(job)] == ONE_DATASET["not_rejected"]
    dataset.review = "off"
    dataset.save(update_fields=["review"])
    job = run_export([dataset], "sft-prompt-completion", response_status=["submitted", "draft"])
    assert job.options["review_status"] == "any"
    # Review is off now, but the answers reviewed before are still exported as their latest accepted version.
    assert [row["completion"] for row in job_file.lines(job)] == [
        *ONE_DATASET["not_rejected"][:3], "r1 ann2 rejected", *ONE_DATASET["not_rejected"][3:]
    ]
