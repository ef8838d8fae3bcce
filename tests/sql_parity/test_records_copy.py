"""`labeling.sql.records_copy` against the ORM's bulk path (PostgreSQL only: COPY and unnest): rows
stored by COPY and changed by the one UPDATE equal, field by field, what bulk_create and bulk_update
store; the existing-record and ordinal reads equal their querysets."""

import json
import uuid
from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

from labeling.models import Record
from labeling.sql import records_copy

from ..factories import DatasetFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

AWKWARD = [
    ({"prompt": "tab\there, newline\nthere, backslash \\ and \\N"}, {"lang": "é ü ß 中文", "n": 3}, "ext\t1\\N"),
    ({"prompt": "quotes \" and ' and nul-free control \u0007"}, {}, None),
    ({"prompt": "emoji 🙂", "nested": {"list": [1, 2.5, None, True]}}, {"score": -0.0}, "ext-2"),
]


def _row(dataset, ordinal, fields, metadata, external_id, now):
    return records_copy.record_row()({
        "id": uuid.uuid4(), "inserted_at": now, "updated_at": now, "dataset_id": dataset.pk, "ordinal": ordinal,
        "external_id": external_id, "fields": fields, "metadata": metadata, "status": Record.Status.PENDING,
        "submitted_count": 0,
    })


def _insert(new_rows):
    """COPY rows through the template the service fills: constants encoded once, the rest per row."""
    names = records_copy.record_attnames()
    constants = ("inserted_at", "updated_at", "dataset_id", "status", "submitted_count")
    for row in new_rows:
        values = dict(zip(names, row, strict=True))
        template = records_copy.line_template({name: values[name] for name in constants})
        records_copy.records_insert([template.format(
            id=values["id"], ordinal=values["ordinal"], external_id=records_copy.copy_text(values["external_id"]),
            fields=records_copy.copy_json(values["fields"]), metadata=records_copy.copy_json(values["metadata"]))])


def _stored(dataset, skip=("id", "dataset_id")):
    return [{name: getattr(record, name) for name in records_copy.record_attnames() if name not in skip}
            for record in Record.objects.filter(dataset=dataset).order_by("ordinal")]


def test_copy_stores_what_bulk_create_stores(workspace):
    copied, created = DatasetFactory(workspace=workspace), DatasetFactory(workspace=workspace)
    now = timezone.now()
    new_rows = [_row(copied, n, *spec, now) for n, spec in enumerate(AWKWARD, start=1)]

    _insert(new_rows)
    names = records_copy.record_attnames()
    Record.objects.bulk_create([Record(**{**dict(zip(names, row, strict=True)), "id": uuid.uuid4(),
                                          "dataset_id": created.pk}) for row in new_rows])

    # bulk_create stamps its own now (auto_now_add); COPY stores the service's.
    untimed = ("id", "dataset_id", "inserted_at", "updated_at")
    assert _stored(copied, untimed) == _stored(created, untimed)
    assert {(r["inserted_at"], r["updated_at"]) for r in _stored(copied)} == {(now, now)}
    assert [r.pk for r in Record.objects.filter(dataset=copied).order_by("ordinal")] == [row[0] for row in new_rows]


def test_update_changes_what_bulk_update_changes(workspace):
    updated, orm = DatasetFactory(workspace=workspace), DatasetFactory(workspace=workspace)
    now = timezone.now()
    for dataset in (updated, orm):
        _insert([_row(dataset, n, *spec, now) for n, spec in enumerate(AWKWARD, start=1)])
    later = now + timedelta(minutes=1)
    changes = [({"prompt": "new\ttext"}, {"k": "v"}), ({"prompt": "only fields"}, None), ({"prompt": "x"}, {})]

    targets = list(Record.objects.filter(dataset=updated).order_by("ordinal"))
    records_copy.records_update([(record.pk, records_copy.json_text(fields),
                                  None if metadata is None else records_copy.json_text(metadata))
                                 for record, (fields, metadata) in zip(targets, changes, strict=True)], later)
    twins = list(Record.objects.filter(dataset=orm).order_by("ordinal"))
    for record, (fields, metadata) in zip(twins, changes, strict=True):
        record.fields = fields
        if metadata is not None:
            record.metadata = metadata
        record.updated_at = later
    Record.objects.bulk_update(twins, ["fields", "metadata", "updated_at"])

    assert _stored(updated) == _stored(orm)


def test_reads_match_their_querysets(workspace):
    dataset, empty = DatasetFactory(workspace=workspace), DatasetFactory(workspace=workspace)
    _insert([_row(dataset, n, *spec, timezone.now()) for n, spec in enumerate(AWKWARD, start=4)])
    external_ids = ["ext\t1\\N", "ext-2", "missing"]

    found = records_copy.records_by_external_id(dataset.pk, external_ids)

    expected = Record.objects.filter(dataset=dataset, external_id__in=external_ids)
    assert set(found) == {record.external_id for record in expected}
    for record in expected:
        external_id, pk, inserted_at, ordinal, metadata, status, submitted = found[record.external_id]
        assert (external_id, pk, inserted_at, ordinal, status, submitted) == (
            record.external_id, record.pk, record.inserted_at, record.ordinal, record.status, record.submitted_count)
        assert records_copy.json_text(record.metadata) == records_copy.json_text(json.loads(metadata))
    for each in (dataset, empty):
        assert records_copy.max_ordinal(each.pk) == (Record.objects.filter(dataset=each).aggregate(m=Max("ordinal"))["m"] or 0)
