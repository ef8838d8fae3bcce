"""Every write to datasets, records, suggestions and responses (DESIGN §3, §4).

Each service opens its own transaction, validates with `labeling.validation`, locks before
read-then-write, and raises `config.errors` exceptions that entry points render.
"""

import json
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache, cached_property
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from accounts import tenancy
from accounts.errors import NameTaken
from accounts.models import Membership, User, Workspace
from config import rows
from config.errors import InvalidInput, NotFound
from config.names import check_dataset_name

from . import validation
from .errors import (
    DatasetNotDraft,
    DatasetNotReady,
    InvalidRecords,
    InvalidResponse,
    InvalidTransition,
    SchemaFrozen,
)
from .models import Assignment, Claim, Dataset, Field, MetadataProperty, Question, Record, Response, Suggestion

MAX_RECORDS_PER_CALL = 10_000
BULK_BATCH = 2_000
# Tables of the annotation loop's hand-written statements.
_RECORD, _ASSIGNMENT, _CLAIM, _RESPONSE = (
    model._meta.db_table for model in (Record, Assignment, Claim, Response)
)


# --- datasets and their schema ------------------------------------------------------------------


def _require_admin(actor: User, dataset: Dataset) -> None:
    tenancy.require_workspace_admin(actor, dataset.workspace_id)


def _is_frozen(dataset: Dataset) -> bool:
    """DESIGN §3: the schema is frozen once the dataset is ready and holds records."""
    return dataset.status == Dataset.Status.READY and dataset.records.exists()


def _require_draft(dataset: Dataset, what: str) -> None:
    if dataset.status != Dataset.Status.DRAFT:
        raise DatasetNotDraft(f"{what} can only be added while the dataset is a draft; '{dataset.name}' is published.")


def _check_choice(value: Any, choices: type, name: str) -> None:
    if value not in choices.values:
        raise InvalidInput(f"{name} must be one of: {', '.join(choices.values)}.", details={"field": name})


