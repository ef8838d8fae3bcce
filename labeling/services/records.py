"""Records: the bulk upsert (ORM on SQLite, COPY on PostgreSQL), one record's update, deletion (DESIGN §3)."""

import json
import os
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.errors import NameTaken
from config.errors import InvalidInput

from .. import validation
from ..access import DatasetAccess
from ..models import Dataset, Question, Record
from ..sql import records_copy
from . import suggestions
from .bulk import BULK_BATCH, MAX_RECORDS_PER_CALL, BulkResult, records_by_external_id
from .checks import check_on_error, invalid_rows, require_ready


def records_upsert(*, access: DatasetAccess, items: Sequence[Any], on_error: str = "reject") -> BulkResult:
    """Add records in bulk to the accessed dataset, updating those whose external_id already exists there.

    Every bad row is reported with its index; with on_error="reject" nothing is written when any row
    is bad, with "skip" the good rows are written and the bad ones listed in `skipped`.
    Suggestions may ride along per record: `{"question": name, "value": ..., "score", "agent", "type"}`.
    """
    access.require_admin()
    dataset = access.dataset
    check_on_error(on_error)
    if not isinstance(items, (list, tuple)):
        raise InvalidInput("'records' must be a list.", details={"field": "records"})
    if len(items) > MAX_RECORDS_PER_CALL:
        raise InvalidInput(f"Send at most {MAX_RECORDS_PER_CALL} records per call; split the rest into more calls.")
    require_ready(dataset)
    questions = {q.name: q for q in dataset.questions.all()}
    good, bad, external_ids = _records_check(dataset, items, questions)
    if bad and on_error == "reject":
        raise invalid_rows(f"{len({row['index'] for row in bad})} of {len(items)} records are invalid; nothing was written.", bad)

    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        now = timezone.now()
        write = _records_write_postgres if connection.vendor == "postgresql" else _records_write_orm
        result = write(locked, good, external_ids, now)
        result.skipped = bad
        suggestion_rows = [(index, spec) for index, item in enumerate(good) for spec in (item.get("suggestions") or [])]
        if suggestion_rows:
            records = result.records
            suggestions.suggestions_write([(records[index], spec) for index, spec in suggestion_rows], questions)
        locked.last_activity_at = now
        locked.save(update_fields=["last_activity_at"])
    return result


def _records_check(dataset: Dataset, items: Sequence[Any],
                   questions: Mapping[str, Question]) -> tuple[list[Mapping], list[dict], list[str]]:
    """The good items, the problems of the bad ones by index, and the external ids in input order."""
    check = validation.record_checker(
        fields=dataset.fields.all(), metadata_properties=dataset.metadata_properties.all(),
        allow_extra_metadata=dataset.allow_extra_metadata,
    )
    bad: list[dict] = []
    good: list[Mapping] = []
    seen_external: dict[str, int] = {}
    for index, item in enumerate(items):
        problems = check(item)
        if not problems:
            # A row without problems is a mapping.
            problems = suggestions.suggestion_problems(item.get("suggestions"), questions)
            external_id = item.get("external_id")
            if not problems and external_id is not None:
                external_id = str(external_id)
                if external_id in seen_external:
                    problems = [{"field": "external_id",
                                 "message": f"external_id '{external_id}' repeats row {seen_external[external_id]}."}]
                else:
                    seen_external[external_id] = index
        if problems:
            bad.extend({"index": index, **problem} for problem in problems)
        else:
            good.append(item)
    return good, bad, list(seen_external)


def _records_write_orm(dataset: Dataset, items: list[Mapping], external_ids: list[str], now) -> BulkResult:
    """Insert and update records through the ORM (SQLite); the caller holds the dataset row lock."""
    existing = records_by_external_id(dataset, external_ids)
    next_ordinal = (Record.objects.filter(dataset=dataset).aggregate(m=Max("ordinal"))["m"] or 0) + 1
    records, to_create, to_update = [], [], []
    for item in items:
        external_id = item.get("external_id")
        external_id = None if external_id is None else str(external_id)
        record = existing.get(external_id) if external_id is not None else None
        if record is None:
            record = Record(dataset=dataset, ordinal=next_ordinal, external_id=external_id,
                            fields=dict(item["fields"]), metadata=dict(item.get("metadata") or {}))
            next_ordinal += 1
            to_create.append(record)
        else:
            record.fields = dict(item["fields"])
            if item.get("metadata") is not None:
                record.metadata = dict(item["metadata"])
            record.updated_at = now
            to_update.append(record)
        records.append(record)
    Record.objects.bulk_create(to_create, batch_size=BULK_BATCH)
    Record.objects.bulk_update(to_update, ["fields", "metadata", "updated_at"], batch_size=BULK_BATCH)
    return BulkResult(created=len(to_create), updated=len(to_update), ids=[record.pk for record in records],
                      make_records=lambda: records)


