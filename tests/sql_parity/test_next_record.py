"""`labeling.sql.next_record` against the ORM: the draft to resume, the held record (rejected answers
first), the next candidate and the claim, in open and assigned distribution, for annotators with and without a quota, with claims by
others, drafts and skips (the records not skipped, then those skipped for later)."""

import itertools
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from accounts import tenancy
from labeling.models import Assignment, Claim, Dataset, Record, Response, Skip
from labeling.selectors.lookups import dataset_access_for
from labeling.services.claims import record_claim_next
from labeling.sql.next_record import NextRecordStatements

from .conftest import ANNOTATORS

pytestmark = pytest.mark.django_db
EXCLUDES = [(), ("o1", "o2", "a1", "a2"), ("o2", "o6", "o7", "o9")]
CASES = list(itertools.product(["open", "assigned"], list(ANNOTATORS), EXCLUDES, [False, True]))


def _unanswered(world, dataset: Dataset, user, exclude: tuple, later: bool = False):
    started = Response.objects.filter(record=OuterRef("pk"), user=user).filter(
        Q(status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED])
        | Q(status=Response.Status.DRAFT, review_status=None))
    skipped = Skip.objects.filter(record=OuterRef("pk"), user=user)
    excluded = [world.records[name].pk for name in exclude if name in world.records]
    records = Record.objects.filter(dataset=dataset).exclude(pk__in=excluded).filter(~Exists(started))
    return records.filter(Exists(skipped.filter(reason=Skip.Reason.LATER))) if later else records.filter(~Exists(skipped))


def _orm_held(world, dataset, user, exclude, now, later=False):
    rejected = Record.objects.filter(dataset=dataset).exclude(pk__in=_ids(world, exclude)).filter(
        responses__user=user, responses__status=Response.Status.DRAFT,
        responses__review_status=Response.ReviewStatus.REJECTED)
    if dataset.distribution != Dataset.Distribution.OPEN:
        rejected = rejected.filter(Exists(Assignment.objects.filter(record=OuterRef("pk"), user=user)))
    if (first := rejected.order_by("ordinal").first()) is not None:
        return first, "rejected"
    unanswered = _unanswered(world, dataset, user, exclude, later)
    assigned = unanswered.filter(assignments__user=user).order_by("ordinal").first()
    if assigned is not None or dataset.distribution != Dataset.Distribution.OPEN:
        return assigned, "assignment"
    claimed = (unanswered.filter(status=Record.Status.PENDING, claims__user=user, claims__expires_at__gt=now)
               .order_by("ordinal").first())
    return claimed, "claim"


def _orm_candidate(world, dataset, user, exclude, now, later=False):
    others = Count("claims", filter=Q(claims__expires_at__gt=now) & ~Q(claims__user=user))
    return (_unanswered(world, dataset, user, exclude, later).filter(status=Record.Status.PENDING)
            .alias(others=others).filter(others__lt=dataset.min_submitted - F("submitted_count"))
            .order_by("submitted_count", "ordinal").first())


def _orm_draft(world, dataset, user, exclude):
    drafts = Response.objects.filter(record__dataset=dataset, user=user, status=Response.Status.DRAFT, review_status=None)
    drafts = drafts.exclude(record_id__in=_ids(world, exclude)).filter(~Exists(Skip.objects.filter(
        record=OuterRef("record"), user=user, reason__in=[Skip.Reason.NOT_MY_FIELD, Skip.Reason.BROKEN])))
    if dataset.distribution != Dataset.Distribution.OPEN:
        drafts = drafts.filter(Exists(Assignment.objects.filter(record=OuterRef("record"), user=user)))
    first = drafts.order_by("inserted_at", "record__ordinal").first()
    return None if first is None else Record.objects.get(pk=first.record_id)


