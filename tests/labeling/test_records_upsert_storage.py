"""What records_upsert stores and returns, on both write paths.

On PostgreSQL new records go in by COPY and updates by one UPDATE; on SQLite through the ORM's
bulk_create and bulk_update. The PostgreSQL tests run the same rows through both writers, on two
datasets, and compare every stored column.
"""

import datetime

import pytest

from labeling import validation
from labeling.errors import InvalidRecords
from labeling.models import Record
from labeling.selectors.lookups import dataset_access_for
from labeling.services import records as record_services

from ..factories import DatasetFactory

# Values that COPY's text format must escape, and JSON that must survive the round trip.
AWKWARD = "tab\there, newline\nthere, back\\slash, quote \" and ünïcødé 🙂"
FIRST = [
    {"external_id": "a", "fields": {"prompt": "plain"}, "metadata": {"topic": "cards", "n": 3, "x": 0.5}},
    {"external_id": 7, "fields": {"prompt": AWKWARD}, "metadata": {"nested": {"list": [1, None, True]}}},
    {"fields": {"prompt": "no external id"}},
    {"external_id": f"tab\t{AWKWARD}", "fields": {"prompt": "awkward id"}, "metadata": None},
    {"external_id": "b", "fields": {"prompt": "b"}, "metadata": {}},
]
SECOND = [
    {"external_id": "a", "fields": {"prompt": "changed"}},  # metadata left out: kept
    {"external_id": "new", "fields": {"prompt": "new one"}, "metadata": {"topic": "fees"}},
    {"external_id": "7", "fields": {"prompt": "seven"}, "metadata": {}},  # int and str ids match; {} replaces
    {"external_id": "b", "fields": {"prompt": "b again"}, "metadata": {"topic": "b"}},
]
STORED = ("ordinal", "external_id", "fields", "metadata", "status", "submitted_count")


def _stored(dataset):
    return list(Record.objects.filter(dataset=dataset).order_by("ordinal").values_list(*STORED))


def _check_result_matches_rows(result):
    """The returned records (built without a query) equal the stored rows, in input order."""
    assert result.ids == [record.pk for record in result.records]
    stored = {r.pk: r for r in Record.objects.filter(pk__in=result.ids)}
    for record in result.records:
        row = stored[record.pk]
        assert [getattr(record, name) for name in ("inserted_at", "updated_at", "dataset_id", *STORED)] == [
            getattr(row, name) for name in ("inserted_at", "updated_at", "dataset_id", *STORED)
        ]
        assert not record._state.adding


@pytest.mark.postgres
def test_copy_path_stores_what_the_orm_path_stores(admin, dataset, monkeypatch):
    twin = DatasetFactory(workspace=dataset.workspace)
    copied = []
    for batch in (FIRST, SECOND):
        access = dataset_access_for(user=admin, dataset=dataset)
        copied.append(record_services.records_upsert(access=access, items=batch))
        _check_result_matches_rows(copied[-1])
    with monkeypatch.context() as patch:
        patch.setattr(record_services, "_records_write_postgres", record_services._records_write_orm)
        access = dataset_access_for(user=admin, dataset=twin)
        orm = [record_services.records_upsert(access=access, items=batch) for batch in (FIRST, SECOND)]

    assert _stored(dataset) == _stored(twin)
    assert [(r.created, r.updated) for r in copied] == [(r.created, r.updated) for r in orm] == [(5, 0), (1, 3)]
    assert _stored(dataset)[:2] == [
        (1, "a", {"prompt": "changed"}, {"topic": "cards", "n": 3, "x": 0.5}, "pending", 0),
        (2, "7", {"prompt": "seven"}, {}, "pending", 0),
    ]


@pytest.mark.postgres
def test_copy_path_timestamps(admin, dataset):
    before = datetime.datetime.now(datetime.UTC)
    first = record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=FIRST)
    created = {r.pk: (r.inserted_at, r.updated_at) for r in Record.objects.filter(dataset=dataset)}
    assert all(before <= inserted == updated for inserted, updated in created.values())
    second = record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=SECOND)
    a = Record.objects.get(dataset=dataset, external_id="a")
    assert a.pk == first.ids[0] == second.ids[0]
    assert a.inserted_at == created[a.pk][0] < a.updated_at
    dataset.refresh_from_db()
    assert dataset.last_activity_at == a.updated_at


@pytest.mark.postgres
def test_copy_path_continues_ordinals_and_keeps_duplicates_out(admin, dataset):
    access = dataset_access_for(user=admin, dataset=dataset)
    record_services.records_upsert(access=access, items=[{"fields": {"prompt": "x"}}] * 3)
    rows = [{"external_id": "d", "fields": {"prompt": "1"}}, {"external_id": "d", "fields": {"prompt": "2"}},
            {"fields": {"prompt": "3"}}]
    with pytest.raises(InvalidRecords):
        record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=rows)
    access = dataset_access_for(user=admin, dataset=dataset)
    result = record_services.records_upsert(access=access, items=rows, on_error="skip")
    assert result.skipped == [{"index": 1, "field": "external_id", "message": "external_id 'd' repeats row 0."}]
    added = [(ordinal, external_id, fields) for ordinal, external_id, fields, *_ in _stored(dataset)][3:]
    assert added == [(4, "d", {"prompt": "1"}), (5, None, {"prompt": "3"})]


def test_ids_and_records_follow_the_input_order(admin, dataset):
    access = dataset_access_for(user=admin, dataset=dataset)
    record_services.records_upsert(access=access, items=[{"external_id": "old", "fields": {"prompt": "o"}}])
    result = record_services.records_upsert(
        access=dataset_access_for(user=admin, dataset=dataset),
        items=[{"fields": {"prompt": "n1"}}, {"external_id": "old", "fields": {"prompt": "o2"}}, {"fields": {}}],
        on_error="skip",
    )
    assert [r.fields["prompt"] for r in result.records] == ["n1", "o2"]
    _check_result_matches_rows(result)
    assert result.records[0].dataset == dataset


@pytest.mark.parametrize("external_id, ok", [
    ("x" * 200, True), ("x" * 201, False), (12, True), (10 ** 201, False), (True, False), (1.5, False), ([], False),
])
def test_record_checker_external_id_rule(external_id, ok):
    check = validation.record_checker(fields=[], metadata_properties=[], allow_extra_metadata=True)
    problems = check({"fields": {}, "external_id": external_id})
    message = "external_id is a string of at most 200 characters."
    assert problems == ([] if ok else [{"field": "external_id", "message": message}])
