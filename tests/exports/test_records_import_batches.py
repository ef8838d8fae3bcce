"""A file import larger than one write batch: updates, new rows and skipped rows across batches.

Runs on both databases; on PostgreSQL the batches go through the COPY path of records_upsert.
"""

import pytest

from exports import importing
from labeling.models import Record
from labeling.selectors.lookups import dataset_access_for
from labeling.services import records as record_services


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 2)


def test_upsert_with_duplicates_and_bad_rows_across_batches(admin, dataset, tmp_path, small_batches):
    record_services.records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=[
        {"external_id": "kept", "fields": {"prompt": "old"}, "metadata": {"topic": "a"}},
        {"external_id": "changed", "fields": {"prompt": "old"}, "metadata": {"topic": "a"}},
    ])
    path = tmp_path / "p.csv"
    path.write_text(
        "external_id,prompt,metadata.topic\n"
        "n1,first,x\n"
        "changed,new,\n"  # empty metadata cell: the metadata is left as it was
        ",no id,\n"
        "n1,repeat,y\n"  # same external id as line 2: skipped
        "bad,,\n"  # required field missing: skipped
        "n2,second,z\n",
        encoding="utf-8",
    )
    access = dataset_access_for(user=admin, dataset=dataset)
    result = importing.records_import_file(access=access, path=path, file_format="csv", on_error="skip")

    assert (result.rows, result.created, result.updated, result.bad_count) == (6, 3, 1, 2)
    assert [row["line"] for row in result.bad_rows] == [5, 6]
    stored = list(Record.objects.filter(dataset=dataset).order_by("ordinal")
                  .values_list("ordinal", "external_id", "fields", "metadata"))
    assert stored == [
        (1, "kept", {"prompt": "old"}, {"topic": "a"}),
        (2, "changed", {"prompt": "new"}, {"topic": "a"}),
        (3, "n1", {"prompt": "first"}, {"topic": "x"}),
        (4, None, {"prompt": "no id"}, {}),
        (5, "n2", {"prompt": "second"}, {"topic": "z"}),
    ]

