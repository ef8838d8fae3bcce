"""Preconditions and the per-row error report that several services share."""

from config.errors import InvalidInput

from ..errors import DatasetNotReady, InvalidRecords
from ..models import Dataset


def require_ready(dataset: Dataset) -> None:
    """Records and responses need a published dataset (DESIGN §3)."""
    if dataset.status != Dataset.Status.READY:
        raise DatasetNotReady(f"Publish the dataset '{dataset.name}' before adding records.")


def check_on_error(on_error: str) -> None:
    if on_error not in ("reject", "skip"):
        raise InvalidInput("on_error must be 'reject' or 'skip'.", details={"field": "on_error"})


def invalid_rows(message: str, rows: list[dict]) -> InvalidRecords:
    """The bulk error: `rows` are `{"index", "field" or "question", "message"}` (STYLE §4)."""
    return InvalidRecords(message, details={"rows": rows})