def _records_write_postgres(dataset: Dataset, items: list[Mapping], external_ids: list[str], now) -> BulkResult:
    """Insert new records with COPY and update existing ones (matched by external_id) with one UPDATE
    (`labeling.sql.records_copy`).

    The caller holds the dataset row lock, so the ordinals counted from MAX here stay ours until
    commit. What is stored matches the ORM path: new records pending with no submissions and
    `inserted_at = updated_at = now`; an update replaces fields, replaces metadata unless the item
    leaves it out, and sets updated_at.
    """
    existing = records_copy.records_by_external_id(dataset.pk, external_ids) if external_ids else {}
    first_ordinal = records_copy.max_ordinal(dataset.pk)
    # Each item matches at most one existing record (duplicate external ids were refused).
    new_count = len(items) - len(existing)
    written: list[tuple] = []
    changes: list[tuple] = []
    new_lines = _record_rows(dataset, items, existing, first_ordinal, new_count, now, written, changes)
    if new_count:
        records_copy.records_insert(new_lines)
    else:
        deque(new_lines, maxlen=0)
    if changes:
        records_copy.records_update(changes, now)

    def make_records() -> list[Record]:
        names = records_copy.record_attnames()
        records = [Record.from_db(connection.alias, names, row) for row in written]
        for record in records:
            Record.dataset.field.set_cached_value(record, dataset)
        return records

    return BulkResult(created=new_count, updated=len(changes), ids=[row[0] for row in written],
                      make_records=make_records)


def _record_rows(dataset: Dataset, items: list[Mapping], existing: Mapping[str, tuple], first_ordinal: int,
                 new_count: int, now, written: list[tuple], changes: list[tuple]) -> Iterator[str]:
    """Yield the COPY lines of new records, as they are made; append every item's row (new or updated)
    to `written` in input order, and each existing record's `(id, fields, metadata)` JSON to `changes`."""
    make_row = records_copy.record_row()
    dumps, copy_text, copy_json = records_copy.json_text, records_copy.copy_text, records_copy.copy_json
    pending = Record.Status.PENDING.value
    constants = {"inserted_at": now, "updated_at": now, "dataset_id": dataset.pk, "status": pending,
                 "submitted_count": 0}
    line = records_copy.line_template(constants).format
    random_bytes = os.urandom(16 * new_count)  # uuid4's randomness, one call for the batch
    ordinal = first_ordinal
    for item in items:
        external_id = item.get("external_id")
        external_id = None if external_id is None else str(external_id)
        fields, metadata = dict(item["fields"]), item.get("metadata")
        old = existing.get(external_id) if external_id is not None else None
        if old is None:
            start = 16 * (ordinal - first_ordinal)
            ordinal += 1
            record_id = uuid.UUID(bytes=random_bytes[start : start + 16], version=4)
            metadata = dict(metadata or {})
            written.append(make_row({**constants, "id": record_id, "ordinal": ordinal, "external_id": external_id,
                                     "fields": fields, "metadata": metadata}))
            yield line(id=record_id, ordinal=ordinal, external_id=copy_text(external_id), fields=copy_json(fields),
                       metadata=copy_json(metadata))
        else:
            _, record_id, inserted_at, old_ordinal, old_metadata, status, submitted = old
            # NULL metadata keeps the stored one (the item left it out).
            changes.append((record_id, dumps(fields), None if metadata is None else dumps(metadata)))
            metadata = json.loads(old_metadata) if metadata is None else dict(metadata)
            written.append(make_row({"id": record_id, "inserted_at": inserted_at, "updated_at": now,
                                     "dataset_id": dataset.pk, "ordinal": old_ordinal, "external_id": external_id,
                                     "fields": fields, "metadata": metadata, "status": status,
                                     "submitted_count": submitted}))


def record_update(*, access: DatasetAccess, record: Record, fields: Mapping | None = None,
                  metadata: Mapping | None = None, external_id: str | None = None) -> Record:
    """Change one record of the accessed dataset: its fields, metadata or external id, with the same
    validation as bulk."""
    access.require_admin()
    dataset = access.dataset
    item = {
        "fields": {**record.fields, **fields} if fields is not None else record.fields,
        "metadata": metadata if metadata is not None else record.metadata,
        "external_id": external_id if external_id is not None else record.external_id,
    }
    problems = validation.record_problems(
        item, fields=dataset.fields.all(), metadata_properties=dataset.metadata_properties.all(),
        allow_extra_metadata=dataset.allow_extra_metadata,
    )
    if problems:
        raise invalid_rows("The record is invalid; nothing was changed.", [{"index": 0, **p} for p in problems])
    try:
        with transaction.atomic():
            record.fields = item["fields"]
            record.metadata = item["metadata"] or {}
            record.external_id = None if item["external_id"] is None else str(item["external_id"])
            record.save()
    except IntegrityError:
        raise NameTaken("Another record of this dataset has that external_id.", details={"field": "external_id"}) from None
    return record


def records_delete(*, access: DatasetAccess, record_ids: Iterable) -> int:
    """Delete records of the accessed dataset (with their responses and suggestions)."""
    access.require_admin()
    with transaction.atomic():
        deleted, _ = Record.objects.filter(dataset=access.dataset, pk__in=list(record_ids)).delete()
    return deleted

