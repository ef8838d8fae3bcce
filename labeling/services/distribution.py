"""Admin-driven workload distribution (DESIGN §4, issue 5): distribute, reassign, unassign.

Each service runs in one transaction holding a lock on the dataset row, so two distributions of
the same dataset run one after the other and each plans from what the other wrote. Planning is
pure (`labeling.distribution`); these functions read the state, plan, and write in bulk. Only
members with the annotator role of the dataset's workspace ever receive records. Running the
same call twice changes nothing the second time.

The caller's `access` must administer the dataset's workspace; management commands run by the
operator pass `labeling.access.operator_access`.
"""

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts import tenancy
from accounts.models import Membership, User
from accounts.selectors import user_ref_matches, user_refs_condition
from config.collector import cyclic_gc_paused
from config.errors import Conflict, InvalidInput
from config.ids import uuid_or_none

from .. import distribution
from ..access import DatasetAccess
from ..metadata_filter import metadata_conditions, metadata_filter, metadata_types
from ..models import Assignment, Dataset, Record, Response
from ..routing import eligible_annotators, record_tags
from ..sql.assignments import assignments_insert

MAX_REPORTED_IDS = 100
INSERT_BATCH = 5_000
ID_CHUNK = 5_000
MAX_SELECTED_IDS = 100_000


