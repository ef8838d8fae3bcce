"""On PostgreSQL a distribution's batched insert and concurrent writes of what it refers to never leave a
dangling assignment: the loser gets a 409 Conflict (the distribution) or an IntegrityError (a delete)."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from config.errors import Conflict
from labeling.models import Assignment, Record
from labeling.selectors.lookups import dataset_access_for
from labeling.services.distribution import assignments_distribute

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(work):
    """Run `work` on its own connection; the returned function waits and gives its outcome."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as error:  # handed to the test, which asserts on it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()

    def result():
        thread.join(timeout=30)
        return outcome

    return result


def held_open(work):
    """Run `work` in a transaction on its own connection and keep that transaction open.

    Returns a function that lets the transaction commit and gives its outcome."""
    done, release = threading.Event(), threading.Event()

    def run_and_hold():
        with transaction.atomic():
            value = work()
            done.set()
            release.wait(timeout=20)
        return value

    outcome = in_thread(run_and_hold)
    done.wait(timeout=20)

    def commit():
        release.set()
        return outcome()

    return commit


def wait_for_a_lock_wait(timeout=20.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("neither transaction ever waited on the other")


def test_an_assignment_added_during_the_insert_is_a_conflict(dataset, admin, make_annotators, make_records):
    [record], [user] = make_records(1), make_annotators(1)
    adder = held_open(lambda: Assignment.objects.create(record=record, user=user, assigned_by=admin))
    distribution = in_thread(lambda: assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=1))
    wait_for_a_lock_wait()

    assert "error" not in adder()
    error = distribution().get("error")
    assert isinstance(error, Conflict) and error.message == "Assignments changed while distributing; run it again."
    assert list(Assignment.objects.values_list("record_id", "user_id", "assigned_by_id")) == [
        (record.pk, user.pk, admin.pk)
    ]


def test_a_record_deleted_while_the_distribution_inserts_makes_it_a_conflict(dataset, admin, make_annotators,
                                                                            make_records):
    """The insert locks every record it refers to, so it waits for an uncommitted delete, then fails."""
    gone, kept = make_records(2)
    make_annotators(1)
    deleter = held_open(lambda: Record.objects.filter(pk=gone.pk).delete())
    distribution = in_thread(lambda: assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=1))
    wait_for_a_lock_wait()

    assert "error" not in deleter()
    error = distribution().get("error")
    assert isinstance(error, Conflict) and error.message == "Assignments changed while distributing; run it again."
    assert not Assignment.objects.exists()
    assert list(Record.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_record_deleted_during_an_uncommitted_distribution_waits_and_is_refused(dataset, admin, make_annotators,
                                                                                 make_records):
    """Django deletes the record's assignments first, but cannot see the distribution's before it commits."""
    [record], [user] = make_records(1), make_annotators(1)
    distribution = held_open(lambda: assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=1))
    deleter = in_thread(lambda: Record.objects.filter(pk=record.pk).delete())
    wait_for_a_lock_wait()

    assert "error" not in distribution()
    assert isinstance(deleter().get("error"), IntegrityError)
    assert list(Assignment.objects.values_list("record_id", "user_id")) == [(record.pk, user.pk)]
