"""On PostgreSQL a distribution's batched insert still turns a concurrent write into a 409 Conflict."""

import threading
import time

import pytest
from django.db import connection, transaction

from config.errors import Conflict
from labeling.assignments import assignments_distribute
from labeling.models import Assignment

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


def wait_for_a_lock_wait(timeout=20.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the distribution never waited on the other transaction")


def test_an_assignment_added_during_the_insert_is_a_conflict(dataset, admin, make_annotators, make_records):
    [record], [user] = make_records(1), make_annotators(1)
    added, release = threading.Event(), threading.Event()

    def add_and_hold():
        with transaction.atomic():
            Assignment.objects.create(record=record, user=user, assigned_by=admin)
            added.set()
            release.wait(timeout=20)

    adder = in_thread(add_and_hold)
    added.wait(timeout=20)
    distribution = in_thread(lambda: assignments_distribute(actor=admin, dataset=dataset, per_record=1))
    wait_for_a_lock_wait()
    release.set()

    assert "error" not in adder()
    error = distribution().get("error")
    assert isinstance(error, Conflict) and error.message == "Assignments changed while distributing; run it again."
    assert list(Assignment.objects.values_list("record_id", "user_id", "assigned_by_id")) == [
        (record.pk, user.pk, admin.pk)
    ]
