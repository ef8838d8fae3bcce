"""Consolidating answers across datasets (DESIGN §5, issue 16): groups, splits by group, per-answer columns."""

import json
import os
import statistics
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.models import ExportJob
from labeling.models import Response

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
hf_datasets = pytest.importorskip("datasets")

N = 10
BASE = {"prompt_field": "prompt", "demonstration_question": "demonstration"}


@pytest.fixture
def twins(make_rich_dataset, labelers, add_records, answer):
    """Two datasets with the same N prompts (same external ids), two answers to each in each dataset.

    Returns the datasets and, per prompt, its four answers in the order they were written (time order)
    as (user, demonstration, quality). Lengths differ within a prompt, and the longest moves between datasets.
    """
    first, second = make_rich_dataset("team-a"), make_rich_dataset("team-b")
    items = [{"fields": {"prompt": f"Prompt {i}"}, "external_id": f"p{i}", "metadata": {"lang": "en" if i % 2 else "fr"}}
             for i in range(N)]
    records_a, records_b = add_records(first, items), add_records(second, items)
    ann1, ann2, ann3 = labelers
    written = []
    for i in range(N):
        group = []
        for k, (user, record) in enumerate([(ann1, records_a[i]), (ann2, records_a[i]), (ann3, records_b[i]),
                                            (ann2, records_b[i])]):
            text = f"{user.username}-{i}-" + "x" * ((i + k) % 4)
            quality = 1 + (i * 3 + k * 2) % 5
            answer(user, record, demonstration=text, quality=quality, topic="ab"[(i + k) % 2])
            group.append((user.username, text, quality))
        written.append(group)
    return first, second, written


def earliest_best(group, score):
    best = max(score(a) for a in group)
    return next(a for a in group if score(a) == best)


def test_longest_gives_one_row_per_prompt_with_the_longest_of_the_four(twins, run_export, job_file):
    first, second, written = twins
    job = run_export([first, second], "sft-prompt-completion", text_strategy="longest", **BASE)
    assert job.status == "succeeded", job.error
    rows = job_file.lines(job)
    assert [r["prompt"] for r in rows] == [f"Prompt {i}" for i in range(N)]
    assert [r["completion"] for r in rows] == [earliest_best(g, lambda a: len(a[1]))[1] for g in written]
    report = job_file.json(job)
    assert report["group_by"] == "external_id" and report["groups"] == N
    assert report["reconciliation"]["records_with_several_answers_reconciled"] == N
    assert report["agreement"]["quality"]["records"] == N and report["agreement"]["topic"]["records"] == N
    decision = report["reconciliation"]["decisions"]["groups"][0]
    longest = earliest_best(written[0], lambda a: len(a[1]))
    assert decision == {"group": "p0", "answers": 4, "chosen": [longest[0]], "tie": False,
                        "why": f"the longest text ({len(longest[1])} characters)"}


def test_best_rated_and_min_rating_use_all_four_ratings(twins, run_export, job_file):
    first, second, written = twins
    job = run_export([first, second], "sft-prompt-completion", text_strategy="best_rated", rating_question="quality",
                     **BASE)
    assert [r["completion"] for r in job_file.lines(job)] == [earliest_best(g, lambda a: a[2])[1] for g in written]
    job = run_export([first, second], "sft-prompt-completion", text_strategy="first",
                     min_rating={"question": "quality", "value": 3}, **BASE)
    kept = [g[0][1] for g in written if statistics.fmean(a[2] for a in g) >= 3]
    assert [r["completion"] for r in job_file.lines(job)] == kept and 0 < len(kept) < N
    assert job_file.json(job)["dropped"] == {"below_min_rating": N - len(kept)}


def test_dedupe_keeps_the_strategys_pick(twins, run_export, job_file):
    first, second, written = twins
    job = run_export([second, first], "sft-prompt-completion", text_strategy="longest", dedupe=True, **BASE)
    assert [r["completion"] for r in job_file.lines(job)] == [earliest_best(g, lambda a: len(a[1]))[1] for g in written]


