"""Many labelers at once on PostgreSQL (threads): open mode never over-fills, assigned mode never leaks."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from labeling.models import Assignment, Record, Response
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services import claims as claim_services
from labeling.services import responses as response_services
from labeling.services.distribution import assignments_distribute

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def work_until_done(user, dataset):
    """Claim and submit until nothing is left; return the record ids this labeler submitted."""
    done = []
    try:
        access = dataset_access_for(user=user, dataset=dataset)
        while (record := claim_services.record_claim_next(access=access)) is not None:
            response_services.response_write(
                access=record_access_for(user=user, record=record), values={"demonstration": "A"}, status="submitted"
            )
            done.append(record.pk)
    finally:
        connection.close()
    return done


def run_all(users, dataset):
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        return dict(zip(users, pool.map(lambda user: work_until_done(user, dataset), users)))


def test_open_mode_never_exceeds_min_submitted(dataset, make_annotators, make_records):
    dataset.min_submitted = 2
    dataset.save()
    records = make_records(12)
    run_all(make_annotators(6), dataset)
    counts = {r.pk: Response.objects.filter(record=r, status="submitted").count() for r in records}
    assert set(counts.values()) == {2}, "every record got exactly min_submitted submissions, never more"
    assert set(Record.objects.values_list("status", "submitted_count")) == {("completed", 2)}


def test_assigned_mode_hands_out_only_assigned_records(dataset, admin, make_annotators, make_records):
    dataset.distribution = "assigned"
    dataset.save()
    make_records(15)
    users = make_annotators(5)
    access = dataset_access_for(user=admin, dataset=dataset)
    assignments_distribute(access=access, per_record=2, annotators=[u.username for u in users[:4]])
    done = run_all(users, dataset)
    assigned = set(Assignment.objects.values_list("record_id", "user_id"))
    submitted = {(record_id, user.pk) for user, ids in done.items() for record_id in ids}
    # Only "never a record not assigned to them" is asserted: record_claim_next skips an assigned record
    # whose row another holder has locked at that instant (SKIP LOCKED), so a labeler may stop early.
    assert submitted <= assigned
    assert done[users[4]] == []
