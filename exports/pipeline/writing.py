"""Writing an export's files (DESIGN §5): each chunk's rows formatted, then handed to each writer at once.

Records go to records.jsonl as they are; the training formats get the examples of
`examples.ExamplePipeline`, split into a train and a test file when the format has no split column.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from exports import storage
from exports.formats import Column
from exports.formats.registry import FLAT_FORMATS, FORMATS
from exports.pipeline import reading
from exports.pipeline.examples import ExamplePipeline, full_record
from exports.pipeline.options import ExportOptions


def file_roles(export_format: str, options: ExportOptions) -> list[str]:
    """The data files of an export: one, or train and test when it splits and the format has no split column."""
    return ["train", "test"] if options.test_size and export_format not in FLAT_FORMATS else ["data"]


@contextmanager
def open_writers(job_id, export_format: str, roles: list[str], columns: list[Column]) -> Iterator[dict]:
    """The format's writers, one per file role, writing the job's temporary files; closed on the way out."""
    fmt = FORMATS[export_format]
    writers = {role: fmt.Writer(str(storage.partial_path(job_id, role)), columns=columns) for role in roles}
    try:
        yield writers
    finally:
        for writer in writers.values():
            writer.close()


def write_selections(selections: list[reading.Selection], *, export_format: str, writers: dict,
                     pipeline: ExamplePipeline, on_chunk: Callable[[int], None]) -> int:
    """Stream every selected record through the pipeline into the writers; return the rows written.

    `on_chunk` gets the records read so far after each chunk (heartbeat and progress).
    """
    fmt = FORMATS[export_format]
    size = reading.chunk_size()
    done = rows = 0
    for selection in selections:
        for chunk in _chunks(selection, fmt, pipeline, size):
            for role, lines in _chunk_rows(chunk, selection.label, fmt, pipeline, writers).items():
                writers[role].write_rows(lines)
                rows += len(lines)
            done += len(chunk)
            pipeline.report.records_read = done
            on_chunk(done)
    return rows


def _chunks(selection: reading.Selection, fmt, pipeline: ExamplePipeline, size: int):
    if fmt.ROWS == "records":
        return reading.record_chunks(selection.records, chunk_size=size)
    return reading.example_chunks(
        selection.records, chunk_size=size, options=pipeline.options, value_questions=pipeline.value_questions,
        with_metadata=pipeline.with_answers,
    )


def _chunk_rows(chunk: list, label: str, fmt, pipeline: ExamplePipeline, writers: dict) -> dict[str, list]:
    """One chunk's rows, formatted, by file role."""
    if fmt.ROWS == "records":
        return {"data": [fmt.row(full_record(label, *item)) for item in chunk]}
    out = {role: [] for role in writers}
    split_files = "train" in writers
    for record, answers in chunk:
        for example in pipeline.examples(label, record, answers):
            out[example.split if split_files else "data"].append(fmt.row(example))
    return out
