"""Reading the review history costs a bounded number of queries per chunk, whatever the number of records, answers
and versions (no query per answer), and nothing beyond one EXISTS per dataset when no dataset has reviews."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports.pipeline.examples import ExamplePipeline
from exports.pipeline.options import normalize_options
from exports.pipeline.reading import ExampleColumns, example_chunks, filtered_records, record_chunks
from labeling.models import ResponseVersion
from tests.factories import DatasetFactory, RecordFactory, ResponseFactory

HISTORY_TABLE = ResponseVersion._meta.db_table


@pytest.fixture
def add_reviewed(labelers, reviewer, history):
    """add_reviewed(dataset, n): n records, each with an answer accepted then edited and accepted again, and a fixed one."""

    def add(dataset, n):
        for _ in range(n):
            record = RecordFactory(dataset=dataset, fields={"prompt": f"p{dataset.records.count()}"})
            accepted = ResponseFactory(record=record, user=labelers[0], review_status=None)
            history.submit(accepted), history.accept(accepted, reviewer)
            history.submit(accepted, demonstration="Edited."), history.accept(accepted, reviewer)
            fixed = ResponseFactory(record=record, user=labelers[1], review_status=None)
            history.submit(fixed), history.fix(fixed, reviewer, demonstration="Fixed.")

    return add


def test_answers_with_their_accepted_versions_take_three_queries_per_chunk(dataset, add_reviewed):
    add_reviewed(dataset, 5)
    options = normalize_options([dataset], {"review_status": "accepted_only"})
    pipeline = ExamplePipeline(options, _report(), with_answers=False)
    columns = ExampleColumns(options, pipeline.value_questions, with_metadata=False, accepted_versions=True)
    with CaptureQueriesContext(connection) as queries:
        chunks = list(example_chunks(filtered_records(dataset, options), chunk_size=2, columns=columns))
    # Per chunk: its records, their responses, their accepted versions; then the empty page that ends the loop.
    assert len(queries.captured_queries) == 3 * 3 + 1
    answers = [[a.values["demonstration"] for a in answers] for chunk in chunks for _, answers in chunk]
    assert answers == [["Edited.", "Fixed."]] * 5


def test_records_with_every_version_take_four_queries_per_chunk(dataset, add_reviewed):
    add_reviewed(dataset, 5)
    records = filtered_records(dataset, normalize_options([dataset], {}))
    with CaptureQueriesContext(connection) as queries:
        chunks = list(record_chunks(records, chunk_size=2))
    assert len(queries.captured_queries) == 4 * 3 + 1
    assert [len(response["versions"]) for chunk in chunks for _, responses, _ in chunk for response in responses] == [
        4, 2] * 5


@pytest.mark.parametrize("fmt, options", [
    ("sft-messages", {"group_by": "record"}),
    ("csv", {"group_by": "prompt"}),
    ("sft-messages", {"group_by": "external_id"}),
    ("records", {}),
])
def test_an_export_runs_as_many_queries_for_few_records_as_for_many(workspace, dataset, add_reviewed, run_export,
                                                                     fmt, options):
    dataset.review = "all"
    dataset.save(update_fields=["review"])
    copy = DatasetFactory(workspace=workspace, name="copy", review="sampled")

    def export_queries(n):
        add_reviewed(dataset, n), add_reviewed(copy, n)
        with CaptureQueriesContext(connection) as queries:
            job = run_export([dataset, copy], fmt, **options)
        assert job.status == "succeeded", job.error
        records = dataset.records.count() + copy.records.count()
        assert job.row_count == (2 * records if fmt != "records" else records)
        return len(queries.captured_queries)

    assert export_queries(2) == export_queries(6)


def test_without_reviews_the_history_is_not_read(workspace, dataset, labelers, history, run_export):
    copy = DatasetFactory(workspace=workspace, name="copy")
    for target in (dataset, copy):
        for i in range(3):  # submissions are history too, but no decision: nothing to read for the answers
            history.submit(ResponseFactory(record=RecordFactory(dataset=target), user=labelers[i], review_status=None),
                           review=None)
    with CaptureQueriesContext(connection) as queries:
        job = run_export([dataset, copy], "sft-messages", group_by="external_id")
    assert job.row_count == 6
    reads = [q["sql"] for q in queries.captured_queries if HISTORY_TABLE in q["sql"]]
    assert len(reads) == 2 and all("LIMIT 1" in sql for sql in reads)  # one EXISTS per dataset


def _report():
    from exports.pipeline.report import Report

    return Report()