@pytest.fixture
def reordered(make_rich_dataset, labelers, add_records, answer):
    """Three datasets sharing prompts, the later ones in other orders; returns them and each prompt's answers."""
    layouts = {"a": ["p0", "p1", "p2"], "b": ["p2", "q", "p0", "p1"], "c": ["r", "p1", "q"]}
    answers: dict[str, list[str]] = {}
    datasets = []
    for n, (name, ids) in enumerate(layouts.items()):
        dataset = make_rich_dataset(name)
        records = add_records(dataset, [{"fields": {"prompt": f"Prompt {e}"}, "external_id": e} for e in ids])
        for k, (external_id, record) in enumerate(zip(ids, records)):
            text = f"{name}-{external_id}-" + "x" * ((n * 5 + k * 3) % 7)
            answer(labelers[k % 3], record, demonstration=text, quality=1 + (n + k) % 5)
            answers.setdefault(external_id, []).append(text)
        datasets.append(dataset)
    return datasets, answers


def test_groups_come_in_order_of_first_appearance_whatever_each_datasets_order(reordered, run_export, job_file):
    """Rows follow the first dataset's order, then groups only later datasets have, even when a later
    dataset holds the same prompts in another order."""
    datasets, answers = reordered
    job = run_export(datasets, "sft-prompt-completion", text_strategy="longest", **BASE)
    rows = job_file.lines(job)
    assert [r["prompt"] for r in rows] == [f"Prompt {e}" for e in ("p0", "p1", "p2", "q", "r")]
    assert [r["completion"] for r in rows] == [max(answers[e], key=len) for e in ("p0", "p1", "p2", "q", "r")]
    assert job_file.json(job)["groups"] == 5


def test_consolidated_files_do_not_depend_on_the_chunk_size(settings, reordered, run_export, job_file):
    datasets, _ = reordered
    outputs = []
    for size in (1, 2, 1000):
        settings.EXPORT_CHUNK_SIZE = size
        job = run_export(datasets, "csv", text_strategy="best_rated", rating_question="quality", test_size=0.4, **BASE)
        assert job.status == "succeeded", job.error
        report = job_file.json(job)
        report.pop("generated_at"), report.pop("job")
        outputs.append((Path(job_file.path(job)).read_bytes(), report))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][1]["records_read"] == 10


def test_first_and_latest_follow_time_across_datasets(make_rich_dataset, labelers, add_records, answer, run_export,
                                                     job_file):
    first, second = make_rich_dataset("a"), make_rich_dataset("b")
    (in_first,) = add_records(first, [{"fields": {"prompt": "P"}, "external_id": "x"}])
    (in_second,) = add_records(second, [{"fields": {"prompt": "P"}, "external_id": "x"}])
    answer(labelers[0], in_second, demonstration="written first, in b")
    answer(labelers[1], in_first, demonstration="written second, in a")
    for strategy, expected in (("first", "written first, in b"), ("latest", "written second, in a")):
        job = run_export([first, second], "sft-prompt-completion", text_strategy=strategy, **BASE)
        assert [r["completion"] for r in job_file.lines(job)] == [expected]


def test_a_record_added_while_the_export_reads_never_splits_a_group(make_rich_dataset, labelers, add_records, answer,
                                                                     run_export, job_file, monkeypatch):
    from exports.pipeline import grouping
    from labeling.models import Record

    first, second = make_rich_dataset("a"), make_rich_dataset("b")
    for dataset in (first, second):
        for record in add_records(dataset, [{"fields": {"prompt": f"Prompt {e}"}, "external_id": e} for e in ("p0", "p1")]):
            answer(labelers[0], record, demonstration=f"{dataset.name}-{record.external_id}")
    read_positions = grouping.first_positions

    def then_p0_is_added_again(selections, **kwargs):
        positions = read_positions(selections, **kwargs)
        Record.objects.filter(dataset=second, external_id="p0").delete()
        (again,) = add_records(second, [{"fields": {"prompt": "Prompt p0"}, "external_id": "p0"}])  # ordinal last
        answer(labelers[1], again, demonstration="b-p0 added while reading")
        return positions

    monkeypatch.setattr(grouping, "first_positions", then_p0_is_added_again)
    job = run_export([first, second], "sft-prompt-completion", text_strategy="all", **BASE)
    assert [(r["prompt"], r["completion"]) for r in job_file.lines(job)] == [
        ("Prompt p0", "a-p0"), ("Prompt p1", "a-p1"), ("Prompt p1", "b-p1")]


