"""Reconciliation of overlapping answers (DESIGN §4), as pure functions over plain values.

A record's responses arrive as `Answer`s; each strategy picks or aggregates without touching the
database, so exports stream chunk by chunk and these rules are tested on their own.
"""

import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from labeling import agreement

TEXT_STRATEGIES = ("all", "first", "latest", "longest", "random", "best_rated")
RATING_AGGREGATES = ("mean", "median")


class Answer(NamedTuple):
    """One labeler's response to one record, reduced to what reconciliation reads.

    A named tuple: exports build two of these per record, and a tuple is the cheapest immutable object to make.
    """

    user: str
    values: dict
    # Exports read the times as ISO text in UTC, which sorts as the times do.
    submitted_at: datetime | str | None = None
    inserted_at: datetime | str | None = None

    @property
    def when(self) -> datetime | None:
        return self.submitted_at or self.inserted_at


@dataclass
class TextChoice:
    answers: list[Answer]
    # Several candidates were equally good under the strategy; the earliest one was taken.
    is_tie: bool = False


def _text(answer: Answer, question: str) -> str | None:
    value = answer.values.get(question)
    return value if isinstance(value, str) and value.strip() else None


def _rating(answer: Answer, question: str) -> float | None:
    value = answer.values.get(question)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _by_time(answers: Iterable[Answer]) -> list[Answer]:
    # Stable: answers without a timestamp keep their given order, after those with one.
    return sorted(answers, key=lambda a: (a.when is None, a.when or datetime.min))


def choose_texts(
    answers: Sequence[Answer],
    question: str,
    strategy: str,
    *,
    seed: int | str = 0,
    record_key: str = "",
    rating_question: str | None = None,
    in_time_order: bool = False,
) -> TextChoice:
    """Pick the answers whose text `question` becomes training examples.

    Answers with an empty text are never candidates. `random` is seeded per record
    (`seed` and `record_key`), so the pick does not depend on chunking or order of export.
    `best_rated` takes the answer with the highest value of `rating_question` in the same
    response; unrated answers rank last; ties go to the earliest answer and are flagged.
    `in_time_order` says the answers already come sorted by time (the export orders them in SQL).
    """
    if strategy not in TEXT_STRATEGIES:
        raise ValueError(f"unknown text strategy {strategy!r}")
    candidates = [a for a in answers if _text(a, question) is not None]
    if not in_time_order:
        candidates = _by_time(candidates)
    if not candidates:
        return TextChoice([])
    if strategy == "all":
        return TextChoice(candidates)
    if strategy == "first":
        return TextChoice(candidates[:1])
    if strategy == "latest":
        return TextChoice(candidates[-1:])
    if strategy == "random":
        rng = random.Random(f"{seed}:{record_key}")
        return TextChoice([rng.choice(candidates)])
    if strategy == "longest":
        score = {id(a): len(_text(a, question)) for a in candidates}
    else:
        if not rating_question:
            raise ValueError("best_rated needs a rating question")
        score = {id(a): _rating(a, rating_question) for a in candidates}
        score = {k: (float("-inf") if v is None else v) for k, v in score.items()}
    best = max(score.values())
    top = [a for a in candidates if score[id(a)] == best]
    return TextChoice(top[:1], is_tie=len(top) > 1)


def aggregate_rating(values: Iterable[Any], how: str = "mean") -> float | None:
    """Mean or median of the numeric ratings; None when nobody rated."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not numbers:
        return None
    if how == "mean":
        return statistics.fmean(numbers)
    if how == "median":
        return float(statistics.median(numbers))
    raise ValueError(f"unknown rating aggregate {how!r}")


@dataclass
class Vote:
    value: Any
    tied: list = field(default_factory=list)


def majority_label(values: Iterable[Any]) -> Vote:
    """The most chosen label; a tie gives no value and lists the tied labels (DESIGN §4: reported, not hidden)."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return Vote(None)
    ranked = counts.most_common()
    top = ranked[0][1]
    tied = sorted((label for label, n in ranked if n == top), key=str)
    return Vote(None, tied) if len(tied) > 1 else Vote(tied[0])


def multi_label_majority(selections: Iterable[Iterable[Any]]) -> Vote:
    """Labels chosen by more than half of the labelers; labels chosen by exactly half are ties."""
    selections = [set(s) for s in selections if s is not None]
    if not selections:
        return Vote(None)
    counts = Counter(label for s in selections for label in s)
    half = len(selections) / 2
    chosen = sorted((label for label, n in counts.items() if n > half), key=str)
    tied = sorted((label for label, n in counts.items() if n == half), key=str)
    return Vote(chosen, tied)


def mean_rank(rankings: Iterable[Any]) -> dict | None:
    """Mean rank of every option over the labelers' rankings (`[{"value", "rank"}]`; no rank = position)."""
    ranks: dict[Any, list[int]] = defaultdict(list)
    for ranking in rankings:
        if not isinstance(ranking, list):
            continue
        for position, item in enumerate(ranking, start=1):
            if isinstance(item, dict) and "value" in item:
                ranks[item["value"]].append(item.get("rank") or position)
    if not ranks:
        return None
    means = {value: statistics.fmean(r) for value, r in ranks.items()}
    return dict(sorted(means.items(), key=lambda kv: (kv[1], str(kv[0]))))


_SCALARS = (str, int, float)


class Alpha:
    """Krippendorff's alpha, accumulated one record (unit) at a time (`labeling.agreement`'s formula,
    the one the dashboard's figures come from).

    Only sufficient statistics are kept: memory grows with the number of distinct values, not with
    the number of records. Nominal distance for labels, interval for ratings.
    """

    def __init__(self, level: str = "nominal"):
        if level not in ("nominal", "interval"):
            raise ValueError(f"unknown level {level!r}")
        self.level = level
        self.units = 0
        self.n = 0  # pairable values, over every unit holding at least two
        self.observed = 0.0
        self.sums = [0.0, 0.0]  # interval: the pairable values' sum and sum of squares
        self.category_totals: Counter = Counter()  # nominal: pairable values per category

    def add_unit(self, values: Iterable[Any]) -> None:
        """Add one record's values (one per labeler); records with fewer than two are not pairable."""
        values = [_hashable(v) for v in values if v is not None]
        m = len(values)
        if m < 2:
            return
        self.units += 1
        self.n += m
        if self.level == "interval":
            s1, s2 = sum(values), sum(v * v for v in values)
            self.sums[0] += s1
            self.sums[1] += s2
            self.observed += agreement.interval_disagreement(float(m), s1, s2)
            return
        counts = Counter(values)
        self.category_totals.update(counts)
        self.observed += agreement.nominal_disagreement(float(m), sum(nc * nc for nc in counts.values()))

    def value(self) -> float | None:
        """Alpha, or None when undefined (fewer than two pairable values, or no variation at all)."""
        if self.level == "interval":
            expected = agreement.interval_expected(self.n, *self.sums)
        else:
            expected = agreement.nominal_expected(self.n, self.category_totals.values())
        return agreement.alpha(self.n, self.observed, expected)


def _hashable(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, list):
        return tuple(sorted(map(str, value)))
    if isinstance(value, dict):
        return tuple(sorted((str(k), str(v)) for k, v in value.items()))
    return value
