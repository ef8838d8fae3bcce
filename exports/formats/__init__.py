"""Export formats (DESIGN §5): one small module per format, each turning rows into file content.

The export service produces two kinds of rows: full records (for records.jsonl) and training
`Example`s (everything else). A format declares which it takes (`ROWS`), its `EXTENSION` and
`CONTENT_TYPE`, a `row(item)` that turns one into what its `Writer` takes (JSON text for the JSON
formats, a dict for the flat ones), and a `Writer(path, columns=...)` with `write_rows(rows)`,
called once per chunk, and `close()`.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Example:
    """One training example after reconciliation and filtering."""

    # The record's id (a UUID); the flat formats write it as text.
    record_id: Any
    external_id: str | None
    dataset: str
    prompt: str
    completion: str
    system: str | None = None
    input: str | None = None
    annotator: str | None = None
    # Reconciled values of the other questions, by question name, and the record's metadata: both read
    # only for the flat formats, which have columns for them.
    answers: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] | None = field(default_factory=dict)
    split: str | None = None


@dataclass(frozen=True)
class Column:
    """A column of the flat formats (csv, parquet); kind is str, float, list or json."""

    name: str
    kind: str = "str"


def table_columns(answer_columns: list[Column], *, has_system: bool, has_split: bool) -> list[Column]:
    """The columns of the flat formats, in order."""
    columns = [Column("record_id"), Column("external_id"), Column("dataset")]
    if has_system:
        columns.append(Column("system"))
    columns += [Column("prompt"), Column("completion"), Column("annotator"), *answer_columns, Column("metadata", "json")]
    if has_split:
        columns.append(Column("split"))
    return columns


def table_row(example: Example) -> dict[str, Any]:
    """An example as a flat row keyed by column name (values not yet encoded)."""
    return {
        "record_id": str(example.record_id),
        "external_id": example.external_id,
        "dataset": example.dataset,
        "system": example.system,
        "prompt": example.prompt,
        "completion": example.completion,
        "annotator": example.annotator,
        **example.answers,
        "metadata": example.metadata,
        "split": example.split,
    }
