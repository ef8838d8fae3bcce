"""Property tests of the distribution planners with routing by skill (issue #19): a routed record only
goes to annotators allowed it, gets what they can give, and loads stay balanced among those allowed."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from labeling.distribution import plan_distribution, plan_reassign
from labeling.routing import eligible_annotators

TAGS = ["python", "legal", "lang:de"]


@st.composite
def routed_situations(draw):
    """Annotators with skills, records with holders and a routing value, loads, and k."""
    annotators = [f"a{i}" for i in range(draw(st.integers(1, 6)))]
    skills = {user: frozenset(draw(st.sets(st.sampled_from(TAGS), max_size=2))) for user in annotators}
    values = st.one_of(st.none(), st.sampled_from(TAGS), st.lists(st.sampled_from(TAGS), max_size=2))
    records, allowed, shared = [], [], {}
    for index in range(draw(st.integers(0, 25))):
        records.append((f"r{index}", draw(st.sets(st.sampled_from([*annotators, "x1"]), max_size=3))))
        value = draw(values)
        key = repr(sorted(value) if isinstance(value, list) else value)
        shared.setdefault(key, eligible_annotators(value, skills))
        allowed.append(shared[key])
    held = Counter(user for _, holders in records for user in holders)
    loads = {user: held[user] + draw(st.integers(0, 4)) for user in annotators}
    return records, allowed, loads, draw(st.integers(1, len(annotators)))


def _may_take(allowed, user) -> bool:
    return allowed is None or user in allowed


@settings(max_examples=200, deadline=None)
@given(routed_situations())
def test_no_assignment_crosses_tags_and_loads_stay_balanced(situation):
    records, allowed, loads, k = situation
    pairs = plan_distribution(records, loads, k, allowed)

    permitted = {record: allowed[slot] for slot, (record, _) in enumerate(records)}
    assert all(_may_take(permitted[record], user) for record, user in pairs), "no assignment crosses tags"
    assert len(pairs) == len(set(pairs))
    holders = {record: set(users) for record, users in records}
    after = dict(loads)
    for record, user in pairs:
        assert user not in holders[record]
        holders[record].add(user)
        after[user] += 1
    for slot, (record, before) in enumerate(records):
        takers = {user for user in loads if _may_take(allowed[slot], user) and user not in before}
        assert len(holders[record]) == max(len(before), min(k, len(before) + len(takers))), "as many as allowed"
    for record, user in pairs:
        for other, n in after.items():
            if other not in holders[record] and _may_take(permitted[record], other):
                assert after[user] <= n + 1, "nobody allowed and two lighter was passed over"
    assert plan_distribution(list(holders.items()), after, k, allowed) == [], "idempotent"


@settings(max_examples=150, deadline=None)
@given(routed_situations())
def test_reassign_keeps_to_matching_annotators(situation):
    records, allowed, loads, _ = situation
    mine = [(record, holders | {"leaver"}) for record, holders in records]
    pairs = plan_reassign(mine, loads, allowed)

    permitted = {record: allowed[slot] for slot, (record, _) in enumerate(mine)}
    assert all(_may_take(permitted[record], user) for record, user in pairs)
    placed = {record for record, _ in pairs}
    for slot, (record, holders) in enumerate(mine):
        if record not in placed:
            assert all(user in holders or not _may_take(allowed[slot], user) for user in loads)


def test_a_record_nobody_matches_gets_nobody():
    skills = {"ann": frozenset({"python"}), "bea": frozenset({"legal"})}
    records = [("bio", set()), ("py", set()), ("open", set())]
    allowed = [eligible_annotators("biology", skills), eligible_annotators(["python"], skills), None]
    assert sorted(plan_distribution(records, {"ann": 0, "bea": 0}, 1, allowed)) == [("open", "bea"), ("py", "ann")]