def _check_min_submitted(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput("min_submitted must be a whole number of at least 1.", details={"field": "min_submitted"})


def dataset_create(
    *,
    actor: User,
    workspace: Workspace,
    name: str,
    guidelines: str = "",
    min_submitted: int = 1,
    distribution: str = Dataset.Distribution.OPEN,
    allow_extra_metadata: bool = True,
    fields: Sequence[Mapping] = (),
    questions: Sequence[Mapping] = (),
    metadata_properties: Sequence[Mapping] = (),
) -> Dataset:
    """Create a draft dataset, optionally with its fields, questions and metadata properties."""
    tenancy.require_workspace_admin(actor, workspace.pk)
    check_dataset_name(name)
    _check_min_submitted(min_submitted)
    _check_choice(distribution, Dataset.Distribution, "distribution")
    try:
        with transaction.atomic():
            dataset = Dataset.objects.create(
                workspace=workspace,
                name=name,
                guidelines=guidelines or "",
                min_submitted=min_submitted,
                distribution=distribution,
                allow_extra_metadata=allow_extra_metadata,
            )
            for spec in fields:
                _field_insert(dataset, **spec)
            for spec in questions:
                _question_insert(dataset, **spec)
            for spec in metadata_properties:
                _metadata_property_insert(dataset, **spec)
    except IntegrityError:
        raise NameTaken(f"A dataset named '{name}' already exists in this workspace.", details={"field": "name"}) from None
    return dataset


def _check_unique_name(dataset: Dataset, model, name: str, kind: str) -> None:
    """Say which name is taken before the unique constraint would (the constraint still guards races)."""
    if model.objects.filter(dataset=dataset, name=name).exists():
        raise NameTaken(f"The {kind} name '{name}' is already used in this dataset.", details={"field": "name"})


def _field_insert(dataset: Dataset, *, name: str, title: str | None = None, required: bool = True,
                  use_markdown: bool = False, type: str = "text", **_ignored: Any) -> Field:
    validation.check_schema_name(name, "field")
    _check_unique_name(dataset, Field, name, "field")
    if type != Field.Type.TEXT:
        raise InvalidInput(f"Field '{name}': only text fields are supported.", details={"field": name})
    position = dataset.fields.count()
    return Field.objects.create(
        dataset=dataset, name=name, title=title or name, required=bool(required),
        use_markdown=bool(use_markdown), position=position,
    )


def _question_insert(dataset: Dataset, *, name: str, type: str, title: str | None = None,
                     description: str | None = None, required: bool = True, settings: Mapping | None = None,
                     **_ignored: Any) -> Question:
    validation.check_schema_name(name, "question")
    _check_unique_name(dataset, Question, name, "question")
    normalized = validation.normalize_question_settings(
        type, settings, name=name, field_names=dataset.fields.values_list("name", flat=True)
    )
    position = dataset.questions.count()
    return Question.objects.create(
        dataset=dataset, name=name, type=type, title=title or name, description=description,
        required=bool(required), settings=normalized, position=position,
    )


def _metadata_property_insert(dataset: Dataset, *, name: str, type: str, title: str | None = None,
                              settings: Mapping | None = None, visible_for_annotators: bool = True,
                              **_ignored: Any) -> MetadataProperty:
    validation.check_schema_name(name, "metadata property")
    _check_unique_name(dataset, MetadataProperty, name, "metadata property")
    normalized = validation.normalize_metadata_settings(type, settings, name=name)
    position = dataset.metadata_properties.count()
    return MetadataProperty.objects.create(
        dataset=dataset, name=name, type=type, title=title or name, settings=normalized,
        visible_for_annotators=bool(visible_for_annotators), position=position,
    )


def _schema_add(actor: User, dataset: Dataset, kind: str, insert, spec: Mapping):
    _require_admin(actor, dataset)
    try:
        with transaction.atomic():
            locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
            if kind != "Metadata properties":
                _require_draft(locked, kind)
            return insert(locked, **spec)
    except IntegrityError:
        raise NameTaken("That name is already used in this dataset.", details={"field": "name"}) from None


def field_create(*, actor: User, dataset: Dataset, **spec: Any) -> Field:
    """Add a field to a draft dataset."""
    return _schema_add(actor, dataset, "Fields", _field_insert, spec)


def question_create(*, actor: User, dataset: Dataset, **spec: Any) -> Question:
    """Add a question to a draft dataset."""
    return _schema_add(actor, dataset, "Questions", _question_insert, spec)


def metadata_property_create(*, actor: User, dataset: Dataset, **spec: Any) -> MetadataProperty:
    """Add a metadata property (allowed on published datasets: it orphans nothing)."""
    return _schema_add(actor, dataset, "Metadata properties", _metadata_property_insert, spec)


def field_update(*, actor: User, field: Field, title: str | None = None, use_markdown: bool | None = None) -> Field:
    """Change what is safe to change at any time: the title and markdown rendering."""
    _require_admin(actor, field.dataset)
    with transaction.atomic():
        if title is not None:
            field.title = title
        if use_markdown is not None:
            field.use_markdown = bool(use_markdown)
        field.save()
    return field


def question_update(*, actor: User, question: Question, title: str | None = None, description: str | None = None,
                    required: bool | None = None, settings: Mapping | None = None) -> Question:
    """Change a question. Once the schema is frozen only titles, descriptions and option labels change."""
    dataset = question.dataset
    _require_admin(actor, dataset)
    with transaction.atomic():
        frozen = _is_frozen(dataset)
        if title is not None:
            question.title = title
        if description is not None:
            question.description = description
        if required is not None and bool(required) != question.required:
            if frozen:
                raise SchemaFrozen("Whether a question is required cannot change once the dataset has records.")
            question.required = bool(required)
        if settings is not None:
            merged = {**question.settings, **settings, "type": question.type}
            normalized = validation.normalize_question_settings(
                question.type, merged, name=question.name, field_names=dataset.fields.values_list("name", flat=True)
            )
            if frozen and validation.option_values(normalized) != validation.option_values(question.settings):
                raise SchemaFrozen(
                    "Options cannot be added, removed or reordered once the dataset has records; only their labels can change."
                )
            question.settings = normalized
        question.save()
    return question


def schema_item_delete(*, actor: User, item: Field | Question | MetadataProperty) -> None:
    """Delete a field, question or metadata property, unless that would orphan data."""
    dataset = item.dataset
    _require_admin(actor, dataset)
    with transaction.atomic():
        if not isinstance(item, MetadataProperty) and _is_frozen(dataset):
            raise SchemaFrozen(f"'{item.name}' cannot be deleted: the dataset is published and holds records.")
        item.delete()


def dataset_update(*, actor: User, dataset: Dataset, **changes: Any) -> Dataset:
    """Update a dataset's settings; a new min_submitted re-derives every record's status."""
    _require_admin(actor, dataset)
    allowed = {"name", "guidelines", "min_submitted", "distribution", "allow_extra_metadata"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    if "name" in changes:
        check_dataset_name(changes["name"])
    if "min_submitted" in changes:
        _check_min_submitted(changes["min_submitted"])
    if "distribution" in changes:
        _check_choice(changes["distribution"], Dataset.Distribution, "distribution")
    try:
        with transaction.atomic():
            locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
            for key, value in changes.items():
                setattr(locked, key, value if key != "guidelines" else (value or ""))
            locked.save()
            if "min_submitted" in changes:
                _records_recompute_status(locked)
    except IntegrityError:
        raise NameTaken(f"A dataset named '{changes.get('name')}' already exists in this workspace.",
                        details={"field": "name"}) from None
    return locked


def _records_recompute_status(dataset: Dataset) -> None:
    records = Record.objects.filter(dataset=dataset)
    records.filter(submitted_count__gte=dataset.min_submitted).exclude(status=Record.Status.COMPLETED).update(
        status=Record.Status.COMPLETED
    )
    records.filter(submitted_count__lt=dataset.min_submitted).exclude(status=Record.Status.PENDING).update(
        status=Record.Status.PENDING
    )


def dataset_publish(*, actor: User, dataset: Dataset) -> Dataset:
    """Move a draft to ready: it needs at least one field and one required question."""
    _require_admin(actor, dataset)
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if locked.status == Dataset.Status.READY:
            return locked
        if not locked.fields.exists():
            raise InvalidInput("Add at least one field before publishing.", code="dataset_incomplete")
        if not locked.questions.filter(required=True).exists():
            raise InvalidInput("Add at least one required question before publishing.", code="dataset_incomplete")
        locked.status = Dataset.Status.READY
        locked.save(update_fields=["status", "updated_at"])
    return locked


def dataset_delete(*, actor: User, dataset: Dataset) -> None:
    """Delete a dataset with everything in it."""
    _require_admin(actor, dataset)
    with transaction.atomic():
        dataset.delete()


# --- records and suggestions --------------------------------------------------------------------


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


def _require_ready(dataset: Dataset) -> None:
    if dataset.status != Dataset.Status.READY:
        raise DatasetNotReady(f"Publish the dataset '{dataset.name}' before adding records.")


def _check_on_error(on_error: str) -> None:
    if on_error not in ("reject", "skip"):
        raise InvalidInput("on_error must be 'reject' or 'skip'.", details={"field": "on_error"})


def _rows_error(message: str, rows: list[dict]) -> InvalidRecords:
    return InvalidRecords(message, details={"rows": rows})


def records_upsert(*, actor: User, dataset: Dataset, items: Sequence[Any], on_error: str = "reject") -> BulkResult:
    """Add records in bulk, updating those whose external_id already exists in the dataset.

    Every bad row is reported with its index; with on_error="reject" nothing is written when any row
    is bad, with "skip" the good rows are written and the bad ones listed in `skipped`.
    Suggestions may ride along per record: `{"question": name, "value": ..., "score", "agent", "type"}`.
    """
    _require_admin(actor, dataset)
    _check_on_error(on_error)
    if not isinstance(items, (list, tuple)):
        raise InvalidInput("'records' must be a list.", details={"field": "records"})
    if len(items) > MAX_RECORDS_PER_CALL:
        raise InvalidInput(f"Send at most {MAX_RECORDS_PER_CALL} records per call; split the rest into more calls.")
    _require_ready(dataset)
    check = validation.record_checker(
        fields=dataset.fields.all(), metadata_properties=dataset.metadata_properties.all(),
        allow_extra_metadata=dataset.allow_extra_metadata,
    )
    questions = {q.name: q for q in dataset.questions.all()}

    bad: list[dict] = []
    good: list[Mapping] = []
    seen_external: dict[str, int] = {}
    for index, item in enumerate(items):
        problems = check(item)
        if not problems:
            # A row without problems is a mapping.
            problems = _suggestion_problems(item.get("suggestions"), questions)
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
    if bad and on_error == "reject":
        raise _rows_error(f"{len({row['index'] for row in bad})} of {len(items)} records are invalid; nothing was written.", bad)

    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        now = timezone.now()
        write = _records_write_postgres if connection.vendor == "postgresql" else _records_write_orm
        result = write(locked, good, list(seen_external), now)
        result.skipped = bad
        suggestion_rows = [(index, spec) for index, item in enumerate(good) for spec in (item.get("suggestions") or [])]
        if suggestion_rows:
            records = result.records
            _suggestions_write([(records[index], spec) for index, spec in suggestion_rows], questions)
        locked.last_activity_at = now
        locked.save(update_fields=["last_activity_at"])
    return result


def _records_write_orm(dataset: Dataset, items: list[Mapping], external_ids: list[str], now) -> BulkResult:
    """Insert and update records through the ORM (SQLite); the caller holds the dataset row lock."""
    existing = _records_by_external_id(dataset, external_ids)
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


# Record's concrete columns in model order: a row of their values becomes an instance via Record.from_db.
_RECORD_COLUMNS = ("id", "inserted_at", "updated_at", "dataset_id", "ordinal", "external_id", "fields", "metadata",
                   "status", "submitted_count")
_COPY_CHUNK = 1_000  # rows per write to the COPY stream
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _json_encoder() -> Callable[[Any], str]:
    """json.dumps without its per-call set-up: the same C encoder with the same settings, made once.

    The text is json.dumps's to the byte (what JSONField stores) at a third of the cost for the
    small objects records hold. It skips the circular-reference check, which parsed JSON, CSV and
    Parquet values cannot need.
    """
    make = json.encoder.c_make_encoder
    if make is None:  # a Python built without the _json accelerator
        return json.dumps
    encode = make(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ",
                  False, False, True)
    return lambda value: "".join(encode(value, 0))


_json_text = _json_encoder()


def _copy_text(value: str | None) -> str:
    return "\\N" if value is None else value.translate(_COPY_ESCAPES)


def _copy_json(text: str) -> str:
    # json.dumps output is ASCII without control characters: only its backslashes need escaping.
    return text.replace("\\", "\\\\")


def _records_write_postgres(dataset: Dataset, items: list[Mapping], external_ids: list[str], now) -> BulkResult:
    """Insert new records with COPY and update existing ones (matched by external_id) with one UPDATE.

    The ORM's bulk_create spends more time building SQL and adapting JSON parameters than
    PostgreSQL spends storing the rows (DESIGN §8). The caller holds the dataset row lock, so the
    ordinals counted from MAX here stay ours until commit. What is stored matches the ORM path:
    JSON as JSONField encodes it (json.dumps), new records pending with no submissions and
    `inserted_at = updated_at = now`; an update replaces fields, replaces metadata unless the item
    leaves it out, and sets updated_at.
    """
    table = Record._meta.db_table
    pending = Record.Status.PENDING.value
    dumps = _json_text
    stamp, dataset_id = now.isoformat(), str(dataset.pk)
    rows: list[tuple] = []
    lines: list[str] = []
    changed_ids, changed_fields, changed_metadata = [], [], []
    with connection.cursor() as cursor:
        existing: dict[str, tuple] = {}
        if external_ids:
            cursor.execute(
                f"SELECT external_id, id, inserted_at, ordinal, metadata, status, submitted_count FROM {table} "
                "WHERE dataset_id = %s AND external_id = ANY(%s)",
                [dataset.pk, external_ids],
            )
            existing = {row[0]: row for row in cursor.fetchall()}
        cursor.execute(f"SELECT COALESCE(MAX(ordinal), 0) FROM {table} WHERE dataset_id = %s", [dataset.pk])
        ordinal = first_ordinal = cursor.fetchone()[0]
        # Each item matches at most one existing record (duplicate external ids were refused).
        new_count = len(items) - len(existing)
        random_bytes = os.urandom(16 * new_count)  # uuid4's randomness, one call for the batch
        # Django wraps errors of execute() only; COPY goes to the driver directly. Rows are sent in
        # chunks as they are made, so PostgreSQL stores one chunk while Python encodes the next.
        copying = cursor.copy(f"COPY {table} ({', '.join(_RECORD_COLUMNS)}) FROM STDIN") if new_count else nullcontext()
        with connection.wrap_database_errors:
            with copying as copy:
                for item in items:
                    external_id = item.get("external_id")
                    fields = dict(item["fields"])
                    metadata = item.get("metadata")
                    old = None
                    if external_id is not None:
                        external_id = str(external_id)
                        old = existing.get(external_id)
                    if old is None:
                        start = 16 * (ordinal - first_ordinal)
                        ordinal += 1
                        metadata = dict(metadata or {})
                        record_id = uuid.UUID(bytes=random_bytes[start : start + 16], version=4)
                        row = (record_id, now, now, dataset.pk, ordinal, external_id, fields, metadata, pending, 0)
                        # COPY's text format; json.dumps escapes every control and non-ASCII character.
                        lines.append(
                            f"{record_id}\t{stamp}\t{stamp}\t{dataset_id}\t{ordinal}\t{_copy_text(external_id)}\t"
                            f"{_copy_json(dumps(fields))}\t{_copy_json(dumps(metadata))}\t{pending}\t0\n"
                        )
                        if len(lines) == _COPY_CHUNK:
                            copy.write("".join(lines))
                            lines.clear()
                    else:
                        _, record_id, inserted_at, old_ordinal, old_metadata, status, submitted = old
                        changed_ids.append(record_id)
                        changed_fields.append(dumps(fields))
                        # NULL keeps the stored metadata (the item left it out).
                        changed_metadata.append(None if metadata is None else dumps(metadata))
                        metadata = json.loads(old_metadata) if metadata is None else dict(metadata)
                        row = (record_id, inserted_at, now, dataset.pk, old_ordinal, external_id, fields, metadata,
                               status, submitted)
                    rows.append(row)
                if lines:
                    copy.write("".join(lines))
            if changed_ids:
                cursor.execute(
                    f"UPDATE {table} AS r SET fields = v.fields, metadata = COALESCE(v.metadata, r.metadata), "
                    "updated_at = %s FROM unnest(%s::uuid[], %s::jsonb[], %s::jsonb[]) AS v(id, fields, metadata) "
                    "WHERE r.id = v.id",
                    [now, changed_ids, changed_fields, changed_metadata],
                )

    def make_records() -> list[Record]:
        records = [Record.from_db(connection.alias, _RECORD_COLUMNS, row) for row in rows]
        for record in records:
            Record.dataset.field.set_cached_value(record, dataset)
        return records

    return BulkResult(created=new_count, updated=len(changed_ids), ids=[row[0] for row in rows],
                      make_records=make_records)


def _records_by_external_id(dataset: Dataset, external_ids: list[str]) -> dict[str, Record]:
    found: dict[str, Record] = {}
    for start in range(0, len(external_ids), 5_000):
        chunk = external_ids[start : start + 5_000]
        for record in Record.objects.filter(dataset=dataset, external_id__in=chunk):
            found[record.external_id] = record
    return found


def _suggestion_problems(suggestions: Any, questions: Mapping[str, Question]) -> list[dict]:
    if suggestions is None:
        return []
    if not isinstance(suggestions, list):
        return [{"field": "suggestions", "message": "'suggestions' must be a list."}]
    problems = []
    for spec in suggestions:
        name = spec.get("question") if isinstance(spec, Mapping) else None
        question = questions.get(name)
        if question is None:
            problems.append({"question": name, "message": f"Unknown question '{name}'."})
            continue
        problem = validation.answer_problem(question.type, question.settings, spec.get("value"))
        if problem:
            problems.append({"question": name, "message": problem})
        if spec.get("type") not in (None, "model", "human"):
            problems.append({"question": name, "message": "Suggestion type is 'model', 'human' or null."})
    return problems


def _suggestions_write(rows: Iterable[tuple[Record, Mapping]], questions: Mapping[str, Question]) -> int:
    """Upsert suggestions (one per record and question): existing ones are replaced."""
    objects = [
        Suggestion(record=record, question=questions[spec["question"]], value=spec["value"],
                   score=spec.get("score"), agent=spec.get("agent"), type=spec.get("type"))
        for record, spec in rows
    ]
    record_ids = {s.record_id for s in objects}
    existing = Suggestion.objects.filter(record_id__in=record_ids)
    keep = {(s.record_id, s.question_id) for s in objects}
    stale = [s.pk for s in existing.only("id", "record_id", "question_id") if (s.record_id, s.question_id) in keep]
    Suggestion.objects.filter(pk__in=stale).delete()
    Suggestion.objects.bulk_create(objects, batch_size=BULK_BATCH)
    return len(objects)


def suggestions_upsert(*, actor: User, dataset: Dataset, items: Sequence[Any], on_error: str = "reject") -> BulkResult:
    """Add or replace suggestions in bulk: `{"record_id" | "external_id", "question", "value", ...}`."""
    _require_admin(actor, dataset)
    _check_on_error(on_error)
    if not isinstance(items, (list, tuple)) or len(items) > MAX_RECORDS_PER_CALL:
        raise InvalidInput(f"'suggestions' must be a list of at most {MAX_RECORDS_PER_CALL} items.")
    questions = {q.name: q for q in dataset.questions.all()}
    record_ids = {str(i.get("record_id")) for i in items if isinstance(i, Mapping) and i.get("record_id")}
    external_ids = {str(i.get("external_id")) for i in items if isinstance(i, Mapping) and i.get("external_id") is not None}
    records = Record.objects.filter(dataset=dataset)
    by_id = {str(r.pk): r for r in records.filter(pk__in=[r for r in record_ids if _is_uuid(r)])}
    by_external = _records_by_external_id(dataset, list(external_ids))
    bad, good = [], []
    seen: set[tuple] = set()
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            bad.append({"index": index, "field": None, "message": "Each suggestion is an object."})
            continue
        record = by_id.get(str(item.get("record_id"))) or by_external.get(str(item.get("external_id")))
        if record is None:
            bad.append({"index": index, "field": "record_id", "message": "No such record in this dataset."})
            continue
        problems = _suggestion_problems([item], questions)
        key = (record.pk, item.get("question"))
        if not problems and key in seen:
            problems = [{"question": item.get("question"), "message": "Two suggestions for the same record and question."}]
        seen.add(key)
        if problems:
            bad.extend({"index": index, **p} for p in problems)
        else:
            good.append((record, item))
    if bad and on_error == "reject":
        raise _rows_error(f"{len({r['index'] for r in bad})} of {len(items)} suggestions are invalid; nothing was written.", bad)
    with transaction.atomic():
        count = _suggestions_write(good, questions) if good else 0
    return BulkResult(created=count, skipped=bad)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


def record_update(*, actor: User, record: Record, fields: Mapping | None = None, metadata: Mapping | None = None,
                  external_id: str | None = None) -> Record:
    """Change one record's fields, metadata or external id, with the same validation as bulk."""
    dataset = record.dataset
    _require_admin(actor, dataset)
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
        raise _rows_error("The record is invalid; nothing was changed.", [{"index": 0, **p} for p in problems])
    try:
        with transaction.atomic():
            record.fields = item["fields"]
            record.metadata = item["metadata"] or {}
            record.external_id = None if item["external_id"] is None else str(item["external_id"])
            record.save()
    except IntegrityError:
        raise NameTaken("Another record of this dataset has that external_id.", details={"field": "external_id"}) from None
    return record


def records_delete(*, actor: User, dataset: Dataset, record_ids: Iterable) -> int:
    """Delete records of one dataset (with their responses and suggestions)."""
    _require_admin(actor, dataset)
    with transaction.atomic():
        deleted, _ = Record.objects.filter(dataset=dataset, pk__in=list(record_ids)).delete()
    return deleted


# --- responses and claims -----------------------------------------------------------------------

_ALLOWED_TRANSITIONS = {
    None: {"draft", "submitted", "discarded"},
    "draft": {"draft", "submitted", "discarded"},
    "submitted": {"submitted", "discarded"},
    "discarded": {"discarded", "submitted", "draft"},
}


def response_write(*, actor: User, record: Record, values: Any, status: str, user: User | None = None) -> Response:
    """Create or update `user`'s response to a record (the actor's own by default).

    Values are type-checked against the questions; a submitted response answers every required one.
    Locks the record row, then keeps `submitted_count` and `status` right against `min_submitted`
    in the same transaction, and releases the responder's claim once they submit or discard.
    Writing on behalf of another user needs the admin role.
    """
    respondent = user or actor
    dataset = record.dataset
    if respondent.pk != actor.pk:
        _require_admin(actor, dataset)
    else:
        tenancy.require_member(actor, dataset.workspace_id)
    if status not in Response.Status.values:
        raise InvalidResponse(f"status must be one of: {', '.join(Response.Status.values)}.", details={"field": "status"})
    _require_ready(dataset)
    now = timezone.now()
    statements = _ResponseWriteStatements(record_id=record.pk, user_id=respondent.pk)
    with transaction.atomic():
        # Every writer of a record's responses locks the record row first, so once the row is ours
        # its `submitted_count` and the respondent's response stay current until commit. The response
        # is read by a second statement on purpose: under READ COMMITTED, the locking statement's other
        # tables are read in the snapshot taken before it waited for the lock. The dataset's questions
        # come with the lock, as no submission changes them.
        count, record_status, questions = statements.lock_record()
        problems = validation.response_problems(questions, values, status=status)
        if problems:
            raise InvalidResponse(
                "; ".join(f"{p['question']}: {p['message']}" if p["question"] else p["message"] for p in problems),
                details={"questions": {p["question"] or "values": p["message"] for p in problems}},
            )
        response, claim = statements.response_and_claim()
        previous = response.status if response else None
        if status not in _ALLOWED_TRANSITIONS[previous]:
            raise InvalidTransition(
                "A submitted response stays submitted: edit and submit it again, or discard it."
            )
        response = response or Response(
            record=record, user=respondent, started_at=claim.claimed_at if claim else now
        )
        response.values = validation.answered_values(values)
        response.status = status
        if status == Response.Status.SUBMITTED:
            response.submitted_at = now
        if previous is None:
            writes = [rows.insert_statement(response)]
        else:
            writes = [rows.update_statement(response, ["values", "status", "submitted_at"])]
        new_count = count + (status == "submitted") - (previous == "submitted")
        new_status = _record_status(new_count, dataset.min_submitted)
        if (new_count, new_status) != (count, record_status):
            writes.append(statements.update_record(new_count, new_status, now))
        if status != Response.Status.DRAFT and claim is not None:
            writes.append(statements.delete_claim())
        rows.execute_together(writes)
        rows.mark_saved(response)
        _dataset_touch(dataset, now)
    record.status, record.submitted_count = new_status, new_count
    return response


@dataclass
class _ResponseWriteStatements:
    """`response_write`'s statements, hand-written for the annotation loop (DESIGN §8), as
    `_NextRecordLookup` is: each ORM statement cost more CPU to build than to run. Its writes (the
    response, the record's count and status, the claim's release) touch different tables, so
    `rows.execute_together` sends them as one statement on PostgreSQL."""

    record_id: Any
    user_id: Any

    def lock_record(self) -> tuple[int, str, list[Question]]:
        """Lock the record row (PostgreSQL; SQLite's IMMEDIATE transaction already holds the database)
        and return its submitted_count and status, with its dataset's questions in order."""
        sql, loader = _lock_record_sql(connection.vendor)
        found = rows.fetch_all(sql, [rows.pk_param(Record, self.record_id)])
        if not found:
            raise NotFound("Record not found.")
        questions = [loader.load_or_none(row[2:]) for row in found]
        return found[0][0], found[0][1], [question for question in questions if question is not None]

    def response_and_claim(self) -> tuple[Response | None, Claim | None]:
        """The respondent's response to the record and their claim on it, each None if missing."""
        sql, loaders = _response_and_claim_sql(connection.vendor)
        record_id, user_id = rows.pk_param(Record, self.record_id), rows.pk_param(User, self.user_id)
        row = rows.fetch_one(sql, [record_id, user_id, record_id, user_id])
        (response_values, claim_values), _ = rows.split_row(row, loaders)
        return loaders[0].load_or_none(response_values), loaders[1].load_or_none(claim_values)

    def update_record(self, submitted_count: int, status: str, now) -> rows.Statement:
        return (f"UPDATE {_RECORD} SET submitted_count = %s, status = %s, updated_at = %s WHERE id = %s",
                [submitted_count, status, connection.ops.adapt_datetimefield_value(now),
                 rows.pk_param(Record, self.record_id)])

    def delete_claim(self) -> rows.Statement:
        return (f"DELETE FROM {_CLAIM} WHERE record_id = %s AND user_id = %s",
                [rows.pk_param(Record, self.record_id), rows.pk_param(User, self.user_id)])


@cache
def _lock_record_sql(vendor: str):
    """The record's lock with one row per question of its dataset (one row of NULLs when it has none)."""
    loader = rows.row_loader(Question, "q", vendor)
    lock = _record_row_lock()
    sql = (f"SELECT r.submitted_count, r.status, {loader.columns} FROM {_RECORD} r "
           f"LEFT JOIN {Question._meta.db_table} q ON q.dataset_id = r.dataset_id WHERE r.id = %s "
           f"ORDER BY q.position, q.inserted_at{lock + ' OF r' if lock else ''}")
    return sql, loader


def _record_row_lock() -> str:
    """The row lock the loop takes on a record: FOR NO KEY UPDATE where the database has it.

    It serializes the record's response writers and candidate takers just as FOR UPDATE would, but
    does not conflict with the KEY SHARE locks that foreign-key checks hold on the record while other
    transactions insert rows pointing at it (a distribution's assignments, claims), so a submission
    or a next-record call never waits for those transactions to commit.
    """
    if connection.features.has_select_for_no_key_update:
        return " FOR NO KEY UPDATE"
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


@cache
def _response_and_claim_sql(vendor: str):
    loaders = rows.row_loader(Response, "p", vendor), rows.row_loader(Claim, "c", vendor)
    sql = (f"SELECT {loaders[0].columns}, {loaders[1].columns} FROM (SELECT 1 AS one) AS here "
           f"LEFT JOIN {_RESPONSE} p ON p.record_id = %s AND p.user_id = %s "
           f"LEFT JOIN {_CLAIM} c ON c.record_id = %s AND c.user_id = %s")
    return sql, loaders


ACTIVITY_RESOLUTION = timedelta(minutes=1)


def _dataset_touch(dataset: Dataset, now) -> None:
    """Move `last_activity_at` forward, at most once per ACTIVITY_RESOLUTION.

    Every submission used to update the dataset row, which made all labelers of a dataset queue on
    that one row lock until their transaction committed; a minute is finer than anything reading it
    (the dashboard shows minutes). `dataset` comes fresh from its request, and the stored value only
    moves forward, so a stale in-memory value can only cause an extra update, never a missed one.
    """
    if dataset.last_activity_at is None or now - dataset.last_activity_at >= ACTIVITY_RESOLUTION:
        Dataset.objects.filter(pk=dataset.pk).update(last_activity_at=now)
        dataset.last_activity_at = now


def _record_status(submitted_count: int, min_submitted: int) -> str:
    return Record.Status.COMPLETED if submitted_count >= min_submitted else Record.Status.PENDING


def _record_sync_status(record: Record, min_submitted: int) -> None:
    status = _record_status(record.submitted_count, min_submitted)
    if record.status != status:
        record.status = status
        record.save(update_fields=["status", "updated_at"])


def response_delete(*, actor: User, response: Response) -> None:
    """Delete a response (its author or an admin) and re-derive the record's status."""
    record = response.record
    if response.user_id != actor.pk:
        _require_admin(actor, record.dataset)
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=record.pk)
        was_submitted = Response.objects.filter(pk=response.pk, status=Response.Status.SUBMITTED).exists()
        response.delete()
        if was_submitted:
            locked.submitted_count = max(0, locked.submitted_count - 1)
            locked.save(update_fields=["submitted_count", "updated_at"])
        _record_sync_status(locked, record.dataset.min_submitted)


def record_claim_next(*, actor: User, dataset: Dataset, exclude_ids: Iterable = ()) -> Record | None:
    """Hand the actor their next record (DESIGN §4) and hold a short claim on it; None when nothing is left.

    Order: records assigned to them without their submitted/discarded response; then, in open
    distribution, the record they already hold a live claim on (asking twice gives the same record,
    not a second claim), then incomplete records they have not answered, fewest submitted responses
    first, then oldest — skipping any record whose submitted responses plus live claims by others
    already reach `min_submitted`. Candidate rows are locked with SKIP LOCKED on PostgreSQL, so
    concurrent callers take different records; SQLite runs writers one at a time (IMMEDIATE
    transactions) instead.
    """
    membership = tenancy.require_membership(actor, dataset.workspace_id)
    _require_ready(dataset)
    exclude_ids = list(exclude_ids)
    lookup = _NextRecordLookup(actor=actor, dataset=dataset, now=timezone.now())
    with transaction.atomic():
        # No lock and no recount: an assigned record is the actor's own to take, and SKIP LOCKED would
        # wrongly pass over a record whose row another holder's response write has locked for a
        # moment; while the actor's own claim was live every other claim counted it, so renewing it
        # cannot push the record past `min_submitted`.
        held = lookup.held(exclude_ids, open_distribution=dataset.distribution == Dataset.Distribution.OPEN)
        if held is not None and held.held_by == "assignment":
            lookup.claim(held)
            return held
        if dataset.distribution != Dataset.Distribution.OPEN or _over_quota(actor, dataset, membership):
            return None
        if held is not None:
            lookup.claim(held)
            return held
        # READ COMMITTED: the candidate query's snapshot predates claims committed while it ran, and a
        # claim does not touch the record row, so a record locked just after another labeler's claim
        # committed looks free. The claim is therefore taken by a fresh statement, once the row is
        # ours, and only if the recount still leaves room.
        while (record := lookup.candidate(exclude_ids)) is not None:
            if lookup.claim(record, unless_taken=True):
                return record
            exclude_ids.append(record.pk)
        return None


@dataclass
class _NextRecordLookup:
    """`record_claim_next`'s statements, hand-written.

    They run on every call of the annotation loop (DESIGN §8), where building the equivalent
    querysets (an Exists, a claims-count subquery, a row lock, an upsert) cost more CPU than the
    database spent answering them. Both lookups return a record of the dataset that the actor has
    not submitted or discarded, outside `exclude_ids`:

    - held: the first record assigned to the actor, in creation order, else (in open distribution)
      the first pending record with a live claim of the actor's; `record.held_by` tells which;
    - candidate: pending, its submitted responses plus other labelers' live claims below
      `min_submitted`, fewest submitted first, then oldest, locked with SKIP LOCKED where the database
      has it. It walks the (dataset, status, submitted_count, ordinal) index in order and stops at
      the first free row, whatever the size of the queue.
    """

    actor: User
    dataset: Dataset
    now: Any

    @cached_property
    def _params(self) -> dict:
        now = connection.ops.adapt_datetimefield_value(self.now)
        expires = connection.ops.adapt_datetimefield_value(self.now + timedelta(seconds=settings.CLAIM_TTL_SECONDS))
        return {"actor": rows.pk_param(User, self.actor.pk), "dataset": rows.pk_param(Dataset, self.dataset.pk),
                "now": now, "expires": expires}

    @cached_property
    def _record_row(self) -> rows.RowLoader:
        return rows.row_loader(Record, "r", connection.vendor)

    def _unanswered(self, exclude_ids: list, params: list) -> str:
        """WHERE conditions shared by both lookups, appending their parameters to `params`."""
        p = self._params
        where = ["r.dataset_id = %s", f"NOT EXISTS (SELECT 1 FROM {_RESPONSE} s WHERE s.record_id = r.id"
                 " AND s.user_id = %s AND s.status IN (%s, %s))"]
        params += [p["dataset"], p["actor"], Response.Status.SUBMITTED, Response.Status.DISCARDED]
        if exclude_ids:
            where.append(f"r.id NOT IN ({', '.join(['%s'] * len(exclude_ids))})")
            params += [rows.pk_param(Record, pk) for pk in exclude_ids]
        return " AND ".join(where)

    def held(self, exclude_ids: list, *, open_distribution: bool) -> Record | None:
        p = self._params
        params: list = [p["actor"]]
        columns = self._record_row.columns
        branches = [f"SELECT {columns}, 'assignment' AS held_by, 0 AS priority FROM {_RECORD} r "
                    f"JOIN {_ASSIGNMENT} a ON a.record_id = r.id AND a.user_id = %s "
                    f"WHERE {self._unanswered(exclude_ids, params)} ORDER BY r.ordinal LIMIT 1"]
        if open_distribution:
            params += [p["actor"], p["now"]]
            where = self._unanswered(exclude_ids, params)
            params.append(Record.Status.PENDING)
            branches.append(f"SELECT {columns}, 'claim' AS held_by, 1 AS priority FROM {_RECORD} r "
                            f"JOIN {_CLAIM} c ON c.record_id = r.id AND c.user_id = %s AND c.expires_at > %s "
                            f"WHERE {where} AND r.status = %s ORDER BY r.ordinal LIMIT 1")
        sql = " UNION ALL ".join(f"SELECT * FROM ({branch}) AS b{i}" for i, branch in enumerate(branches))
        row = rows.fetch_one(f"{sql} ORDER BY priority LIMIT 1", params)
        if row is None:
            return None
        record = self._record_row.load(row[:-2])
        record.held_by = row[-2]
        return record

    def candidate(self, exclude_ids: list) -> Record | None:
        p = self._params
        params: list = []
        where = self._unanswered(exclude_ids, params)
        params += [Record.Status.PENDING, p["now"], p["actor"], self.dataset.min_submitted]
        lock = f"{_record_row_lock()} OF r SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
        sql = (f"SELECT {self._record_row.columns} FROM {_RECORD} r "
               f"WHERE {where} AND r.status = %s "
               f"AND r.submitted_count + (SELECT COUNT(*) FROM {_CLAIM} o WHERE o.record_id = r.id"
               " AND o.expires_at > %s AND o.user_id <> %s) < %s "
               f"ORDER BY r.submitted_count, r.ordinal LIMIT 1{lock}")
        row = rows.fetch_one(sql, params)
        return None if row is None else self._record_row.load(row)

    def claim(self, record: Record, *, unless_taken: bool = False) -> bool:
        """Take or renew the actor's claim on `record` in one statement; whether it was taken.

        With `unless_taken` (call it with the record row locked, so its `submitted_count` is
        current), only while its submitted responses plus other labelers' live claims stay below
        `min_submitted`.
        """
        p = self._params
        params = [rows.pk_param(Record, record.pk), p["actor"], p["now"], p["expires"]]
        condition = ""
        if unless_taken:
            condition = (f" AND (SELECT COUNT(*) FROM {_CLAIM} o WHERE o.record_id = %s AND o.expires_at > %s"
                         " AND o.user_id <> %s) < %s")
            params += [params[0], p["now"], p["actor"], self.dataset.min_submitted - record.submitted_count]
        sql = (f"INSERT INTO {_CLAIM} (record_id, user_id, claimed_at, expires_at) SELECT %s, %s, %s, %s "
               f"WHERE 1 = 1{condition} ON CONFLICT (record_id, user_id) DO UPDATE "
               "SET claimed_at = excluded.claimed_at, expires_at = excluded.expires_at RETURNING id")
        return rows.fetch_one(sql, params) is not None


def _over_quota(actor: User, dataset: Dataset, membership: Membership | None) -> bool:
    """Whether the actor has answered their membership's quota of this dataset (no query without a quota)."""
    quota = membership.quota if membership is not None else None
    if quota is None:
        return False
    done = Response.objects.filter(
        record__dataset=dataset, user_id=actor.pk, status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED]
    ).count()
    return done >= quota