@dataclass
class DistributeResult:
    records_selected: int = 0
    records_topped_up: int = 0
    created: int = 0
    per_annotator: dict[str, int] = field(default_factory=dict)
    loads: dict[str, int] = field(default_factory=dict)
    records_unroutable: int = 0
    unroutable_record_ids: list[str] = field(default_factory=list)
    records_short: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ReassignResult:
    from_user: str = ""
    moved: int = 0
    kept_answered: int = 0
    kept_held_by_all: int = 0
    per_annotator: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class UnassignResult:
    removed: int = 0
    kept_with_responses: int = 0
    per_annotator: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def assignments_distribute(
    *,
    access: DatasetAccess,
    per_record: int,
    annotators: Sequence[str] | None = None,
    record_ids: Sequence[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    only_unassigned: bool = False,
) -> DistributeResult:
    """Give every selected record `per_record` distinct annotators, balancing loads.

    Annotators are usernames or user ids of the workspace's annotators (all of them when None).
    Records are selected by id, by a metadata filter (`{"category": "card_arrival"}`; a list of
    values matches any), and/or only those without any assignment; with none of these, every
    record of the dataset. Records keep what they hold and only get what they lack. Locks the
    dataset row. Raises InvalidInput for unknown annotators or records, or k above the number
    of annotators.
    """
    access.require_admin()
    dataset = access.dataset
    if not isinstance(per_record, int) or isinstance(per_record, bool) or per_record < 1:
        raise InvalidInput("per_record must be a whole number of at least 1.", details={"field": "per_record"})
    # ~10^6 small objects (ids, pairs, texts) and no cycles among them: left on, the collector kept
    # traversing them as they piled up, which cost more than the planning (bench/README.md, Distribution).
    with cyclic_gc_paused(), transaction.atomic():
        locked = _lock(dataset)
        users = _annotators(locked, annotators)
        if per_record > len(users):
            raise InvalidInput(
                f"Each record cannot get {per_record} distinct annotators: only {len(users)} are chosen.",
                details={"field": "per_record"},
            )
        selected = _select_records(locked, record_ids, metadata, only_unassigned)
        keys = list(selected.order_by("ordinal").values_list("pk", flat=True))
        holders = _holders(Assignment.objects.filter(record__in=selected))
        loads = _loads(locked, users)
        allowed = _allowed(locked, selected, keys, users)
        # Only records holding something are looked up: a UUID's hash runs in Python.
        records = [(key, holders.get(key, ())) for key in keys] if holders else [(key, ()) for key in keys]
        pairs = distribution.plan_distribution(records, loads, per_record, allowed)
        _insert(pairs, access.user)
        names = {user.pk: user.username for user in users}
        created = _count_by_user(pairs, names)
    unroutable, short = _shortfall(records, pairs, allowed, per_record)
    return DistributeResult(
        records_selected=len(keys),
        records_topped_up=len({id(record) for record, _ in pairs}),
        created=len(pairs),
        per_annotator=created,
        loads={names[user_id]: load + created.get(names[user_id], 0) for user_id, load in loads.items()},
        records_unroutable=len(unroutable),
        unroutable_record_ids=[str(key) for key in unroutable[:MAX_REPORTED_IDS]],
        records_short=short,
    )


def _allowed(dataset: Dataset, selected: QuerySet, keys: list, users: Sequence[User]) -> list | None:
    """Per record of `keys`, the chosen annotators whose skills match its routing value (None: anyone), or
    None without routing. Records with equal values share one set (the planner relies on it)."""
    prop = dataset.routing_property
    if not prop:
        return None
    skills = dict(Membership.objects.filter(workspace_id=dataset.workspace_id, user_id__in=[user.pk for user in users])
                  .values_list("user_id", "skills"))
    by_user = {user.pk: frozenset(skills.get(user.pk) or ()) for user in users}
    values = dict(selected.values_list("pk", f"metadata__{prop}").iterator(chunk_size=ID_CHUNK))
    shared: dict = {}
    allowed = []
    for key in keys:
        tags = record_tags(values.get(key))
        if tags not in shared:
            shared[tags] = eligible_annotators(sorted(tags), by_user)
        allowed.append(shared[tags])
    return allowed


def _shortfall(records: list, pairs: list, allowed: list | None, per_record: int) -> tuple[list, int]:
    """The records no chosen annotator's skills match (still lacking holders), and how many records still
    lack holders after the plan (routing allowed too few annotators)."""
    if allowed is None:
        return [], 0
    given = Counter(id(record) for record, _ in pairs)
    unroutable, short = [], 0
    for (key, holders), permitted in zip(records, allowed, strict=True):
        if len(holders) + given.get(id(key), 0) < per_record:
            short += 1
            if permitted is not None and not permitted:
                unroutable.append(key)
    return unroutable, short


def assignments_reassign(
    *,
    access: DatasetAccess,
    from_user: str,
    to_users: Sequence[str] | None = None,
    keep_drafts: bool = False,
) -> ReassignResult:
    """Move a labeler's unanswered assigned records to other annotators, balanced by load.

    A record moves unless `from_user` submitted or discarded it (or holds a draft of it and
    `keep_drafts` is set); it never goes to someone who already holds it nor, with routing, to
    someone whose skills do not match it, and records no target can take stay where they are. Targets are the given annotators, or every
    annotator of the workspace but `from_user`. `from_user` may have left the workspace already.
    Locks the dataset row.
    """
    access.require_admin()
    dataset = access.dataset
    with cyclic_gc_paused(), transaction.atomic():
        locked = _lock(dataset)
        leaving = _holders_named(locked, [from_user])[0]
        targets = [user for user in _annotators(locked, to_users) if user.pk != leaving.pk]
        if not targets:
            raise InvalidInput("Name at least one other annotator of this workspace to take the records over.",
                               details={"field": "to_users"})
        statuses = [Response.Status.SUBMITTED, Response.Status.DISCARDED]
        if keep_drafts:
            statuses.append(Response.Status.DRAFT)
        answered = Response.objects.filter(record_id=OuterRef("record_id"), user_id=leaving.pk, status__in=statuses)
        theirs = Assignment.objects.filter(record__dataset=locked, user_id=leaving.pk).alias(is_answered=Exists(answered))
        movable = list(theirs.filter(is_answered=False).order_by("record__ordinal").values_list("record_id", flat=True))
        kept_answered = theirs.filter(is_answered=True).count()
        holders = _holders(Assignment.objects.filter(record__dataset=locked, record_id__in=theirs.filter(is_answered=False).values("record_id")))
        loads = _loads(locked, targets)
        theirs_records = Record.objects.filter(dataset=locked, pk__in=theirs.values("record_id"))
        allowed = _allowed(locked, theirs_records, movable, targets)
        pairs = distribution.plan_reassign([(key, holders.get(key, ())) for key in movable], loads, allowed)
        moved = [record for record, _ in pairs]
        for start in range(0, len(moved), ID_CHUNK):
            Assignment.objects.filter(user_id=leaving.pk, record_id__in=moved[start : start + ID_CHUNK]).delete()
        _insert(pairs, access.user)
    names = {user.pk: user.username for user in targets}
    return ReassignResult(
        from_user=leaving.username,
        moved=len(pairs),
        kept_answered=kept_answered,
        kept_held_by_all=len(movable) - len(pairs),
        per_annotator=_count_by_user(pairs, names),
    )


def assignments_unassign(
    *,
    access: DatasetAccess,
    users: Sequence[str] | None = None,
    record_ids: Sequence[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> UnassignResult:
    """Remove assignments of the dataset on which their holder has no response yet.

    Narrowed to some holders (usernames or ids) and/or some records (ids, metadata filter);
    with neither, every assignment without a response goes. Locks the dataset row.
    """
    access.require_admin()
    dataset = access.dataset
    with transaction.atomic():
        locked = _lock(dataset)
        assignments = Assignment.objects.filter(record__dataset=locked)
        if users is not None:
            assignments = assignments.filter(user__in=[user.pk for user in _holders_named(locked, users)])
        if record_ids is not None or metadata:
            assignments = assignments.filter(record__in=_select_records(locked, record_ids, metadata, False))
        responded = Response.objects.filter(record_id=OuterRef("record_id"), user_id=OuterRef("user_id"))
        assignments = assignments.alias(has_response=Exists(responded))
        removable = assignments.filter(has_response=False)
        per_user = dict(
            removable.order_by().values_list("user__username").annotate(n=Count("id")).values_list("user__username", "n")
        )
        kept = assignments.filter(has_response=True).count()
        removed = Assignment.objects.filter(pk__in=removable.values("pk")).delete()[0] if per_user else 0
    return UnassignResult(removed=removed, kept_with_responses=kept, per_annotator=per_user)


# --- helpers -----------------------------------------------------------------------------------


def _lock(dataset: Dataset) -> Dataset:
    return Dataset.objects.select_for_update().get(pk=dataset.pk)


def _match(users: QuerySet, identifiers: Sequence[Any], kind: str) -> list[User]:
    """The users named by username or id among `users`; every unmatched name is reported at once."""
    if isinstance(identifiers, (str, bytes)) or not isinstance(identifiers, Sequence):
        raise InvalidInput("Give a list of usernames or user ids.", details={"field": "annotators"})
    found = list(users.filter(user_refs_condition(identifiers)).distinct().order_by("username"))
    missing = [str(item) for item in identifiers if not any(user_ref_matches(user, item) for user in found)]
    if missing:
        raise InvalidInput(f"Not {kind}: {', '.join(missing)}.", details={"users": missing})
    return found


def _annotators(dataset: Dataset, identifiers: Sequence[Any] | None) -> list[User]:
    """The chosen annotators (all annotators of the workspace when None), ordered by username."""
    annotators = User.objects.filter(pk__in=tenancy.annotator_ids(dataset.workspace_id), is_active=True)
    if identifiers is None:
        found = list(annotators.order_by("username"))
        if not found:
            raise InvalidInput("This workspace has no annotators yet; add some first.", details={"field": "annotators"})
        return found
    found = _match(annotators, identifiers, f"annotators of the workspace '{dataset.workspace.name}'")
    if not found:
        raise InvalidInput("Choose at least one annotator.", details={"field": "annotators"})
    return found


def _holders_named(dataset: Dataset, identifiers: Sequence[Any]) -> list[User]:
    """Users holding assignments in the dataset or members of its workspace (they may have left since)."""
    holding = Assignment.objects.filter(record__dataset=dataset).values("user_id")
    members = Membership.objects.filter(workspace_id=dataset.workspace_id).values("user_id")
    candidates = User.objects.filter(Q(pk__in=holding) | Q(pk__in=members))
    return _match(candidates, identifiers, "members of this workspace or holders of its records")


def _select_records(dataset: Dataset, record_ids: Sequence[Any] | None, metadata: Mapping[str, Any] | None,
                    only_unassigned: bool) -> QuerySet:
    records = Record.objects.filter(dataset=dataset)
    if record_ids is not None:
        records = records.filter(pk__in=_record_ids_checked(dataset, record_ids))
    if metadata:
        conditions = metadata_conditions(metadata, types=metadata_types([dataset]), allow_undeclared=True)
        records = metadata_filter(records, conditions)
    if only_unassigned:
        records = records.exclude(Exists(Assignment.objects.filter(record_id=OuterRef("pk"))))
    return records


def _record_ids_checked(dataset: Dataset, record_ids: Sequence[Any]) -> list[uuid.UUID]:
    if isinstance(record_ids, (str, bytes)) or not isinstance(record_ids, Sequence):
        raise InvalidInput("record_ids must be a list of record ids.", details={"field": "record_ids"})
    if len(record_ids) > MAX_SELECTED_IDS:
        raise InvalidInput(f"Select at most {MAX_SELECTED_IDS} records by id; use a metadata filter for more.",
                           details={"field": "record_ids"})
    ids, bad = [], []
    for item in record_ids:
        parsed = uuid_or_none(item)
        if parsed is None:
            bad.append(str(item))
        else:
            ids.append(parsed)
    found = set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        found.update(Record.objects.filter(dataset=dataset, pk__in=chunk).values_list("pk", flat=True))
    bad.extend(str(item) for item in ids if item not in found)
    if bad:
        raise InvalidInput(f"{len(bad)} record id(s) are not records of this dataset.",
                           details={"field": "record_ids", "record_ids": bad[:100]})
    return ids


def _holders(assignments: QuerySet) -> dict:
    """Record id -> set of user ids holding it, for the records that hold anything."""
    holders: dict = {}
    for record_id, user_id in assignments.values_list("record_id", "user_id").iterator(chunk_size=ID_CHUNK):
        holders.setdefault(record_id, set()).add(user_id)
    return holders


def _loads(dataset: Dataset, users: Sequence[User]) -> dict:
    """What each user holds in the dataset now, in the users' order (it breaks ties)."""
    counts = dict(
        Assignment.objects.filter(record__dataset=dataset, user_id__in=[user.pk for user in users])
        .values_list("user_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {user.pk: counts.get(user.pk, 0) for user in users}


def _insert(pairs: list[tuple], actor: User | None) -> None:
    """Write planned pairs; a concurrent single assignment (not under the dataset lock) surfaces as Conflict.

    On PostgreSQL through `labeling.sql.assignments`, whose rows are what `bulk_create` writes here.
    """
    by = actor.pk if actor is not None else None
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                assignments_insert(pairs, assigned_by_id=by)
                return
            for start in range(0, len(pairs), INSERT_BATCH):
                Assignment.objects.bulk_create(
                    [Assignment(record_id=r, user_id=u, assigned_by_id=by) for r, u in pairs[start : start + INSERT_BATCH]]
                )
    except IntegrityError:
        raise Conflict("Assignments changed while distributing; run it again.") from None


def _count_by_user(pairs: list[tuple], names: Mapping) -> dict[str, int]:
    """New assignments per username.

    Counted by object identity: the planner hands back the very user keys it was given (the
    `user.pk` objects `names` is keyed by), and hashing a UUID per pair would cost more than the rest.
    """
    by_identity = {id(user_id): name for user_id, name in names.items()}
    counts = Counter(id(user_id) for _, user_id in pairs)
    return dict(sorted((by_identity[key], n) for key, n in counts.items()))