def _orm_next(world, dataset, user, exclude, now, resume_drafts):
    """The rule of record_claim_next: with resume, the oldest draft; then a pass over the records not skipped
    (held rejected answer or assignment, then, open only and within the quota, the held claim, then the first candidate),
    then the same pass over the records skipped for later."""
    if resume_drafts and (draft := _orm_draft(world, dataset, user, exclude)) is not None:
        return draft
    membership = tenancy.access_get(user, dataset.workspace_id).membership
    done = Response.objects.filter(record__dataset=dataset, user=user,
                                   status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED]).count()
    closed = dataset.distribution != Dataset.Distribution.OPEN or (membership.quota is not None and done >= membership.quota)
    for later in (False, True):
        held, held_by = _orm_held(world, dataset, user, exclude, now, later)
        if held is not None and (held_by in ("rejected", "assignment") or not closed):
            return held
        if not closed and (candidate := _orm_candidate(world, dataset, user, exclude, now, later)) is not None:
            return candidate
    return None


def _ids(world, names):
    return [world.records[name].pk for name in names]


def _same(record, expected):
    """Equal field by field (model instances compare by primary key only)."""
    if record is None or expected is None:
        return record is expected
    return all(getattr(record, f.attname) == getattr(expected, f.attname) for f in Record._meta.concrete_fields)


@pytest.mark.parametrize(("dataset_name", "user_name", "exclude", "later"), CASES)
def test_held_and_candidate_match_the_orm(world, dataset_name, user_name, exclude, later):
    dataset, user, now = getattr(world, dataset_name), world.users[user_name], timezone.now()
    statements = NextRecordStatements(actor=user, dataset=dataset, now=now)
    excluded = [world.records[name].pk for name in exclude]

    held = statements.held(list(excluded), open_distribution=dataset.distribution == Dataset.Distribution.OPEN,
                           later=later)
    expected, held_by = _orm_held(world, dataset, user, exclude, now, later)
    assert _same(held, expected)
    assert held is None or held.held_by == held_by
    assert _same(statements.candidate(list(excluded), later=later),
                 _orm_candidate(world, dataset, user, exclude, now, later))


@pytest.mark.parametrize(("dataset_name", "user_name", "exclude"), list(itertools.product(
    ["open", "assigned"], list(ANNOTATORS), EXCLUDES)))
def test_the_draft_to_resume_matches_the_orm(world, dataset_name, user_name, exclude):
    dataset, user = getattr(world, dataset_name), world.users[user_name]
    statements = NextRecordStatements(actor=user, dataset=dataset, now=timezone.now())
    draft = statements.draft(_ids(world, exclude), open_distribution=dataset.distribution == Dataset.Distribution.OPEN)
    assert _same(draft, _orm_draft(world, dataset, user, exclude))


@pytest.mark.parametrize(("dataset_name", "user_name", "exclude", "resume_drafts"), CASES)
def test_record_claim_next_follows_the_rule_the_orm_states(world, dataset_name, user_name, exclude, resume_drafts):
    dataset, user = getattr(world, dataset_name), world.users[user_name]
    now = timezone.now()
    expected = _orm_next(world, dataset, user, exclude, now, resume_drafts)

    record = record_claim_next(access=dataset_access_for(user=user, dataset=dataset), exclude_ids=_ids(world, exclude),
                               resume_drafts=resume_drafts)

    assert _same(record, expected)
    if record is not None:
        claim = Claim.objects.get(record=record, user=user)
        assert claim.expires_at - claim.claimed_at == timedelta(seconds=settings.CLAIM_TTL_SECONDS)
        assert claim.expires_at > now


@pytest.mark.parametrize(("record_name", "user_name"), list(itertools.product(["o2", "o4", "o5", "o6", "o9"], ANNOTATORS)))
def test_claim_unless_taken_matches_the_orm_count(world, record_name, user_name):
    record, user, now = world.record(record_name), world.users[user_name], timezone.now()
    others = Claim.objects.filter(record=record, expires_at__gt=now).exclude(user=user).count()
    expected = others < world.open.min_submitted - record.submitted_count
    before = Claim.objects.filter(record=record, user=user).first()

    taken = NextRecordStatements(actor=user, dataset=world.open, now=now).claim(record, unless_taken=True)

    assert taken == expected
    claim = Claim.objects.filter(record=record, user=user).first()
    if taken:
        assert (claim.claimed_at, claim.expires_at) == (now, now + timedelta(seconds=settings.CLAIM_TTL_SECONDS))
        assert before is None or claim.pk == before.pk
    else:
        assert (claim is None and before is None) or (claim.claimed_at, claim.expires_at) == (before.claimed_at,
                                                                                              before.expires_at)
