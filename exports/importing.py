"""File imports (DESIGN §4 validation, §5): map columns, validate the whole file, then write in batches.

The file is read twice, streaming both times: first every row is mapped and validated (bad rows
collected with their line numbers), then, when the file may be imported, the good rows go to
`labeling.services.records.records_upsert` in batches inside one transaction, so an import is all or
nothing and a retried job cannot write twice.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from config.errors import InvalidInput
from labeling import validation
from labeling.access import DatasetAccess
from labeling.errors import DatasetNotReady
from labeling.models import Dataset, MetadataProperty
from labeling.services import bulk as bulk_services
from labeling.services import records as record_services

from .errors import InvalidImportFile
from .readers import READERS, RowError

PROGRESS_EVERY = 5_000  # rows between progress reports while validating
# Rows per records_upsert call: its most, since each call pays fixed queries (schema, lock, max ordinal).
BATCH = bulk_services.MAX_RECORDS_PER_CALL
MAX_REPORTED_ROWS = 1_000
NESTED_KEYS = {"fields", "metadata", "external_id", "suggestions"}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    bad_rows: list[dict] = field(default_factory=list)
    bad_count: int = 0
    bad_lines: set[int] = field(default_factory=set)

    def bad(self, line: int, problems: list[dict]) -> None:
        self.bad_count += 1
        self.bad_lines.add(line)
        for problem in problems:
            if len(self.bad_rows) < MAX_REPORTED_ROWS:
                self.bad_rows.append({"line": line, "field": problem.get("field") or problem.get("question"),
                                      "message": problem["message"]})


Progress = Callable[[str, int, int], None]


class RowMapper:
    """Turn a file row into a records_upsert item, following the column mapping.

    A column maps to `external_id`, `fields.<name>` (or a bare field name), `metadata.<name>`
    (or a bare metadata property name), or None to ignore it. Unmapped columns default by name.
    JSON rows already in the API's shape (`{"fields": {...}, "metadata": {...}}`) pass through.
    """

    def __init__(self, dataset: Dataset, mapping: Mapping[str, str | None]):
        self.fields = list(dataset.fields.all())
        self.properties = {p.name: p for p in dataset.metadata_properties.all()}
        self.field_names = {f.name for f in self.fields}
        self.mapping = dict(mapping or {})
        self._plans: dict[tuple, list[tuple[str, str, str]] | InvalidImportFile] = {}
        for column, target in self.mapping.items():
            if target is not None and self._target(target) is None:
                raise InvalidImportFile(
                    f"Column '{column}' is mapped to '{target}', which is not a field, 'external_id' or 'metadata.<name>'.",
                    details={"column": column},
                )

    def _target(self, name: str) -> tuple[str, str] | None:
        if name == "external_id":
            return ("external_id", "")
        if name.startswith("fields.") and name[7:] in self.field_names:
            return ("fields", name[7:])
        if name in self.field_names:
            return ("fields", name)
        if name.startswith("metadata.") and len(name) > 9:
            return ("metadata", name[9:])
        if name in self.properties:
            return ("metadata", name)
        return None

    def plan(self, columns: tuple) -> list[tuple[str, str, str]]:
        """Where each column goes, for one set of columns; raises for unknown or missing columns."""
        cached = self._plans.get(columns)
        if cached is None:
            cached = self._plans[columns] = self._make_plan(columns)
        if isinstance(cached, InvalidImportFile):
            raise cached
        return cached

    def _make_plan(self, columns: tuple):
        plan, unknown = [], []
        for column in columns:
            if column in self.mapping:
                target = self.mapping[column]
                if target is not None:
                    plan.append((column, *self._target(target)))
                continue
            target = self._target(column)
            if target is None:
                unknown.append(column)
            else:
                plan.append((column, *target))
        if unknown:
            return InvalidImportFile(
                f"Unknown column(s): {', '.join(unknown)}. Name a field ({', '.join(sorted(self.field_names))}), "
                "external_id or metadata.<name>, or map the column to null to ignore it.",
                details={"columns": unknown},
            )
        mapped = {name for _, kind, name in plan if kind == "fields"}
        missing = [f.name for f in self.fields if f.required and f.name not in mapped]
        if missing:
            return InvalidImportFile(
                f"No column for the required field(s): {', '.join(missing)}. Add the column or map one to it.",
                details={"fields": missing},
            )
        return plan

    def item(self, row: dict) -> dict:
        if "fields" in row and isinstance(row["fields"], Mapping) and set(row) <= NESTED_KEYS:
            return row
        item: dict[str, Any] = {"fields": {}}
        metadata: dict[str, Any] = {}
        for column, kind, name in self.plan(tuple(row)):
            value = row[column]
            if value is None or value == "":
                continue
            if kind == "external_id":
                item["external_id"] = value
            elif kind == "fields":
                item["fields"][name] = value
            else:
                metadata[name] = self._metadata_value(name, value)
        if metadata:
            item["metadata"] = metadata
        return item

    def _metadata_value(self, name: str, value: Any) -> Any:
        """CSV cells are text: read numbers for integer and float properties (validation judges the result)."""
        prop = self.properties.get(name)
        if prop is None or not isinstance(value, str):
            return value
        try:
            if prop.type == MetadataProperty.Type.INTEGER:
                return int(value)
            if prop.type == MetadataProperty.Type.FLOAT:
                return float(value)
        except ValueError:
            return value
        return value


def _items(path: Path, file_format: str, mapper: RowMapper, result: ImportResult | None) -> Iterator[tuple[int, dict]]:
    for line, row in READERS[file_format](path):
        if isinstance(row, RowError):
            if result is not None:
                result.rows += 1
                result.bad(line, [{"field": None, "message": row.message}])
            continue
        try:
            item = mapper.item(row)
        except InvalidImportFile as exc:
            # JSON rows each bring their own keys: an unknown or missing one is that row's problem.
            # CSV and Parquet columns are the file's, so there it stops the file.
            if file_format not in ("jsonl", "json"):
                raise
            if result is not None:
                result.rows += 1
                result.bad(line, [{"field": None, "message": exc.message}])
            continue
        yield line, item


def records_import_file(
    *, access: DatasetAccess, path: Path, file_format: str, mapping: Mapping | None = None,
    on_error: str = "reject", progress: Progress | None = None,
) -> ImportResult:
    """Import records from a local file into the accessed dataset (the caller must administer it).

    Validates every row first; with on_error="reject" any bad row raises InvalidImportFile
    (details["rows"] with line numbers) and nothing is written; with "skip" the good rows are
    written and the bad ones reported. Re-importing updates records by external_id.
    """
    access.require_admin()
    dataset = access.dataset
    if on_error not in ("reject", "skip"):
        raise InvalidInput("on_error must be 'reject' or 'skip'.", details={"field": "on_error"})
    if dataset.status != Dataset.Status.READY:
        raise DatasetNotReady(f"Publish the dataset '{dataset.name}' before importing records.")
    mapper = RowMapper(dataset, mapping or {})
    result = _validate(dataset, path, file_format, mapper, progress)
    if result.bad_count and on_error == "reject":
        raise InvalidImportFile(
            f"{result.bad_count} row(s) of the file are invalid; nothing was imported. Fix them or import with on_error='skip'.",
            code="invalid_records",
            details={"rows": result.bad_rows, "bad_count": result.bad_count},
        )
    if result.rows == 0 and not result.bad_count:
        raise InvalidImportFile("The file holds no records.")
    _write_good_rows(access, path, file_format, mapper, result, progress)
    return result


def _validate(dataset: Dataset, path: Path, file_format: str, mapper: RowMapper, progress: Progress | None) -> ImportResult:
    """Read the whole file once, checking every row (external ids included) without writing anything."""
    check = validation.record_checker(
        fields=mapper.fields, metadata_properties=mapper.properties.values(),
        allow_extra_metadata=dataset.allow_extra_metadata,
    )
    result = ImportResult()
    seen_external: dict[str, int] = {}
    for line, item in _items(path, file_format, mapper, result):
        result.rows += 1
        problems = check(item)
        external_id = item.get("external_id")
        if not problems and external_id is not None:
            key = str(external_id)
            if key in seen_external:
                problems = [{"field": "external_id", "message": f"external_id '{key}' repeats line {seen_external[key]}."}]
            else:
                seen_external[key] = line
        if problems:
            result.bad(line, problems)
        if progress and result.rows % PROGRESS_EVERY == 0:
            progress("validating", result.rows, 0)
    return result


def _write_good_rows(access: DatasetAccess, path: Path, file_format: str, mapper: RowMapper,
                     result: ImportResult, progress: Progress | None) -> None:
    """Read the file again and write its good rows in batches, all in one transaction."""
    good_total = result.rows - result.bad_count
    if progress:
        progress("writing", 0, good_total)
    written = 0
    with transaction.atomic():
        batch: list[dict] = []
        for line, item in _items(path, file_format, mapper, None):
            if line in result.bad_lines:
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                written += _write(access, batch, result)
                if progress:
                    progress("writing", written, good_total)
        if batch:
            written += _write(access, batch, result)
    if progress:
        progress("writing", written, good_total)


def _write(access: DatasetAccess, batch: list[dict], result: ImportResult) -> int:
    bulk = record_services.records_upsert(access=access, items=batch, on_error="reject")
    result.created += bulk.created
    result.updated += bulk.updated
    count = len(batch)
    batch.clear()
    return count
