"""Writing an export's files (DESIGN §5): each chunk's rows formatted, then handed to each writer at once.

Records go to records.jsonl as they are; the training formats get the examples of
`examples.ExamplePipeline`, split into a train and a test file when the format has no split column.
"""

import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from exports import storage
from exports.formats import Column
from exports.formats.registry import FLAT_FORMATS, FORMATS
from exports.pipeline import grouping, reading
from exports.pipeline.examples import ExamplePipeline, full_record
from exports.pipeline.options import ExportOptions


def file_roles(export_format: str, options: ExportOptions) -> list[str]:
    """The data files of an export: one, or train and test when it splits and the format has no split column.

    records.jsonl is never split, as it is never grouped: it holds every record as stored."""
    splits = options.test_size and export_format not in FLAT_FORMATS and FORMATS[export_format].ROWS == "examples"
    return ["train", "test"] if splits else ["data"]


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
    report = pipeline.report
    done = 0

    def progress(read: int) -> None:
        nonlocal done
        done += read
        report.records_read = done
        on_chunk(done)

    if fmt.ROWS == "records":
        rows = 0
        for selection in selections:
            for chunk in reading.record_chunks(selection.records, chunk_size=size):
                writers["data"].write_rows([fmt.row(full_record(selection.label, *item)) for item in chunk])
                rows += len(chunk)
                progress(len(chunk))
        return rows
    batches = _group_batches(selections, pipeline, size)
    if pipeline.options.test_size:
        return _write_split(batches, fmt, writers, pipeline, progress)
    rows = 0
    for read, groups in batches:
        lines = [fmt.row(example) for key, members in groups for example in pipeline.examples(key, members)]
        writers["data"].write_rows(lines)
        rows += len(lines)
        report.groups += len(groups)
        progress(read)
    return rows


def _group_batches(selections: list[reading.Selection], pipeline: ExamplePipeline, size: int):
    """(records read, [(group key, members)]) batches: one group per record, or groups across datasets."""
    options = pipeline.options
    # Within one dataset an external_id names one record (a unique constraint), so its groups are its
    # records and the export keeps the single-dataset read path.
    across = options.group_by == "prompt" or (options.group_by == "external_id" and len(selections) > 1)
    columns = reading.ExampleColumns(
        options, pipeline.value_questions, with_metadata=pipeline.with_answers or bool(options.stratify_by),
        grouped=across, accepted_versions=any(selection.has_reviews for selection in selections),
    )
    if not across:
        key_at = 1 if options.group_by == "external_id" else 0
        for selection in selections:
            for chunk in reading.example_chunks(selection.records, chunk_size=size, columns=columns):
                yield len(chunk), [(str(record[key_at]), [(selection.label, record, answers)]) for record, answers in chunk]
        return
    if options.group_by == "external_id":
        yield from grouping.external_id_batches(selections, columns, chunk_size=size)
        return
    plan = grouping.plan_groups(selections, options, chunk_size=size)
    yield from grouping.group_batches(plan, selections, columns, batch_groups=max(1, size // len(selections)))


def _stratum(members: list[tuple], stratify_by: str | None) -> str | None:
    """The group's category for a stratified split: its first record's metadata value, as text."""
    if not stratify_by:
        return None
    value = (members[0][1][4] or {}).get(stratify_by)
    return None if value is None else str(value)


def _write_split(batches, fmt, writers: dict, pipeline: ExamplePipeline, progress: Callable[[int], None]) -> int:
    """Split whole groups into train and test, sized exactly: the examples wait in a spool file (not in
    memory) until every group that yields one is known, then go to their side's file or split column."""
    options, report = pipeline.options, pipeline.report
    emitted = []
    with tempfile.TemporaryFile() as spool:
        for read, groups in batches:
            kept = []
            for key, members in groups:
                examples = pipeline.examples(key, members)
                if examples:
                    kept.append((key, examples))
                    emitted.append((key, _stratum(members, options.stratify_by)))
            pickle.dump(kept, spool, protocol=pickle.HIGHEST_PROTOCOL)
            report.groups += len(groups)
            progress(read)
        test = grouping.test_groups(emitted, test_size=options.test_size, seed=options.split_seed)
        spool.seek(0)
        sides: dict[str, set] = {"train": set(), "test": set()}
        counts = {"train": 0, "test": 0}
        while True:
            try:
                kept = pickle.load(spool)
            except EOFError:
                break
            out = {role: [] for role in writers}
            for key, examples in kept:
                side = "test" if key in test else "train"
                sides[side].add(key)
                counts[side] += len(examples)
                for example in examples:
                    example.split = side
                    out[side if side in out else "data"].append(fmt.row(example))
            for role, lines in out.items():
                writers[role].write_rows(lines)
    report.splits = {
        side: {"groups": len(sides[side]), "examples": counts[side]} for side in ("train", "test")
    } | {"groups_in_both": len(sides["train"] & sides["test"])}
    return counts["train"] + counts["test"]
