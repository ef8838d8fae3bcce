"""Planning who answers what (DESIGN §4 "Workload distribution"), without the database.

The services in `labeling.assignments` read the current state, call these planners under a lock
on the dataset, and write the pairs they return.

Both planners place "slots" (a record that needs one more annotator) on the annotator with the
lowest load who does not already hold that record, where a load counts everything the annotator
holds in the dataset, not only what this run hands out. A greedy pass does nearly all of the work;
a short repair pass then moves single new assignments from an annotator to one at least two
lighter who may take that record, until none can move. The result satisfies, for every new pair
(record, u) and every candidate annotator v who does not hold that record:

    load(u) <= load(v) + 1

so nobody gets work while someone two lighter could have taken it. When the selected records
hold none of the candidates and starting loads differ by at most one, the final loads differ by
at most one. Existing holdings are never removed here; ties go to the annotator listed first.
"""

import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence

RecordKey = Hashable
UserKey = Hashable
Pair = tuple[RecordKey, UserKey]


def plan_distribution(
    records: Sequence[tuple[RecordKey, Iterable[UserKey]]], loads: Mapping[UserKey, int], per_record: int
) -> list[Pair]:
    """New (record, annotator) pairs giving every record `per_record` distinct holders.

    `records` are the selected records with everyone who holds them now (candidates or not);
    `loads` maps each candidate annotator to what they hold in the dataset now. A record that
    already has `per_record` holders or more gets nothing, so planning again after the pairs are
    written returns nothing.
    """
    if per_record < 1:
        raise ValueError("per_record must be at least 1")
    if per_record > len(loads):
        raise ValueError("per_record cannot exceed the number of annotators")
    demands = []
    for record, holders in records:
        held = set(holders)
        if len(held) < per_record:
            demands.append((record, held, per_record - len(held)))
    return _place(demands, loads)


def plan_reassign(
    records: Sequence[tuple[RecordKey, Iterable[UserKey]]], loads: Mapping[UserKey, int]
) -> list[Pair]:
    """One new holder for each record a leaving annotator gives up, chosen among `loads`' keys.

    `records` carry everyone who holds them now, the leaving annotator included, so nobody who
    already holds a record receives it again. Records that every candidate already holds are
    left out of the plan (the caller reports them).
    """
    return _place([(record, set(holders), 1) for record, holders in records], loads)


def _place(demands: list[tuple[RecordKey, set, int]], loads: Mapping[UserKey, int]) -> list[Pair]:
    load = dict(loads)
    rank = {user: index for index, user in enumerate(load)}
    heap = [(n, rank[user], user) for user, n in load.items()]
    heapq.heapify(heap)
    holders: dict[RecordKey, set] = {}
    added: dict[RecordKey, list] = {}
    by_user: dict[UserKey, dict[RecordKey, None]] = {user: {} for user in load}
    for record, held, need in demands:
        holders[record] = held
        picked, passed = [], []
        while heap and len(picked) < need:
            entry = heapq.heappop(heap)
            (picked if entry[2] not in held else passed).append(entry)
        for n, index, user in picked:
            held.add(user)
            added.setdefault(record, []).append(user)
            by_user[user][record] = None
            load[user] = n + 1
            heapq.heappush(heap, (n + 1, index, user))
        for entry in passed:
            heapq.heappush(heap, entry)
    _repair(load, rank, holders, added, by_user)
    return [(record, user) for record, users in added.items() for user in users]


def _repair(load: dict, rank: dict, holders: dict, added: dict, by_user: dict) -> None:
    """Move single new assignments from heavy to light annotators until no move is possible.

    Each move lowers the sum of squared loads by at least two, so the loop ends. The greedy pass
    leaves little or nothing to do here, so the cost stays small.
    """
    moved = True
    while moved:
        moved = False
        floor = min(load.values(), default=0)
        for heavy in sorted(by_user, key=lambda u: (-load[u], rank[u])):
            if load[heavy] < floor + 2:
                break
            for record in list(by_user[heavy]):
                light = _lightest_free(load, rank, holders[record], load[heavy] - 2)
                if light is None:
                    continue
                holders[record].discard(heavy)
                holders[record].add(light)
                users = added[record]
                users[users.index(heavy)] = light
                del by_user[heavy][record]
                by_user[light][record] = None
                load[heavy] -= 1
                load[light] += 1
                moved = True
                if load[heavy] < floor + 2:
                    break


def _lightest_free(load: dict, rank: dict, held: set, at_most: int) -> UserKey | None:
    best = None
    for user, n in load.items():
        if n <= at_most and user not in held and (best is None or (n, rank[user]) < (load[best], rank[best])):
            best = user
    return best