def test_group_by_record_keeps_one_group_per_record(twins, run_export, job_file):
    first, second, _ = twins
    job = run_export([first, second], "sft-prompt-completion", text_strategy="longest", group_by="record", **BASE)
    assert job.row_count == 2 * N
    assert job_file.json(job)["agreement"]["quality"]["records"] == 2 * N


def test_group_by_prompt_normalises_whitespace_and_unicode(make_rich_dataset, labelers, add_records, answer,
                                                          run_export, job_file):
    first, second = make_rich_dataset("a"), make_rich_dataset("b")
    (one,) = add_records(first, ["Explain  the ﬁle\tsystem "])  # a ligature, double and trailing spaces
    (two,) = add_records(second, ["Explain the file system"])
    answer(labelers[0], one, demonstration="short")
    answer(labelers[1], two, demonstration="the longer one")
    job = run_export([first, second], "sft-prompt-completion", text_strategy="longest", group_by="prompt", **BASE)
    assert job_file.lines(job) == [{"prompt": "Explain the file system", "completion": "the longer one"}]
    default = run_export([first, second], "sft-prompt-completion", text_strategy="longest", **BASE)
    assert default.row_count == 2 and job_file.json(default)["group_by"] == "record"  # no external ids


def start(client, datasets, **options):
    return client.post("/api/exports/", {"datasets": [str(d.pk) for d in datasets], "format": "csv",
                                         "options": {**BASE, **options}}, format="json")


def test_incompatible_schemas_are_refused(admin, make_rich_dataset, api_client_for):
    from labeling.models import Question

    first, second = make_rich_dataset("a"), make_rich_dataset("b")
    Question.objects.filter(dataset=second, name="quality").update(type="label_selection")
    response = start(api_client_for(admin), [first, second])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "incompatible_datasets"
    assert error["message"] == ("Datasets must share one schema to be exported together: "
                                "'acme/b' has question 'quality' of type label_selection, not rating.")
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("options, message", [
    ({"group_by": "title"}, "'group_by' is one of: external_id, prompt, record."),
    ({"group_by": "external_id"}, ("1 record(s) have no external_id, so they cannot be grouped by it; "
                                   "use 'group_by': 'prompt' or 'record'.")),
    ({"stratify_by": "lang"}, "'stratify_by' keeps category shares in a split: set 'test_size' too."),
    ({"stratify_by": "colour", "test_size": 0.5}, ("'stratify_by' is the name of a metadata property of the "
                                                   "datasets (lang, level).")),
])
def test_bad_grouping_options_are_refused(admin, rich_dataset, add_records, api_client_for, options, message):
    add_records(rich_dataset, ["no external id"])
    response = start(api_client_for(admin), [rich_dataset], **options)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    assert not ExportJob.objects.exists()


def load(kind, path, cache):
    return list(hf_datasets.load_dataset(kind, data_files=str(path), split="train", cache_dir=str(cache)))


@pytest.mark.parametrize("fmt, kind", [("csv", "csv"), ("parquet", "parquet")])
def test_per_answer_columns_match_the_database(twins, run_export, job_file, tmp_path, fmt, kind):
    first, second, _ = twins
    job = run_export([first, second], fmt, **BASE)
    rows = load(kind, job_file.path(job), tmp_path)
    assert len(rows) == 4 * N
    stored = {(str(r.record_id), r.user.username): r.values
              for r in Response.objects.filter(record__dataset__in=[first, second]).select_related("user")}
    assert len(stored) == 4 * N
    for row in rows:
        values = stored[(row["record_id"], row["annotator"])]
        assert (row["completion"], row["quality"], row["topic"]) == (
            values["demonstration"], values["quality"], values["topic"])
        group = [v for (record, _), v in stored.items() if record in _same_group(row, rows)]
        assert row["quality_mean"] == statistics.fmean(v["quality"] for v in group)


