"""Export filters, reconciliation choices, consolidation across datasets, and the report (DESIGN §4, §5)."""

import pytest

from config.errors import InvalidInput, NotFound, PermissionDenied
from exports.errors import IncompatibleDatasets
from exports.services import export_jobs
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services.datasets import dataset_update
from tests.factories import DatasetFactory


@pytest.fixture
def three_records(dataset, labelers, add_records, answer):
    """r0: two answers (ratings 2 and 5); r1: one answer (rating 4); r2: nobody submitted (a draft)."""
    r0, r1, r2 = add_records(dataset, [
        {"fields": {"prompt": "p0"}, "metadata": {"topic": "math"}},
        {"fields": {"prompt": "p1"}, "metadata": {"topic": "art"}},
        {"fields": {"prompt": "p2"}, "metadata": {"topic": "math"}},
    ])
    ann1, ann2, _ = labelers
    answer(ann1, r0, demonstration="short", quality=2)
    answer(ann2, r0, demonstration="a much longer answer", quality=5)
    answer(ann1, r1, demonstration="only answer", quality=4)
    answer(ann2, r2, demonstration="unfinished", status="draft")
    return r0, r1, r2


def completions(job_file, job):
    return [row["completion"] for row in job_file.lines(job)]


@pytest.mark.parametrize("strategy, expected", [
    ("all", ["short", "a much longer answer", "only answer"]),
    ("first", ["short", "only answer"]),
    ("latest", ["a much longer answer", "only answer"]),
    ("longest", ["a much longer answer", "only answer"]),
    ("best_rated", ["a much longer answer", "only answer"]),
])
def test_text_strategies(dataset, three_records, run_export, job_file, strategy, expected):
    options = {"text_strategy": strategy}
    if strategy == "best_rated":
        options["rating_question"] = "quality"
    job = run_export([dataset], "sft-prompt-completion", **options)
    assert completions(job_file, job) == expected
    report = job_file.json(job)
    assert report["dropped"] == {"no_response": 1}  # r2 has only a draft
    assert report["reconciliation"]["records_with_several_answers_reconciled"] == (0 if strategy == "all" else 1)


def test_random_strategy_is_seeded(dataset, three_records, run_export, job_file):
    picks = {tuple(completions(job_file, run_export([dataset], "sft-prompt-completion", text_strategy="random", seed=s)))
             for s in (1, 1, 1)}
    assert len(picks) == 1 and len(next(iter(picks))) == 2


def test_status_filter_includes_drafts_when_asked(dataset, three_records, run_export, job_file):
    job = run_export([dataset], "sft-prompt-completion", response_status=["draft"])
    assert completions(job_file, job) == ["unfinished"]


def test_completed_only_and_metadata_filters(dataset, three_records, run_export, job_file):
    job = run_export([dataset], "sft-prompt-completion", completed_only=True, metadata_filter={"topic": "math"})
    assert completions(job_file, job) == ["short", "a much longer answer"]
    report = job_file.json(job)
    assert report["datasets"][0]["records"] == 3 and report["datasets"][0]["selected"] == 1
    job = run_export([dataset], "sft-prompt-completion", metadata_filter={"topic": ["art", "nope"]})
    assert completions(job_file, job) == ["only answer"]


def test_min_rating_keeps_records_whose_aggregate_reaches_it(dataset, three_records, run_export, job_file):
    job = run_export([dataset], "sft-prompt-completion", min_rating={"question": "quality", "value": 4})
    assert completions(job_file, job) == ["only answer"]  # r0's mean is 3.5
    assert job_file.json(job)["dropped"] == {"no_response": 1, "below_min_rating": 1}
    job = run_export([dataset], "sft-prompt-completion", rating_aggregate="median",
                     min_rating={"question": "quality", "value": 3.5})
    assert completions(job_file, job) == ["short", "a much longer answer", "only answer"]


def test_records_without_an_answer_to_the_text_question_are_counted(dataset, labelers, add_records, answer, run_export, job_file):
    (record,) = add_records(dataset, ["p"])
    answer(labelers[0], record, status="discarded")
    job = run_export([dataset], "sft-messages", response_status=["discarded"])
    assert job.row_count == 0 and job_file.json(job)["dropped"] == {"no_demonstration": 1}


def test_dedupe_drops_repeated_prompts(dataset, labelers, add_records, answer, run_export, job_file):
    for record in add_records(dataset, ["same", "same", "other"]):
        answer(labelers[0], record, demonstration=f"a{record.ordinal}")
    job = run_export([dataset], "sft-prompt-completion", dedupe=True)
    assert [r["prompt"] for r in job_file.lines(job)] == ["same", "other"]
    assert job_file.json(job)["dropped"] == {"duplicate_prompt": 1}


