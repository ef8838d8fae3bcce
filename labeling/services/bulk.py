"""What the bulk writes of records and suggestions share: their limits, their result, and finding
records by external id."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from ..models import Dataset, Record

MAX_RECORDS_PER_CALL = 10_000
BULK_BATCH = 2_000
_EXTERNAL_ID_CHUNK = 5_000


@dataclass
class BulkResult:
    """What a bulk call wrote: counts, the rows it skipped, and the written records in input order.

    `ids` is always filled; `records` are model instances made on first access, so callers that
    only need ids (the bulk API, file imports) do not pay for 10,000 instances per call.
    """

    created: int = 0
    updated: int = 0
    skipped: list[dict] = field(default_factory=list)
    ids: list[uuid.UUID] = field(default_factory=list)
    make_records: Callable[[], list[Record]] | None = field(default=None, repr=False)

    @cached_property
    def records(self) -> list[Record]:
        return self.make_records() if self.make_records else []


def records_by_external_id(dataset: Dataset, external_ids: list[str]) -> dict[str, Record]:
    """The dataset's records among `external_ids`, by external id."""
    found: dict[str, Record] = {}
    for start in range(0, len(external_ids), _EXTERNAL_ID_CHUNK):
        chunk = external_ids[start : start + _EXTERNAL_ID_CHUNK]
        for record in Record.objects.filter(dataset=dataset, external_id__in=chunk):
            found[record.external_id] = record
    return found
