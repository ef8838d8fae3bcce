import pytest

from config.errors import InvalidInput, PermissionDenied
from labeling.errors import DatasetNotReady, InvalidRecords
from labeling.models import Record, Suggestion
from labeling.selectors.lookups import dataset_access_for
from labeling.services import records as record_services

from ..factories import DatasetFactory, MetadataPropertyFactory


def rows(n, start=0):
    return [{"external_id": f"e{i}", "fields": {"prompt": f"p{i}"}, "metadata": {"topic": "cards"}} for i in range(start, start + n)]


def test_creates_records_in_order(admin, dataset):
    result = record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=rows(3))
    assert (result.created, result.updated) == (3, 0)
    assert list(Record.objects.filter(dataset=dataset).values_list("external_id", "ordinal")) == [
        ("e0", 1), ("e1", 2), ("e2", 3)
    ]


def test_upsert_by_external_id_updates_and_duplicates_nothing(admin, dataset):
    record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=rows(3))
    changed = [{"external_id": "e1", "fields": {"prompt": "new"}}, *rows(1, start=3)]
    result = record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=changed)
    assert (result.created, result.updated) == (1, 1)
    assert Record.objects.filter(dataset=dataset).count() == 4
    assert Record.objects.get(dataset=dataset, external_id="e1").fields == {"prompt": "new"}


def test_every_bad_row_reported_and_nothing_written(admin, dataset):
    items = [
        {"fields": {"prompt": "ok"}},
        {"fields": {}},
        {"fields": {"prompt": 5, "extra": "x"}},
        "not an object",
        {"external_id": "dup", "fields": {"prompt": "a"}},
        {"external_id": "dup", "fields": {"prompt": "b"}},
    ]
    with pytest.raises(InvalidRecords) as info:
        record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=items)
    reported = {(row["index"], row.get("field"), row["message"]) for row in info.value.details["rows"]}
    assert reported == {
        (1, "prompt", "This field is required."),
        (2, "extra", "Unknown field 'extra'."),
        (2, "prompt", "Field values are strings."),
        (3, None, "Each record is an object with 'fields'."),
        (5, "external_id", "external_id 'dup' repeats row 4."),
    }
    assert "4 of 6 records are invalid" in info.value.message
    assert not Record.objects.exists()


def test_skip_writes_good_rows_and_lists_bad_ones(admin, dataset):
    result = record_services.records_upsert(
        access=dataset_access_for(user=admin, dataset=dataset), items=[{"fields": {"prompt": "ok"}}, {"fields": {}}],
        on_error="skip",
    )
    assert result.created == 1
    assert result.skipped == [{"index": 1, "field": "prompt", "message": "This field is required."}]


def test_metadata_validated_against_properties(admin, dataset):
    MetadataPropertyFactory(dataset=dataset, name="tokens", type="integer", settings={"type": "integer", "min": 0, "max": 10})
    dataset.allow_extra_metadata = False
    dataset.save()
    with pytest.raises(InvalidRecords) as info:
        record_services.records_upsert(
            access=dataset_access_for(user=admin, dataset=dataset),
            items=[{"fields": {"prompt": "a"}, "metadata": {"tokens": 11, "other": 1}}],
        )
    messages = {row["field"]: row["message"] for row in info.value.details["rows"]}
    assert messages == {"metadata.tokens": "Must be at most 10.", "metadata.other": "Unknown metadata property 'other'."}


def test_suggestions_ride_along_and_are_replaced(admin, dataset):
    item = {"external_id": "s", "fields": {"prompt": "a"}, "suggestions": [{"question": "quality", "value": 4, "agent": "m"}]}
    record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=[item])
    item["suggestions"][0]["value"] = 2
    record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=[item])
    assert list(Suggestion.objects.values_list("value", flat=True)) == [2]


def test_bad_suggestion_value_rejected(admin, dataset):
    item = {"fields": {"prompt": "a"}, "suggestions": [{"question": "quality", "value": 9}]}
    with pytest.raises(InvalidRecords) as info:
        record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=[item])
    assert info.value.details["rows"] == [{"index": 0, "question": "quality", "message": "Choose one of 1, 2, 3, 4, 5."}]


def test_draft_dataset_refuses_records(admin, workspace):
    draft = DatasetFactory(workspace=workspace, status="draft")
    with pytest.raises(DatasetNotReady):
        record_services.records_upsert(access=dataset_access_for(user=admin, dataset=draft), items=rows(1))


def test_annotator_cannot_add_records(annotator, dataset):
    with pytest.raises(PermissionDenied):
        record_services.records_upsert(access=dataset_access_for(user=annotator, dataset=dataset), items=rows(1))
    assert not Record.objects.exists()


def test_too_many_rows_refused(admin, dataset):
    with pytest.raises(InvalidInput, match="at most 10000"):
        record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=[{}] * 10_001)


def test_nul_characters_are_refused_before_the_database_sees_them(admin, annotator, dataset):
    """PostgreSQL cannot store U+0000 in text or jsonb: a 400-class error, not a database error."""
    items = [
        {"fields": {"prompt": "a\x00b"}},
        {"external_id": "x\x00", "fields": {"prompt": "ok"}},
        {"fields": {"prompt": "ok"}, "metadata": {"topic": ["fine", "bad\x00"]}},
    ]
    with pytest.raises(InvalidRecords) as info:
        record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=items)
    assert {(row["index"], row["field"]) for row in info.value.details["rows"]} == {
        (0, "prompt"), (1, "external_id"), (2, "metadata.topic")
    }
    assert {row["message"] for row in info.value.details["rows"]} == {"Text cannot contain NUL characters (\\u0000)."}
    assert not Record.objects.exists()
