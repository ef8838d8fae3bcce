"""On PostgreSQL the annotation loop locks a record FOR NO KEY UPDATE: a transaction that only points
rows at the record must not hold up a labeler taking or answering it. A distribution's reference
checks (statement-level triggers, labeling migration 0006) hold KEY SHARE on every record its
assignments name until the transaction ends, seconds for 300,000 assignments."""

import threading

import pytest
from django.db import connection, transaction

from labeling.models import Assignment, Response
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services import claims as claim_services
from labeling.services import responses as response_services

from ..factories import RecordFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assignment_held_open(admin):
    """Insert an assignment of the record in another transaction and keep it open until the test ends."""
    threads, release = [], threading.Event()

    def hold(record):
        inserted = threading.Event()

        def run():
            try:
                user = UserFactory()
                with transaction.atomic():
                    Assignment.objects.create(record=record, user=user, assigned_by=admin)
                    inserted.set()
                    release.wait(timeout=30)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        threads.append(thread)
        assert inserted.wait(timeout=20)

    yield hold
    release.set()
    for thread in threads:
        thread.join(timeout=30)


def no_lock_waits():
    """Fail at once, instead of waiting, if a statement has to wait for a row lock."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")


def test_a_labeler_takes_and_answers_a_record_another_transaction_points_at(annotator, dataset, assignment_held_open):
    record = RecordFactory(dataset=dataset)
    assignment_held_open(record)
    no_lock_waits()

    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) == record
    response_services.response_write(
        access=record_access_for(user=annotator, record=record), values={"demonstration": "A"}, status="submitted"
    )

    assert Response.objects.get(record=record, user=annotator).status == Response.Status.SUBMITTED


def test_a_submission_does_not_wait_for_such_a_transaction(annotator, dataset, assignment_held_open):
    record = RecordFactory(dataset=dataset)
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) == record
    assignment_held_open(record)
    no_lock_waits()

    response_services.response_write(
        access=record_access_for(user=annotator, record=record), values={"demonstration": "A"}, status="submitted"
    )

    assert Response.objects.get(record=record, user=annotator).status == Response.Status.SUBMITTED