def test_label_ties_and_agreement_are_reported(rich_dataset, labelers, add_records, answer, run_export, job_file):
    r0, r1 = add_records(rich_dataset, ["p0", "p1"])
    ann1, ann2, ann3 = labelers
    answer(ann1, r0, demonstration="x", topic="a", quality=5)
    answer(ann2, r0, demonstration="y", topic="b", quality=5)
    answer(ann1, r1, demonstration="z", topic="a", quality=1)
    answer(ann2, r1, demonstration="w", topic="a", quality=2)
    answer(ann3, r1, demonstration="v", topic="a", quality=1)
    job = run_export([rich_dataset], "parquet", prompt_field="prompt", demonstration_question="demonstration")
    report = job_file.json(job)
    ties = report["reconciliation"]["ties"]["topic"]
    assert ties["count"] == 1 and ties["groups"] == [{"group": str(r0.pk), "tied": ["a", "b"]}]
    agreement = report["agreement"]
    assert agreement["topic"]["level"] == "nominal" and agreement["topic"]["records"] == 2
    assert agreement["quality"]["level"] == "interval" and agreement["quality"]["krippendorff_alpha"] > 0.5


def test_consolidates_datasets_of_several_workspaces(owner, dataset, other_dataset, labelers, add_records, answer,
                                                    run_export, job_file):
    (mine,) = add_records(dataset, ["mine"])
    answer(labelers[0], mine, demonstration="m")
    from labeling.services.records import records_upsert
    from labeling.services.responses import response_write

    access = dataset_access_for(user=owner, dataset=other_dataset)
    (theirs,) = records_upsert(access=access, items=[{"fields": {"prompt": "theirs"}}]).records
    response_write(
        access=record_access_for(user=owner, record=theirs), values={"demonstration": "t"}, status="submitted"
    )
    job = run_export([dataset, other_dataset], "sft-prompt-completion", actor=owner)
    assert [r["prompt"] for r in job_file.lines(job)] == ["mine", "theirs"]
    assert [d["name"] for d in job_file.json(job)["datasets"]] == ["acme/demo", "other/theirs"]


def test_incompatible_datasets_are_refused(owner, dataset, workspace):
    odd = DatasetFactory(workspace=workspace, name="odd", schema=False)
    from tests.factories import FieldFactory, QuestionFactory

    FieldFactory(dataset=odd, name="question")
    QuestionFactory(dataset=odd, name="demonstration")
    with pytest.raises(IncompatibleDatasets, match="'acme/odd' has no field 'prompt'"):
        export_jobs.export_job_create(actor=owner, dataset_ids=[dataset.pk, odd.pk], format="sft-messages")


def test_access_is_checked_for_every_dataset(admin, annotator, dataset, other_dataset):
    with pytest.raises(NotFound):
        export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk, other_dataset.pk], format="csv")
    with pytest.raises(PermissionDenied):
        export_jobs.export_job_create(actor=annotator, dataset_ids=[dataset.pk], format="csv")


@pytest.mark.parametrize("options, message", [
    ({"colour": "red"}, "Unknown export option"),
    ({"text_strategy": "loudest"}, "'text_strategy' is one of"),
    ({"text_strategy": "best_rated"}, "needs 'rating_question'"),
    ({"test_size": 1.5}, "'test_size' is a fraction"),
    ({"min_rating": {"question": "quality"}}, "'min_rating' is"),
    ({"min_rating": {"question": "demonstration", "value": 3}}, "no rating question 'demonstration'"),
    ({"prompt_field": "nope"}, "has no field 'nope'"),
])
def test_bad_options_are_refused_with_a_message(admin, dataset, options, message):
    with pytest.raises(InvalidInput, match=message):
        export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="csv", options=options)


def test_access_lost_before_the_job_runs_fails_it(admin, dataset, three_records, workspace):
    from accounts.models import Membership
    from exports.tasks import export_job_run_task

    job = export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="csv", enqueue=False)
    Membership.objects.filter(user=admin, workspace=workspace).update(role="annotator")
    export_job_run_task.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "can no longer read" in job.error and job.files == {}


def test_exports_follow_the_dataset_min_submitted(admin, dataset, three_records, run_export, job_file):
    dataset_update(access=dataset_access_for(user=admin, dataset=dataset), min_submitted=2)
    job = run_export([dataset], "sft-prompt-completion", completed_only=True)
    assert completions(job_file, job) == ["short", "a much longer answer"]
