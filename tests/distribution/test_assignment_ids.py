"""Assignment ids are version 7 UUIDs (time first), however the assignment is written."""

import time
import uuid

from labeling.models import Assignment, uuid7
from labeling.selectors.lookups import dataset_access_for
from labeling.services import assignments as assignment_services
from labeling.services.distribution import assignments_distribute, assignments_reassign


def milliseconds(value: uuid.UUID) -> int:
    return value.int >> 80


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def assert_version_7_made_between(ids, started_ms, ended_ms):
    assert ids and len(set(ids)) == len(ids)
    for value in ids:
        assert (value.version, value.variant) == (7, uuid.RFC_4122)
        assert started_ms <= milliseconds(value) <= ended_ms


def test_uuid7_puts_the_time_first_and_random_bits_after():
    started = now_ms()
    ids = [uuid7() for _ in range(1000)]
    assert_version_7_made_between(ids, started, now_ms())
    assert len({value.int & ((1 << 62) - 1) for value in ids}) == 1000, "the low 62 bits are random"
    time.sleep(0.002)
    assert uuid7() > max(ids), "a later millisecond sorts after"


def test_distribute_and_reassign_write_version_7_ids(dataset, admin, make_annotators, make_records):
    make_records(40)
    leaving, *_ = make_annotators(4)
    started = now_ms()
    assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=2)
    distributed = list(Assignment.objects.values_list("id", flat=True))
    assert len(distributed) == 80
    assert_version_7_made_between(distributed, started, now_ms())

    started = now_ms()
    access = dataset_access_for(user=admin, dataset=dataset)
    moved = assignments_reassign(access=access, from_user=leaving.username).moved
    new = list(Assignment.objects.exclude(id__in=distributed).values_list("id", flat=True))
    assert moved and len(new) == moved
    assert_version_7_made_between(new, started, now_ms())


def test_distribute_ids_rise_in_unique_index_order(dataset, admin, make_annotators, make_records, is_postgres):
    """PostgreSQL numbers them in insertion order, which is (record, user) order; elsewhere `uuid7`
    makes them one by one, often in the same millisecond, so only distinctness holds there."""
    make_records(30)
    make_annotators(5)
    assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=3)
    rows = list(Assignment.objects.order_by("record_id", "user_id").values_list("id", flat=True))
    assert len(set(rows)) == 90
    if is_postgres:
        assert rows == sorted(rows)


def test_a_single_assignment_gets_a_version_7_id(dataset, admin, make_annotators, make_records):
    [record], [user] = make_records(1), make_annotators(1)
    started = now_ms()
    access = dataset_access_for(user=admin, dataset=record.dataset)
    assignment = assignment_services.assignment_add(access=access, record=record, user=user)
    assignment.refresh_from_db()
    assert_version_7_made_between([assignment.pk], started, now_ms())

