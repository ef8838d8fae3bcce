"""An assignment always names a record and a user that exist, on every database (DESIGN §2).

SQLite checks this with ordinary foreign keys; PostgreSQL with statement-level triggers that
replace them (labeling migration 0006). Both must refuse the same writes: the tests commit, since
Django's foreign keys are checked at commit on SQLite.
"""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from labeling.models import Assignment, Record

from ..factories import AssignmentFactory, RecordFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def refused(work) -> str:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        work()
    return str(error.value)


def raw(sql: str, *values) -> None:
    """Run SQL past Django's deletion collector, as a script or a console session would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [Record._meta.pk.get_db_prep_value(value, connection) for value in values])


def test_an_assignment_to_a_record_or_user_that_does_not_exist_is_refused(dataset, annotator):
    record = RecordFactory(dataset=dataset)
    missing = uuid.uuid4()

    message = refused(lambda: Assignment.objects.create(record_id=missing, user=annotator))
    assert (f"refers to record {missing} which does not exist" if connection.vendor == "postgresql"
            else "FOREIGN KEY constraint failed") in message
    refused(lambda: Assignment.objects.create(record=record, user_id=uuid.uuid4()))

    assert not Assignment.objects.exists()


def test_one_bad_row_refuses_the_whole_bulk_insert(dataset, annotator):
    rows = [Assignment(record=record, user=annotator) for record in RecordFactory.create_batch(3, dataset=dataset)]
    rows.append(Assignment(record_id=uuid.uuid4(), user=annotator))

    refused(lambda: Assignment.objects.bulk_create(rows))

    assert not Assignment.objects.exists()


def test_moving_an_assignment_to_a_record_that_does_not_exist_is_refused(dataset, annotator):
    assignment = AssignmentFactory(record=RecordFactory(dataset=dataset), user=annotator)

    refused(lambda: Assignment.objects.filter(pk=assignment.pk).update(record_id=uuid.uuid4()))
    refused(lambda: Assignment.objects.filter(pk=assignment.pk).update(user_id=uuid.uuid4()))

    assert Assignment.objects.get().record_id == assignment.record_id
    assert Assignment.objects.get().user_id == annotator.pk


def test_deleting_an_assigned_record_or_user_past_django_is_refused(dataset, annotator):
    record = RecordFactory(dataset=dataset)
    AssignmentFactory(record=record, user=annotator)

    refused(lambda: raw(f"DELETE FROM {Record._meta.db_table} WHERE id = %s", record.pk))
    refused(lambda: raw(f"DELETE FROM {annotator._meta.db_table} WHERE id = %s", annotator.pk))
    refused(lambda: raw(f"UPDATE {Record._meta.db_table} SET id = %s WHERE id = %s", uuid.uuid4(), record.pk))

    assert list(Assignment.objects.values_list("record_id", "user_id")) == [(record.pk, annotator.pk)]


def test_deleting_a_record_or_user_through_django_deletes_their_assignments(dataset, annotator):
    record, other = RecordFactory.create_batch(2, dataset=dataset)
    leaving = UserFactory()
    AssignmentFactory(record=record, user=annotator)
    AssignmentFactory(record=other, user=leaving)
    AssignmentFactory(record=other, user=annotator)

    record.delete()
    leaving.delete()

    assert list(Assignment.objects.values_list("record_id", "user_id")) == [(other.pk, annotator.pk)]


@pytest.mark.postgres
def test_truncating_assigned_records_is_refused(dataset, annotator):
    record = RecordFactory(dataset=dataset)
    AssignmentFactory(record=record, user=annotator)

    message = refused(lambda: raw(f"TRUNCATE {Record._meta.db_table} CASCADE"))

    assert 'cannot be truncated while table "labeling_assignment" has rows' in message
    assert Record.objects.filter(pk=record.pk).exists() and Assignment.objects.count() == 1


@pytest.mark.postgres
def test_postgresql_checks_assignments_per_statement_not_per_row():
    """A migration that brought the foreign keys back would bring back two queries per inserted row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass"
                       " AND confrelid <> 0", [Assignment._meta.db_table])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY 1",
                       [Assignment._meta.db_table])
        assert [name for (name,) in cursor.fetchall()] == [
            "labeling_assignment_check_references_on_insert", "labeling_assignment_check_references_on_update",
        ]
