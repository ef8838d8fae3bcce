"""Exports read records in keyset chunks, their answers as plain values unpacked by the database (DESIGN §5, §8)."""

import gc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.collector import cyclic_gc_paused
from exports.pipeline.examples import ExamplePipeline
from exports.pipeline.options import normalize_options
from exports.pipeline.reading import ExampleColumns, JsonScalar, UtcIsoText, example_chunks, filtered_records
from exports.pipeline.report import Report
from labeling.models import Response
from tests.factories import RecordFactory, ResponseFactory


def test_json_scalar_reads_only_strings_or_only_numbers(dataset, annotator):
    stored = [{"k": "text ü \"q\""}, {"k": 3}, {"k": 2.5}, {"k": True}, {"k": None}, {"k": [1]}, {"k": {"a": 1}}, {},
              {"k": "4"}, {"my-key": "dashed"}]
    for values in stored:  # written as is, past validation: the database alone decides by JSON type
        ResponseFactory(record=RecordFactory(dataset=dataset), user=annotator, values=values)
    rows = list(
        Response.objects.filter(record__dataset=dataset).order_by("record__ordinal").values_list(
            JsonScalar("values", "k", "string"), JsonScalar("values", "k", "number"),
            JsonScalar("values", "my-key", "string"),
        )
    )
    assert [r[0] for r in rows] == ["text ü \"q\"", None, None, None, None, None, None, None, "4", None]
    assert [r[1] for r in rows] == [None, 3.0, 2.5, None, None, None, None, None, None, None]
    assert all(isinstance(r[1], float) for r in rows if r[1] is not None)
    assert rows[-1][2] == "dashed"


def test_json_scalar_refuses_other_types():
    with pytest.raises(ValueError):
        JsonScalar("values", "k", "boolean")


def test_timestamps_as_text_are_what_isoformat_writes(dataset, annotator):
    whole_second = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    cases = [
        (whole_second, None),
        (whole_second + timedelta(microseconds=120), whole_second + timedelta(days=400, microseconds=999_999)),
        (datetime(999, 1, 1, tzinfo=timezone.utc), whole_second + timedelta(hours=20, microseconds=1)),
    ]
    for started_at, submitted_at in cases:
        ResponseFactory(record=RecordFactory(dataset=dataset), user=annotator, started_at=started_at,
                        submitted_at=submitted_at)
    responses = Response.objects.filter(record__dataset=dataset).order_by("record__ordinal")
    texts = list(responses.values_list(UtcIsoText("started_at"), UtcIsoText("submitted_at"), UtcIsoText("inserted_at")))
    expected = [
        tuple(value.isoformat() if value else None for value in (r.started_at, r.submitted_at, r.inserted_at))
        for r in responses
    ]
    assert texts == expected
    assert texts[0][:2] == ("2026-03-04T05:06:07+00:00", None)


def test_two_queries_per_chunk_and_answers_in_submission_order(dataset, labelers, add_records, answer):
    records = add_records(dataset, [f"p{i}" for i in range(5)])
    for i, record in enumerate(records):
        for user in reversed(labelers[: i % 3]):
            answer(user, record, demonstration=f"{user.username} on {i}", quality=1 + i % 5)
    options = normalize_options([dataset], {})
    pipeline = ExamplePipeline(options, Report(), with_answers=False)
    with CaptureQueriesContext(connection) as queries:
        chunks = list(example_chunks(
            filtered_records(dataset, options), chunk_size=2,
            columns=ExampleColumns(options, pipeline.value_questions, with_metadata=False),
        ))
    # A page of records and their responses per chunk, then the empty page that ends the loop.
    assert len(queries.captured_queries) == 2 * 3 + 1
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    flat = [item for chunk in chunks for item in chunk]
    assert [record[2] for record, _ in flat] == [f"p{i}" for i in range(5)]
    assert [record[0] for record, _ in flat] == [r.pk for r in records]
    assert [[a.user for a in answers] for _, answers in flat] == [[], ["ann1"], ["ann2", "ann1"], [], ["ann1"]]
    assert flat[2][1][0].values == {"demonstration": "ann2 on 2", "quality": 3.0}


def read_outputs(job, job_file):
    """The job's files, its report without the parts that differ between runs."""
    files = {role: Path(job_file.path(job, role)).read_bytes() for role in job.files if role != "report"}
    report = job_file.json(job)
    report.pop("generated_at"), report.pop("job")
    return files, report


@pytest.mark.parametrize("fmt, options", [
    ("sft-messages", {"metadata_filter": {"lang": "en"}}),
    ("csv", {"text_strategy": "best_rated", "rating_question": "quality", "test_size": 0.5}),
    ("records", {}),
])
def test_files_do_not_depend_on_the_chunk_size(settings, rich_dataset, labelers, add_records, answer, run_export,
                                               job_file, fmt, options):
    records = add_records(rich_dataset, [
        {"fields": {"prompt": f"p{i}"}, "metadata": {"lang": "en" if i % 3 else "fr", "level": i}} for i in range(8)
    ])
    for i, record in enumerate(records):
        for j, user in enumerate(labelers[: i % 4]):
            answer(user, record, demonstration=f"d{i}{j}", quality=1 + (i + j) % 5, topic="abc"[(i * j) % 3])
    outputs = []
    for size in (1, 3, 1000):
        settings.EXPORT_CHUNK_SIZE = size
        job = run_export([rich_dataset], fmt, prompt_field="prompt", demonstration_question="demonstration", **options)
        assert job.status == "succeeded", job.error
        outputs.append(read_outputs(job, job_file))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][1]["records_read"] == outputs[0][1]["datasets"][0]["selected"]


def test_cycle_collector_is_paused_while_streaming_and_restored_after():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with cyclic_gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("writer failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
