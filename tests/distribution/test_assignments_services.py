"""The distribute / reassign / unassign services over random datasets (hypothesis), plus direct cases."""

from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import InvalidInput, PermissionDenied
from labeling.models import Assignment, Response
from labeling.selectors.lookups import dataset_access_for
from labeling.services.distribution import assignments_distribute, assignments_reassign, assignments_unassign

from ..factories import AssignmentFactory, MembershipFactory, RecordFactory, ResponseFactory, UserFactory
from .conftest import rolled_back

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def holdings(dataset):
    held = defaultdict(set)
    for record_id, user_id in Assignment.objects.filter(record__dataset=dataset).values_list("record_id", "user_id"):
        held[record_id].add(user_id)
    return held


def snapshot(dataset):
    return {record_id: frozenset(users) for record_id, users in holdings(dataset).items()}


def loads_of(held, users):
    counts = Counter(user_id for holders in held.values() for user_id in holders)
    return {user.pk: counts[user.pk] for user in users}


def assert_no_better_move(new_pairs, held, loads):
    for record_id, user_id in new_pairs:
        for other, n in loads.items():
            if other not in held[record_id]:
                assert loads[user_id] <= n + 1


@pytest.fixture
def world(workspace, other_workspace, dataset, admin, make_annotators):
    """Five annotators, an admin, a stranger from another workspace, 12 records in two categories."""
    annotators = make_annotators(5)
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, workspace=other_workspace)
    records = [RecordFactory(dataset=dataset, metadata={"category": "ab"[i % 2]}) for i in range(12)]
    return annotators, stranger, records


@SETTINGS
@given(data=st.data())
def test_distribute_invariants_hold_and_a_second_run_changes_nothing(world, dataset, admin, data):
    annotators, stranger, records = world
    with rolled_back():
        existing = data.draw(st.sets(st.tuples(st.sampled_from(records), st.sampled_from(annotators)), max_size=20))
        for record, user in existing:
            AssignmentFactory(record=record, user=user)
        chosen = data.draw(st.none() | st.lists(st.sampled_from(annotators), min_size=1, unique=True))
        pool = annotators if chosen is None else chosen
        k = data.draw(st.integers(1, len(pool)))
        mode = data.draw(st.sampled_from(["all", "unassigned", "metadata", "ids"]))
        picked = data.draw(st.lists(st.sampled_from(records), unique=True)) if mode == "ids" else None
        kwargs = {
            "all": {},
            "unassigned": {"only_unassigned": True},
            "metadata": {"metadata": {"category": "a"}},
            "ids": {"record_ids": [str(r.pk) for r in picked or []]},
        }[mode]
        before = holdings(dataset)
        selected = {
            "all": {r.pk for r in records},
            "unassigned": {r.pk for r in records if not before[r.pk]},
            "metadata": {r.pk for r in records if r.metadata["category"] == "a"},
            "ids": {r.pk for r in picked or []},
        }[mode]

        result = assignments_distribute(
            access=dataset_access_for(user=admin, dataset=dataset), per_record=k,
            annotators=None if chosen is None else [u.username for u in chosen], **kwargs,
        )

        after = holdings(dataset)
        new_pairs = {(r, u) for r, users in after.items() for u in users - before[r]}
        assert result.created == len(new_pairs)
        assert result.records_selected == len(selected)
        assert {u for _, u in new_pairs} <= {u.pk for u in pool}, "only chosen annotators of the workspace"
        assert stranger.pk not in {u for users in after.values() for u in users}
        for record in records:
            assert before[record.pk] <= after[record.pk], "existing assignments are kept"
            if record.pk in selected:
                assert len(after[record.pk]) == max(k, len(before[record.pk]))
            else:
                assert after[record.pk] == before[record.pk]
        assert_no_better_move(new_pairs, after, loads_of(after, pool))
        assert result.loads == {u.username: n for u, n in zip(pool, loads_of(after, pool).values())}

        again = assignments_distribute(
            access=dataset_access_for(user=admin, dataset=dataset), per_record=k,
            annotators=None if chosen is None else [u.username for u in chosen], **kwargs,
        )
        assert again.created == 0
        assert snapshot(dataset) == {r: frozenset(u) for r, u in after.items() if u}


