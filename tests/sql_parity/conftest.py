"""One world for the SQL parity tests: each hand-written statement of `labeling/sql` and its ORM
equivalent run over it and must give the same answer, on SQLite and on PostgreSQL.

The world: a workspace with an admin and four annotators (`free` without a quota, `quota` below
its quota, `full` at its quota, `other`); an open dataset (min_submitted 2) whose records hold
responses of every status (rejected drafts too), live and expired claims by several annotators; an
assigned dataset (min_submitted 1) with assignments, answered and not; and a dataset without questions.
Two answers carry review history: one rejected, one accepted after a rejection. Annotators have skipped
some records of both (later, not my field, broken).
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Membership, User
from labeling.models import Claim, Dataset, Record, Response, Skip

from ..factories import (
    AssignmentFactory,
    DatasetFactory,
    MembershipFactory,
    RecordFactory,
    ResponseFactory,
    UserFactory,
    history_entry,
)

ANNOTATORS = {"free": None, "quota": 3, "full": 2, "other": None}


@dataclass
class World:
    admin: User
    users: dict[str, User]
    open: Dataset
    assigned: Dataset
    bare: Dataset
    records: dict[str, Record] = field(default_factory=dict)

    def record(self, name: str) -> Record:
        return Record.objects.get(pk=self.records[name].pk)


def _records(world: World, dataset: Dataset, prefix: str, count: int) -> None:
    for n in range(1, count + 1):
        world.records[f"{prefix}{n}"] = RecordFactory(dataset=dataset, ordinal=n, external_id=f"{prefix}-{n}")


def _respond(world: World, record: str, user: str, status: str) -> None:
    """A response; status "rejected" is a draft a reviewer sent back (review_status rejected)."""
    review_status = "rejected" if status == "rejected" else None
    status = "draft" if status == "rejected" else status
    ResponseFactory(record=world.records[record], user=world.users[user], status=status, review_status=review_status,
                    values={"demonstration": f"{user} on {record}"} if status != "draft" else {})


def _claim(world: World, record: str, user: str, *, live: bool) -> None:
    now = timezone.now()
    ttl = timedelta(seconds=settings.CLAIM_TTL_SECONDS)
    claimed_at = now - timedelta(seconds=30) if live else now - 2 * ttl
    Claim.objects.create(record=world.records[record], user=world.users[user], claimed_at=claimed_at,
                         expires_at=claimed_at + ttl)


def _recount(dataset: Dataset) -> None:
    """Give every record the submitted_count and status its responses imply, as the services keep them."""
    for record in dataset.records.all():
        record.submitted_count = record.responses.filter(status=Response.Status.SUBMITTED).count()
        record.status = Record.status_for(record.submitted_count, dataset.min_submitted)
        record.save(update_fields=["submitted_count", "status"])


@pytest.fixture
def world(workspace, admin) -> World:
    users = {}
    for name, quota in ANNOTATORS.items():
        users[name] = UserFactory(username=f"parity-{name}")
        MembershipFactory(user=users[name], workspace=workspace, role=Membership.Role.ANNOTATOR, quota=quota)
    world = World(
        admin=admin, users=users,
        open=DatasetFactory(workspace=workspace, name="open", min_submitted=2),
        assigned=DatasetFactory(workspace=workspace, name="assigned", min_submitted=1,
                                distribution=Dataset.Distribution.ASSIGNED),
        bare=DatasetFactory(workspace=workspace, name="bare", schema=False),
    )
    _records(world, world.open, "o", 9)
    _records(world, world.assigned, "a", 5)
    _records(world, world.bare, "b", 1)
    for record, user, status in [
        ("o1", "free", "submitted"), ("o1", "other", "submitted"), ("o2", "other", "submitted"),
        ("o3", "free", "draft"), ("o3", "quota", "discarded"), ("o6", "quota", "submitted"),
        ("o3", "full", "submitted"), ("o5", "full", "discarded"), ("o7", "other", "draft"),
        ("a1", "free", "submitted"), ("a2", "free", "draft"), ("a3", "quota", "discarded"),
        ("o9", "other", "rejected"), ("o8", "full", "rejected"), ("o5", "free", "rejected"), ("o4", "free", "rejected"),
        ("a4", "free", "rejected"), ("a2", "other", "rejected"), ("a5", "other", "rejected"),
    ]:
        _respond(world, record, user, status)
    for record, user, live in [
        ("o2", "full", True), ("o4", "other", True), ("o4", "quota", True), ("o5", "other", False),
        ("o6", "free", True), ("o8", "quota", False), ("a4", "free", True),
    ]:
        _claim(world, record, user, live=live)
    for record, user in [("a1", "free"), ("a2", "free"), ("a4", "free"), ("a2", "quota"), ("a3", "quota"),
                         ("a5", "other")]:
        AssignmentFactory(record=world.records[record], user=world.users[user])
    for dataset in (world.open, world.assigned):
        _recount(dataset)
    _reviews(world)
    _respond(world, "o9", "quota", "draft")
    Response.objects.filter(record=world.records["o9"], user=users["quota"]).update(review_status="rejected")
    for record, user, reason in [
        ("o4", "free", "not_my_field"), ("o5", "free", "later"), ("o8", "free", "later"), ("o3", "free", "later"),
        ("o7", "quota", "broken"), ("o9", "other", "later"), ("a4", "free", "later"), ("a2", "free", "broken"),
        ("a5", "other", "not_my_field"),
    ]:
        Skip.objects.create(record=world.records[record], user=users[user], reason=reason, inserted_at=timezone.now())
    return world


def _reviews(world: World) -> None:
    """o3's draft by `free` was rejected twice (the latest comment counts); o1's answer by `other` was
    rejected, then accepted once resubmitted."""
    rejected = Response.objects.get(record=world.records["o3"], user=world.users["free"])
    for comment in ("Too short.", "Still too short: add an example."):
        history_entry(rejected, kind="submit", status="submitted", review_status="pending")
        history_entry(rejected, kind="reject", author=world.admin, comment=comment,
                      reviewed_number=rejected.version, status="draft", review_status="rejected")
    accepted = Response.objects.get(record=world.records["o1"], user=world.users["other"])
    history_entry(accepted, kind="submit", review_status="pending")
    history_entry(accepted, kind="reject", author=world.admin, comment="Cite the source.", status="draft",
                  review_status="rejected")
    history_entry(accepted, kind="submit", status="submitted", review_status="pending")
    history_entry(accepted, kind="accept", author=world.admin, reviewed_number=accepted.version,
                  review_status="accepted")