def _same_group(row, rows):
    return {r["record_id"] for r in rows if r["external_id"] == row["external_id"]}


@pytest.mark.parametrize("fmt, kind, role", [
    ("sft-messages", "json", "train"), ("sft-prompt-completion", "json", "train"), ("alpaca", "json", "train"),
    ("csv", "csv", "data"), ("parquet", "parquet", "data"),
])
def test_every_format_of_a_split_consolidation_loads(twins, run_export, job_file, tmp_path, fmt, kind, role):
    first, second, _ = twins
    job = run_export([first, second], fmt, text_strategy="longest", test_size=0.3, split_seed=1, **BASE)
    assert len(load(kind, job_file.path(job, role), tmp_path)) == (N if role == "data" else N - 3)


def test_a_records_export_is_never_split(twins, run_export, job_file):
    first, second, _ = twins
    job = run_export([first, second], "records", test_size=0.3, split_seed=1, **BASE)
    assert job.status == "succeeded", job.error
    assert set(job.files) == {"data", "report"}
    rows = job_file.lines(job)
    assert len(rows) == 2 * N and sum(len(r["responses"]) for r in rows) == 4 * N
    assert job_file.json(job)["splits"] == {}


def test_stratified_split_keeps_category_shares(make_rich_dataset, labelers, add_records, answer, run_export, job_file):
    dataset = make_rich_dataset("strata")
    langs = ["en"] * 12 + ["fr"] * 6 + ["de"] * 2
    records = add_records(dataset, [{"fields": {"prompt": f"p{i}"}, "external_id": f"e{i}", "metadata": {"lang": lang}}
                                    for i, lang in enumerate(langs)])
    for record in records:
        answer(labelers[0], record, demonstration="d")
    job = run_export([dataset], "csv", test_size=0.5, stratify_by="lang", split_seed=7, **BASE)
    rows = job_file_rows(job_file, job)
    test_langs = sorted(langs[int(r["external_id"][1:])] for r in rows if r["split"] == "test")
    assert test_langs == ["de"] + ["en"] * 6 + ["fr"] * 3


def job_file_rows(job_file, job):
    import csv

    with open(job_file.path(job), newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layout=st.lists(st.tuples(st.sets(st.integers(0, 2), min_size=1), st.integers(0, 2)), min_size=1, max_size=9),
    test_size=st.floats(0.05, 0.95),
    seed=st.integers(0, 5),
    group_by=st.sampled_from(["external_id", "prompt", "record"]),
)
def test_split_property(make_rich_dataset, labelers, add_records, answer, run_export, job_file,
                        layout, test_size, seed, group_by):
    """Whatever the datasets, answers and test size: no group on both sides, exact sizes, nothing lost or added."""
    from django.db import transaction

    with transaction.atomic():
        datasets = [make_rich_dataset(f"d{i}") for i in range(3)]
        for g, (where, answers) in enumerate(layout):
            for d in sorted(where):
                (record,) = add_records(datasets[d], [{"fields": {"prompt": f"prompt {g}"}, "external_id": f"g{g}"}])
                for user in labelers[:answers]:
                    answer(user, record, demonstration=f"{user.username} {d} {g}")
        whole = run_export(datasets, "csv", group_by=group_by, **BASE)
        split = run_export(datasets, "csv", group_by=group_by, test_size=test_size, split_seed=seed, **BASE)
        unsplit_rows, split_rows = job_file_rows(job_file, whole), job_file_rows(job_file, split)
        transaction.set_rollback(True)
    key = "record_id" if group_by == "record" else "external_id"
    sides = {side: {r[key] for r in split_rows if r["split"] == side} for side in ("train", "test")}
    assert not sides["train"] & sides["test"]
    groups = len(sides["train"] | sides["test"])
    assert len(sides["test"]) == round(test_size * groups)
    report = job_file.json(split)["splits"]
    assert report["test"]["groups"] == len(sides["test"]) and report["groups_in_both"] == 0
    assert sorted(json.dumps({k: v for k, v in r.items() if k != "split"}, sort_keys=True) for r in split_rows) == \
        sorted(json.dumps(r, sort_keys=True) for r in unsplit_rows)
