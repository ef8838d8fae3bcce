from datetime import timedelta

from django.utils import timezone

from labeling.models import Claim
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services import claims as claim_services
from labeling.services import responses as response_services

from ..factories import AssignmentFactory, MembershipFactory, RecordFactory, UserFactory


def submit(user, record):
    response_services.response_write(
        access=record_access_for(user=user, record=record), values={"demonstration": "A"}, status="submitted"
    )


def test_assigned_first_then_fewest_submitted_then_oldest(annotator, workspace, dataset):
    first, second, third = (RecordFactory(dataset=dataset) for _ in range(3))
    AssignmentFactory(record=third, user=annotator)
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) == third
    submit(annotator, third)
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) == first


def test_claim_holds_a_record_until_it_expires(annotator, workspace, dataset):
    record = RecordFactory(dataset=dataset)
    other = UserFactory()
    MembershipFactory(user=other, workspace=workspace)
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) == record
    assert claim_services.record_claim_next(access=dataset_access_for(user=other, dataset=dataset)) is None
    Claim.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert claim_services.record_claim_next(access=dataset_access_for(user=other, dataset=dataset)) == record


def test_same_record_again_until_answered(annotator, dataset):
    a, b = RecordFactory(dataset=dataset), RecordFactory(dataset=dataset)
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) == a
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) == a
    access = dataset_access_for(user=annotator, dataset=dataset)
    assert claim_services.record_claim_next(access=access, exclude_ids=[a.pk]) == b
    submit(annotator, a)
    assert not Claim.objects.filter(record=a).exists()


def test_completed_and_answered_records_are_not_handed_out(annotator, workspace, dataset):
    record = RecordFactory(dataset=dataset)
    other = UserFactory()
    MembershipFactory(user=other, workspace=workspace)
    submit(other, record)
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) is None


def test_assigned_mode_gives_only_assigned(annotator, dataset):
    dataset.distribution = "assigned"
    dataset.save()
    RecordFactory(dataset=dataset)
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) is None


def test_quota_stops_open_queue(annotator, workspace, dataset):
    annotator.memberships.update(quota=1)
    first, _ = RecordFactory(dataset=dataset), RecordFactory(dataset=dataset)
    submit(annotator, first)
    assert claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset)) is None
