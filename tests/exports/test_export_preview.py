"""The export preview (DESIGN §5, issue 16): its rows are the first rows of the real export's files and its
counts are their row counts, for several formats and option sets; nothing is stored or written."""

import csv
import json

import pyarrow.parquet as pq
import pytest

from config.errors import InvalidInput
from exports import selectors
from exports.formats.csv import encode
from exports.models import ExportJob
from exports.pipeline.options import flat_columns, normalize_options

N = 12
RANKING = [{"value": "a", "rank": 1}, {"value": "b", "rank": 2}]
BASE = {"prompt_field": "prompt", "demonstration_question": "demonstration"}


@pytest.fixture
def pair(make_rich_dataset, labelers, add_records, answer):
    """Two datasets with the same N prompts (same external ids), answered by two labelers in each."""
    first, second = make_rich_dataset("team-a"), make_rich_dataset("team-b")
    items = [{"fields": {"prompt": f"Prompt {i}"}, "external_id": f"p{i}", "metadata": {"lang": "en" if i % 3 else "fr"}}
             for i in range(N)]
    ann1, ann2, ann3 = labelers
    for dataset, users in ((first, (ann1, ann2)), (second, (ann3, ann2))):
        for i, record in enumerate(add_records(dataset, items)):
            for k, user in enumerate(users):
                answer(user, record, demonstration=f"{dataset.name}-{user.username}-{i}" + "!" * ((i + k) % 3),
                       quality=1 + (i + k) % 5, topic="ab"[(i + k) % 2], tags=["a"], order=RANKING)
    return first, second


def _preview(admin, datasets, export_format, options):
    return selectors.export_preview(user=admin, dataset_ids=[d.pk for d in datasets], format=export_format,
                                    options=options)


def _csv_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


OPTION_SETS = [
    ("sft-messages", {"text_strategy": "longest", "system_prompt": "Be brief."}),
    ("sft-prompt-completion", {"text_strategy": "all", "test_size": 0.25, "split_seed": 4}),
    ("alpaca", {"text_strategy": "best_rated", "rating_question": "quality", "dedupe": True}),
    ("records", {"completed_only": True}),
    ("sft-messages", {"group_by": "record", "min_rating": {"question": "quality", "value": 3}}),
]


@pytest.mark.parametrize(("export_format", "options"), OPTION_SETS)
def test_json_preview_is_the_start_of_the_files(admin, pair, run_export, job_file, export_format, options):
    preview = _preview(admin, pair, export_format, {**BASE, **options})
    job = run_export(pair, export_format, **BASE, **options)
    assert job.status == "succeeded", job.error
    assert preview.count == job.row_count and sorted(preview.rows) == sorted(role for role in job.files if role != "report")
    for role, rows in preview.rows.items():
        if export_format == "alpaca":
            with open(job_file.path(job, role), encoding="utf-8") as handle:
                written = json.load(handle)
        else:
            written = job_file.lines(job, role)
        assert preview.counts[role] == len(written)
        assert [json.loads(row) for row in rows] == written[:5] and len(rows) == min(5, len(written))


@pytest.mark.parametrize("options", [{"text_strategy": "longest"},
                                     {"test_size": 0.5, "stratify_by": "lang", "split_seed": 1}])
def test_csv_preview_is_the_start_of_the_file(admin, pair, run_export, job_file, options):
    preview = _preview(admin, pair, "csv", {**BASE, **options})
    job = run_export(pair, "csv", **BASE, **options)
    written = _csv_rows(job_file.path(job))
    kinds = {c.name: c.kind for c in flat_columns(normalize_options(list(pair), {**BASE, **options}))}
    assert preview.count == job.row_count == len(written) and preview.columns == list(written[0])
    assert [{name: encode(value, kinds[name]) for name, value in row.items()} for row in preview.rows["data"]] == written[:5]


def test_parquet_preview_is_the_start_of_the_file(admin, pair, run_export, job_file):
    preview = _preview(admin, pair, "parquet", {**BASE, "text_strategy": "first"})
    job = run_export(pair, "parquet", **BASE, text_strategy="first")
    written = pq.read_table(job_file.path(job)).to_pylist()
    assert preview.count == job.row_count == len(written) == N
    for shown, row in zip(preview.rows["data"], written[:5], strict=True):
        assert shown["record_id"] == row["record_id"] and shown["completion"] == row["completion"]
        assert shown["quality"] == row["quality"] and shown["quality_mean"] == row["quality_mean"]
        assert shown["metadata"] == json.loads(row["metadata"]) and shown["tags"] == row["tags"]


def test_a_preview_writes_nothing(admin, pair, media_root):
    preview = _preview(admin, pair, "csv", BASE)
    assert preview.count == 4 * N and ExportJob.objects.count() == 0
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_a_bad_option_is_refused_before_anything_runs(admin, pair):
    with pytest.raises(InvalidInput) as refused:
        _preview(admin, pair, "csv", {**BASE, "stratify_by": "lang"})
    assert refused.value.details == {"field": "options.stratify_by"} and "set 'test_size'" in refused.value.message
