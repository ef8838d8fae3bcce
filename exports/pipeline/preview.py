"""An export's first rows and row count, produced by the export's own pipeline without writing a file (DESIGN §5).

The preview runs every step a job runs (reading, grouping, reconciliation, filters, the split, the format's
`row`) through `writing.write_selections`, and hands the rows to collectors in place of the file writers: what
it shows is what the file will hold, and its count is the file's row count.
"""

from dataclasses import dataclass, field
from typing import Any

from exports.formats.registry import FLAT_FORMATS
from exports.pipeline import reading, writing
from exports.pipeline.examples import ExamplePipeline
from exports.pipeline.options import ExportOptions, flat_columns
from exports.pipeline.report import Report
from labeling.models import Dataset

PREVIEW_ROWS = 5


class _Collector:
    """Takes a writer's place: keeps the first rows and counts them all."""

    def __init__(self, limit: int):
        self.limit = limit
        self.rows: list = []
        self.count = 0

    def write_rows(self, rows: list) -> None:
        room = self.limit - len(self.rows)
        if room > 0:
            self.rows.extend(rows[:room])
        self.count += len(rows)


@dataclass
class Preview:
    """The first rows of each file of an export (`data`, or `train` and `test`) and how many rows each gets.

    Rows are as the format's writer receives them: a JSON text per row for the JSON formats (the file's
    line, or its array element), {column: value} for csv and parquet (`columns` names them, in order).
    """

    format: str
    rows: dict[str, list] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.counts.values())


def export_preview(datasets: list[Dataset], export_format: str, options: ExportOptions, *,
                   limit: int = PREVIEW_ROWS) -> Preview:
    """Run the export of `datasets` (schema prefetched, options normalised) and keep the first `limit` rows of
    each file and every file's row count."""
    roles = writing.file_roles(export_format, options)
    collectors = {role: _Collector(limit) for role in roles}
    pipeline = ExamplePipeline(options, Report(), with_answers=export_format in FLAT_FORMATS)
    writing.write_selections(reading.selections(datasets, options), export_format=export_format,
                             writers=collectors, pipeline=pipeline, on_chunk=_ignore)
    columns = [c.name for c in flat_columns(options)] if export_format in FLAT_FORMATS else []
    rows: dict[str, list[Any]] = {}
    for role, collector in collectors.items():
        rows[role] = [{name: row.get(name) for name in columns} for row in collector.rows] if columns else collector.rows
    return Preview(format=export_format, rows=rows, counts={role: c.count for role, c in collectors.items()},
                   columns=columns)


def _ignore(done: int) -> None:
    """A preview has no progress to report."""

