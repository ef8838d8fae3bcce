"""`labeling.sql.assignments.assignments_insert` writes the rows its ORM equivalent, `bulk_create`, writes.

The statement is PostgreSQL's (arrays through `unnest`); on SQLite the distribution runs `bulk_create`
itself, so the comparison skips there with that reason, and the service's own path is checked on both.
"""

import time
import uuid

import pytest
from django.utils import timezone

from accounts.models import Membership
from labeling import distribution
from labeling.models import Assignment
from labeling.selectors.lookups import dataset_access_for
from labeling.services.distribution import assignments_distribute
from labeling.sql.assignments import assignments_insert

from ..factories import MembershipFactory, RecordFactory, UserFactory


@pytest.fixture
def planned(dataset, workspace):
    """The pairs the planner makes for 7 records of the dataset, 2 of its 3 annotators each."""
    records = [RecordFactory(dataset=dataset, ordinal=n) for n in range(1, 8)]
    users = [UserFactory(username=f"insert-{n}") for n in range(3)]
    for user in users:
        MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
    return distribution.plan_distribution([(record.pk, ()) for record in records], {user.pk: 0 for user in users}, 2)


def _rows():
    """(record, user, assigner) of every assignment, checking both timestamps were set.

    The statement stamps rows with the transaction's start (PostgreSQL's now()), `bulk_create` with
    Python's clock at the write: both are no later than now, neither is compared to the other.
    """
    rows = []
    for a in Assignment.objects.all():
        assert a.inserted_at <= timezone.now() and a.updated_at <= timezone.now()
        rows.append((a.record_id, a.user_id, a.assigned_by_id))
    return sorted(rows)


@pytest.mark.postgres
def test_the_statement_writes_what_bulk_create_writes(planned, admin):
    Assignment.objects.bulk_create(
        [Assignment(record_id=record, user_id=user, assigned_by_id=admin.pk) for record, user in planned]
    )
    expected = _rows()
    Assignment.objects.all().delete()

    started = time.time_ns() // 1_000_000
    assignments_insert(planned, assigned_by_id=admin.pk)

    assert _rows() == expected
    written = list(Assignment.objects.order_by("id").values_list("id", "record_id", "user_id"))
    assert [(record, user) for _, record, user in written] == sorted((r, u) for r, u in planned), \
        "ids rise in (record, user) order, the order of the unique index"
    for value, _, _ in written:
        assert (value.version, value.variant) == (7, uuid.RFC_4122)
        assert value.int >> 80 >= started


def test_the_distribution_writes_the_planned_pairs_on_every_database(dataset, admin, planned):
    """Whichever writer the database gets, a distribution from nothing writes the planner's pairs."""
    assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=2)

    rows = _rows()
    assert len(rows) == len({(record, user) for record, user, _ in rows}) == 7 * 2
    assert {by for _, _, by in rows} == {admin.pk}
