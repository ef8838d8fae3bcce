"""Reconciliation rules (DESIGN §4), pure: no database."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exports import reconcile
from exports.reconcile import Alpha, Answer

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def answers(*texts, ratings=None):
    ratings = ratings or [None] * len(texts)
    return [
        Answer(user=f"u{i}", values={"demo": text, "q": rating}, submitted_at=T0 + timedelta(minutes=i))
        for i, (text, rating) in enumerate(zip(texts, ratings))
    ]


def users(choice):
    return [a.user for a in choice.answers]


def test_all_keeps_every_answer_in_time_order_and_drops_empty_ones():
    given = list(reversed(answers("a", "", "c", "   ")))
    assert users(reconcile.choose_texts(given, "demo", "all")) == ["u0", "u2"]


def test_first_and_latest_follow_submission_time():
    given = answers("a", "b", "c")
    assert users(reconcile.choose_texts(given[::-1], "demo", "first")) == ["u0"]
    assert users(reconcile.choose_texts(given, "demo", "latest")) == ["u2"]


def test_longest_takes_the_longest_and_flags_a_tie_taking_the_earliest():
    assert users(reconcile.choose_texts(answers("aa", "bbbb", "c"), "demo", "longest")) == ["u1"]
    choice = reconcile.choose_texts(answers("aaa", "bbb"), "demo", "longest")
    assert users(choice) == ["u0"] and choice.is_tie


def test_random_is_reproducible_per_seed_and_record():
    given = answers(*"abcdefgh")
    picks = {users(reconcile.choose_texts(given, "demo", "random", seed=7, record_key="r1"))[0] for _ in range(5)}
    assert len(picks) == 1
    spread = {users(reconcile.choose_texts(given, "demo", "random", seed=7, record_key=f"r{i}"))[0] for i in range(40)}
    assert len(spread) > 1


def test_best_rated_uses_the_rating_in_the_same_response_unrated_last():
    given = answers("a", "b", "c", ratings=[3, None, 5])
    assert users(reconcile.choose_texts(given, "demo", "best_rated", rating_question="q")) == ["u2"]
    tie = reconcile.choose_texts(answers("a", "b", ratings=[4, 4]), "demo", "best_rated", rating_question="q")
    assert users(tie) == ["u0"] and tie.is_tie


def test_no_candidates_gives_no_answer():
    assert reconcile.choose_texts([], "demo", "first").answers == []
    assert reconcile.choose_texts(answers(""), "demo", "longest").answers == []


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError):
        reconcile.choose_texts(answers("a"), "demo", "loudest")


def test_rating_mean_and_median_ignore_missing_values():
    assert reconcile.aggregate_rating([1, 2, 6, None]) == 3.0
    assert reconcile.aggregate_rating([1, 2, 6], "median") == 2.0
    assert reconcile.aggregate_rating([1, 2], "median") == 1.5
    assert reconcile.aggregate_rating([None]) is None


def test_majority_label_and_reported_ties():
    assert reconcile.majority_label(["a", "b", "a"]).value == "a"
    tie = reconcile.majority_label(["a", "b"])
    assert tie.value is None and tie.tied == ["a", "b"]
    assert reconcile.majority_label([]).value is None


def test_multi_label_keeps_labels_chosen_by_more_than_half():
    vote = reconcile.multi_label_majority([["x", "y"], ["x"], ["x", "z"]])
    assert vote.value == ["x"] and vote.tied == []
    even = reconcile.multi_label_majority([["x", "y"], ["x"]])
    assert even.value == ["x"] and even.tied == ["y"]


def test_mean_rank_per_option():
    rankings = [
        [{"value": "a", "rank": 1}, {"value": "b", "rank": 2}],
        [{"value": "b", "rank": 1}, {"value": "a", "rank": 2}],
        [{"value": "a"}, {"value": "b"}],
    ]
    assert reconcile.mean_rank(rankings) == {"a": pytest.approx(4 / 3), "b": pytest.approx(5 / 3)}
    assert reconcile.mean_rank([]) is None


def alpha(level, units):
    acc = Alpha(level)
    for unit in units:
        acc.add_unit(unit)
    return acc.value()


def test_alpha_nominal_by_hand():
    # Coincidences: (a,a)=2, (a,b)=(b,a)=1, (b,b)=2; n=6; alpha = 1 - 5 * 2 / (3*3*2) = 4/9.
    assert alpha("nominal", [["a", "a"], ["a", "b"], ["b", "b"]]) == pytest.approx(4 / 9)


def test_alpha_perfect_agreement_and_undefined_cases():
    assert alpha("nominal", [["a", "a"], ["b", "b", "b"]]) == pytest.approx(1.0)
    assert alpha("nominal", [["a", "a"], ["a", "a"]]) is None  # no variation at all
    assert alpha("nominal", [["a"], ["b"]]) is None  # nothing pairable


def test_alpha_interval_penalises_distance():
    # Same disagreement pattern: ratings far apart agree less than ratings close together.
    close = alpha("interval", [[1, 1], [5, 5], [4, 5], [1, 2]])
    far = alpha("interval", [[1, 1], [5, 5], [1, 5], [1, 5]])
    assert close > far
    # Two labelers on every record: alpha = 1 - Do/De with squared differences, written out directly.
    units = [[1, 2], [3, 3], [4, 5], [5, 5], [2, 1]]
    values = [v for u in units for v in u]
    n = len(values)
    observed = sum(2 * (a - b) ** 2 for a, b in units)
    expected = sum((a - b) ** 2 for a in values for b in values) / (n - 1)
    assert alpha("interval", units) == pytest.approx(1 - observed / expected)


def test_answers_already_in_time_order_keep_their_order():
    untimed = [Answer(user=f"u{i}", values={"demo": t}) for i, t in enumerate(["b", "", "a"])]
    assert users(reconcile.choose_texts(untimed, "demo", "all", in_time_order=True)) == ["u0", "u2"]
    assert users(reconcile.choose_texts(untimed, "demo", "latest", in_time_order=True)) == ["u2"]


def reference_coincidences(units):
    """Krippendorff's coincidences computed the textbook way, for every unit size alike."""
    from collections import Counter, defaultdict

    table = defaultdict(float)
    for unit in units:
        values = [v for v in unit if v is not None]
        if len(values) < 2:
            continue
        counts = Counter(values)
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                if pairs:
                    table[(c, k)] += pairs / (len(values) - 1)
    return dict(table)


def reference_alpha(units, delta):
    """Alpha from the coincidence matrix, the textbook way."""
    table = reference_coincidences(units)
    totals = {}
    for (c, _), o in table.items():
        totals[c] = totals.get(c, 0.0) + o
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(o * delta(c, k) for (c, k), o in table.items())
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in totals for k in totals)
    return None if expected == 0 else 1.0 - (n - 1) * observed / expected


def interval_delta(c, k):
    return float(c - k) ** 2


def nominal_delta(c, k):
    return 0.0 if c == k else 1.0


@given(st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), max_size=4), max_size=30),
       st.sampled_from([("interval", interval_delta), ("nominal", nominal_delta)]))
def test_alpha_from_sufficient_statistics_matches_the_coincidence_matrix(units, level_and_delta):
    """Every unit size alike, the sums `labeling.agreement` works from give the textbook alpha."""
    level, delta = level_and_delta
    acc = Alpha(level)
    for unit in units:
        acc.add_unit(unit)
    expected = reference_alpha(units, delta)
    assert acc.units == sum(1 for unit in units if sum(v is not None for v in unit) >= 2)
    if expected is None:
        assert acc.value() is None
    else:
        assert acc.value() == pytest.approx(expected, rel=1e-9, abs=1e-12)