def claim_release(*, actor: User, record: Record) -> None:
    """Give a claimed record back (the portal's Skip), so others may take it at once."""
    with transaction.atomic():
        Claim.objects.filter(record=record, user_id=actor.pk).delete()


def assignment_add(*, actor: User, record: Record, user: User) -> Assignment:
    """Assign one record to one annotator of its workspace (bulk distribution comes with issue #5)."""
    _require_admin(actor, record.dataset)
    tenancy.require_member(user, record.dataset.workspace_id)
    with transaction.atomic():
        assignment, _ = Assignment.objects.get_or_create(record=record, user=user, defaults={"assigned_by": actor})
    return assignment


def responses_upsert(*, actor: User, dataset: Dataset, items: Sequence[Mapping]) -> list[Response]:
    """Write many users' responses at once: an admin logging annotators' answers (Argilla's bulk paths).

    Each item is `{"index", "record", "user", "values", "status"}` with `record` a record of `dataset`;
    one response per (record, user) is created or replaced, other users' responses are kept. Every bad
    item is reported with its index and nothing is written when any is bad; respondents must belong to
    the workspace. Locks the records, then re-derives `submitted_count` and `status` in the same transaction.
    """
    _require_admin(actor, dataset)
    _require_ready(dataset)
    questions = list(dataset.questions.all())
    bad: list[dict] = []
    seen: set[tuple] = set()
    members: dict = {}
    for item in items:
        index, user = item["index"], item["user"]
        key = (item["record"].pk, user.pk)
        if user.pk not in members:
            members[user.pk] = tenancy.is_owner(user) or tenancy.member_workspace_ids(user).filter(
                workspace_id=dataset.workspace_id
            ).exists()
        if not members[user.pk]:
            bad.append({"index": index, "field": "user_id", "message": f"{user.username} is not a member of this workspace."})
        if key in seen:
            bad.append({"index": index, "field": "user_id", "message": "Two responses by the same user for one record."})
        seen.add(key)
        if item["status"] not in Response.Status.values:
            bad.append({"index": index, "field": "status",
                        "message": f"status must be one of: {', '.join(Response.Status.values)}."})
            continue
        for problem in validation.response_problems(questions, item["values"], status=item["status"]):
            bad.append({"index": index, "question": problem["question"], "message": problem["message"]})
    if bad:
        raise _rows_error(f"{len({row['index'] for row in bad})} responses are invalid; nothing was written.", bad)
    now = timezone.now()
    with transaction.atomic():
        record_ids = sorted({item["record"].pk for item in items})
        locked = {r.pk: r for r in Record.objects.select_for_update().filter(dataset=dataset, pk__in=record_ids).order_by("pk")}
        existing = {
            (r.record_id, r.user_id): r
            for r in Response.objects.select_for_update().filter(record_id__in=record_ids, user_id__in=list(members))
        }
        to_create, to_update, written = [], [], []
        for item in items:
            record, user, status = locked[item["record"].pk], item["user"], item["status"]
            response = existing.get((record.pk, user.pk))
            if response is not None and status not in _ALLOWED_TRANSITIONS[response.status]:
                raise _rows_error("A submitted response stays submitted: submit it again or discard it.",
                                  [{"index": item["index"], "field": "status", "message": f"{response.status} → {status}"}])
            if response is None:
                response = Response(record=record, user=user, started_at=now)
                to_create.append(response)
            else:
                response.updated_at = now
                to_update.append(response)
            response.values = validation.answered_values(item["values"])
            response.status = status
            if status == Response.Status.SUBMITTED:
                response.submitted_at = now
            written.append(response)
        Response.objects.bulk_create(to_create, batch_size=BULK_BATCH)
        Response.objects.bulk_update(to_update, ["values", "status", "submitted_at", "updated_at"], batch_size=BULK_BATCH)
        counts = dict(
            Response.objects.filter(record_id__in=record_ids, status=Response.Status.SUBMITTED)
            .values_list("record_id").annotate(n=Count("id")).order_by()
        )
        # Few distinct (count, status) pairs: one UPDATE each, cheaper than a CASE per record.
        changed: dict[tuple, list] = {}
        for record in locked.values():
            submitted = counts.get(record.pk, 0)
            status = Record.Status.COMPLETED if submitted >= dataset.min_submitted else Record.Status.PENDING
            if (record.submitted_count, record.status) != (submitted, status):
                changed.setdefault((submitted, status), []).append(record.pk)
        for (submitted, status), pks in changed.items():
            Record.objects.filter(pk__in=pks).update(submitted_count=submitted, status=status, updated_at=now)
        Dataset.objects.filter(pk=dataset.pk).update(last_activity_at=now)
    return written


def user_delete(*, actor: User, user: User) -> None:
    """Delete a user with their responses (owners only, not themselves); the records they had submitted
    are re-derived against their dataset's min_submitted in the same transaction."""
    tenancy.require_owner(actor)
    if user.pk == actor.pk:
        raise InvalidInput("You cannot delete your own account.")
    with transaction.atomic():
        record_ids = list(
            Response.objects.filter(user=user, status=Response.Status.SUBMITTED).values_list("record_id", flat=True)
        )
        user.delete()
        for start in range(0, len(record_ids), BULK_BATCH):
            records = Record.objects.filter(pk__in=record_ids[start : start + BULK_BATCH])
            records.update(submitted_count=F("submitted_count") - 1)
            records.filter(submitted_count__lt=F("dataset__min_submitted")).update(status=Record.Status.PENDING)