@SETTINGS
@given(data=st.data())
def test_reassign_moves_only_unanswered_records_balanced(world, dataset, admin, data):
    annotators, _, records = world
    leaving, others = annotators[0], annotators[1:]
    with rolled_back():
        for record in records:
            holders = data.draw(st.sets(st.sampled_from(annotators), max_size=3))
            for user in holders:
                AssignmentFactory(record=record, user=user)
            if leaving in holders:
                status = data.draw(st.sampled_from([None, "draft", "submitted", "discarded"]))
                if status:
                    ResponseFactory(record=record, user=leaving, status=status)
        keep_drafts = data.draw(st.booleans())
        targets = data.draw(st.none() | st.lists(st.sampled_from(others), min_size=1, unique=True))
        pool = others if targets is None else targets
        before = holdings(dataset)
        kept_statuses = {"submitted", "discarded"} | ({"draft"} if keep_drafts else set())
        answered = set(
            Response.objects.filter(user=leaving, status__in=kept_statuses).values_list("record_id", flat=True)
        )

        result = assignments_reassign(
            access=dataset_access_for(user=admin, dataset=dataset), from_user=leaving.username,
            to_users=None if targets is None else [u.pk for u in targets], keep_drafts=keep_drafts,
        )

        after = holdings(dataset)
        new_pairs = {(r, u) for r, users in after.items() for u in users - before[r]}
        assert {u for _, u in new_pairs} <= {u.pk for u in pool}
        for record_id, users in before.items():
            if leaving.pk not in users:
                assert after[record_id] == users
            elif record_id in answered:
                assert after[record_id] == users, "answered records stay with their labeler"
            elif leaving.pk in after[record_id]:
                assert {u.pk for u in pool} <= users, "only records every target holds stay behind"
            else:
                [(_, taker)] = [(r, u) for r, u in new_pairs if r == record_id]
                assert taker not in users and after[record_id] == users - {leaving.pk} | {taker}
        assert result.moved == len(new_pairs)
        assert_no_better_move(new_pairs, after, loads_of(after, pool))
        again = assignments_reassign(
            access=dataset_access_for(user=admin, dataset=dataset), from_user=leaving.username,
            to_users=None if targets is None else [u.pk for u in targets], keep_drafts=keep_drafts,
        )
        assert again.moved == 0 and snapshot(dataset) == {r: frozenset(u) for r, u in after.items() if u}


def test_only_annotators_of_the_workspace_can_receive_records(world, dataset, admin):
    annotators, stranger, _ = world
    for name in [stranger.username, admin.username, "nobody", str(stranger.pk)]:
        with pytest.raises(InvalidInput) as error:
            access = dataset_access_for(user=admin, dataset=dataset)
            assignments_distribute(access=access, per_record=1, annotators=[annotators[0].username, name])
        assert name in error.value.message
    assert not Assignment.objects.exists()


def test_distribute_refuses_more_per_record_than_annotators(world, dataset, admin):
    annotators, _, _ = world
    with pytest.raises(InvalidInput, match="only 2 are chosen"):
        access = dataset_access_for(user=admin, dataset=dataset)
        assignments_distribute(access=access, per_record=3, annotators=[a.username for a in annotators[:2]])


def test_record_ids_of_another_dataset_are_refused(world, dataset, other_dataset, admin):
    foreign = RecordFactory(dataset=other_dataset)
    with pytest.raises(InvalidInput, match="not records of this dataset"):
        access = dataset_access_for(user=admin, dataset=dataset)
        assignments_distribute(access=access, per_record=1, record_ids=[str(foreign.pk)])
    assert not Assignment.objects.exists()


def test_metadata_filter_keys_are_not_lookups(world, dataset, admin):
    access = dataset_access_for(user=admin, dataset=dataset)
    result = assignments_distribute(access=access, per_record=1, metadata={"category__contains": "a"})
    assert result.records_selected == 0


def test_annotators_cannot_distribute(world, dataset):
    annotators, _, _ = world
    with pytest.raises(PermissionDenied):
        assignments_distribute(access=dataset_access_for(user=annotators[0], dataset=dataset), per_record=1)


def test_unassign_keeps_assignments_with_responses(world, dataset, admin):
    annotators, _, records = world
    assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=2)
    answered = Assignment.objects.filter(user=annotators[0]).first()
    ResponseFactory(record=answered.record, user=annotators[0], status="draft")
    access = dataset_access_for(user=admin, dataset=dataset)
    result = assignments_unassign(access=access, users=[annotators[0].username])
    assert result.kept_with_responses == 1
    assert result.removed == result.per_annotator[annotators[0].username]
    assert list(Assignment.objects.filter(user=annotators[0])) == [answered]
    access = dataset_access_for(user=admin, dataset=dataset)
    everything = assignments_unassign(access=access, metadata={"category": ["a", "b"]})
    assert Assignment.objects.count() == 1 and everything.kept_with_responses == 1
    assert assignments_unassign(access=dataset_access_for(user=admin, dataset=dataset)).removed == 0


def test_reassign_from_someone_who_left_the_workspace(world, workspace, dataset, admin):
    annotators, _, _ = world
    assignments_distribute(access=dataset_access_for(user=admin, dataset=dataset), per_record=1)
    leaving = annotators[0]
    held = Assignment.objects.filter(user=leaving).count()
    leaving.memberships.filter(workspace=workspace).delete()
    result = assignments_reassign(access=dataset_access_for(user=admin, dataset=dataset), from_user=leaving.username)
    assert result.moved == held and not Assignment.objects.filter(user=leaving).exists()
    assert sorted(Counter(Assignment.objects.values_list("user_id", flat=True)).values()) == [3, 3, 3, 3]
