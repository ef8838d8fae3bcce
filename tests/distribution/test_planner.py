"""Property tests of the pure planners (issue 5, points 2 and 3)."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeling.distribution import plan_distribution, plan_reassign

OUTSIDERS = ["x1", "x2"]


@st.composite
def situations(draw):
    """Selected records with current holders (candidates and others), candidate loads, and k."""
    annotators = [f"a{i}" for i in range(draw(st.integers(1, 7)))]
    n_records = draw(st.integers(0, 30))
    records = []
    for index in range(n_records):
        holders = draw(st.sets(st.sampled_from(annotators + OUTSIDERS), max_size=4))
        records.append((f"r{index}", holders))
    held = Counter(user for _, holders in records for user in holders)
    # A load counts what the annotator holds among the selected records plus elsewhere in the dataset.
    loads = {user: held[user] + draw(st.integers(0, 6)) for user in annotators}
    k = draw(st.integers(1, len(annotators)))
    return records, loads, k


def apply(records, loads, pairs):
    holders = {record: set(users) for record, users in records}
    loads = dict(loads)
    for record, user in pairs:
        holders[record].add(user)
        loads[user] += 1
    return holders, loads


def assert_no_better_move(pairs, holders, loads):
    """Nobody got a record that someone two or more lighter, not holding it, could have taken."""
    for record, user in pairs:
        for other, n in loads.items():
            if other not in holders[record]:
                assert loads[user] <= n + 1, (record, user, other, loads)


@settings(max_examples=150, deadline=None)
@given(situations())
def test_distribution_invariants(situation):
    records, loads, k = situation
    pairs = plan_distribution(records, loads, k)

    assert len(pairs) == len(set(pairs))
    assert all(user in loads for _, user in pairs), "only candidate annotators receive records"
    before = {record: set(users) for record, users in records}
    assert all(user not in before[record] for record, user in pairs), "never to someone already holding it"
    holders, after = apply(records, loads, pairs)
    for record, users in before.items():
        assert users <= holders[record], "existing assignments are kept"
        assert len(holders[record]) == max(k, len(users)), "each record ends with k distinct holders"
    assert_no_better_move(pairs, holders, after)
    # Idempotent: planning again over the new state changes nothing.
    assert plan_distribution(list(holders.items()), after, k) == []


@settings(max_examples=100, deadline=None)
@given(situations())
def test_loads_differ_by_at_most_one_from_a_level_start(situation):
    records, loads, k = situation
    candidates = set(loads)
    records = [(record, holders - candidates) for record, holders in records]
    level = min(loads.values())
    loads = {user: level + (index % 2) for index, user in enumerate(loads)}
    _, after = apply(records, loads, plan_distribution(records, loads, k))
    assert max(after.values()) - min(after.values()) <= 1


def test_fresh_distribution_is_exactly_balanced():
    records = [(f"r{i}", set()) for i in range(10)]
    pairs = plan_distribution(records, {"a": 0, "b": 0, "c": 0}, 2)
    assert sorted(Counter(user for _, user in pairs).values()) == [6, 7, 7]


def test_records_already_holding_k_get_nothing_and_partial_ones_are_topped_up():
    records = [("full", {"a", "b"}), ("half", {"a"})]
    assert plan_distribution(records, {"a": 2, "b": 1, "c": 0}, 2) == [("half", "c")]


def test_impossible_k_is_refused():
    with pytest.raises(ValueError):
        plan_distribution([("r", set())], {"a": 0}, 2)
    with pytest.raises(ValueError):
        plan_distribution([("r", set())], {"a": 0}, 0)


@settings(max_examples=150, deadline=None)
@given(situations(), st.sampled_from(["a0", "x1"]))
def test_reassign_invariants(situation, leaving):
    records, loads, _ = situation
    mine = [(record, holders | {leaving}) for record, holders in records]
    targets = {user: n for user, n in loads.items() if user != leaving}
    pairs = plan_reassign(mine, targets)

    before = {record: set(users) for record, users in mine}
    assert len({record for record, _ in pairs}) == len(pairs), "each record moves to one annotator"
    assert all(user in targets and user not in before[record] for record, user in pairs)
    placed = {record for record, _ in pairs}
    for record, users in before.items():
        if record not in placed:
            assert set(targets) <= users, "only records every target already holds stay behind"
    holders, after = apply(mine, targets, pairs)
    assert_no_better_move(pairs, holders, after)


def test_reassign_balances_over_targets():
    mine = [(f"r{i}", {"leaver"}) for i in range(5)]
    pairs = plan_reassign(mine, {"a": 3, "b": 0, "c": 1})
    assert Counter(user for _, user in pairs) == {"b": 3, "c": 2}
