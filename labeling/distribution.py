"""Planning who answers what (DESIGN §4 "Workload distribution"), without the database.

The services in `labeling.services.distribution` read the current state, call these planners under a lock
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

With routing by skill (issue #19), `allowed` gives, per record, the annotators whose skills match it
(None: anyone); a record then only goes to those, the bound above holds for every v allowed the
record, and a record that fewer allowed annotators can take than it needs gets what they can give.
"""

import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence

RecordKey = Hashable
UserKey = Hashable
Pair = tuple[RecordKey, UserKey]


def plan_distribution(
    records: Sequence[tuple[RecordKey, Iterable[UserKey]]], loads: Mapping[UserKey, int], per_record: int,
    allowed: Sequence[frozenset | None] | None = None,
) -> list[Pair]:
    """New (record, annotator) pairs giving every record `per_record` distinct holders.

    `records` are the selected records with everyone who holds them now (candidates or not);
    `loads` maps each candidate annotator to what they hold in the dataset now; `allowed`, in the
    order of `records`, who may take each (None: anyone). A record that already has `per_record`
    holders or more gets nothing, so planning again after the pairs are written returns nothing.
    """
    if per_record < 1:
        raise ValueError("per_record must be at least 1")
    if per_record > len(loads):
        raise ValueError("per_record cannot exceed the number of annotators")
    demands = []
    for slot, (record, holders) in enumerate(records):
        held = holders if isinstance(holders, (set, frozenset)) else set(holders)
        if len(held) < per_record:
            demands.append((record, held, per_record - len(held), allowed[slot] if allowed is not None else None))
    return _place(demands, loads)


def plan_reassign(
    records: Sequence[tuple[RecordKey, Iterable[UserKey]]], loads: Mapping[UserKey, int],
    allowed: Sequence[frozenset | None] | None = None,
) -> list[Pair]:
    """One new holder for each record a leaving annotator gives up, chosen among `loads`' keys (and, with
    `allowed`, among those allowed the record).

    `records` carry everyone who holds them now, the leaving annotator included, so nobody who
    already holds a record receives it again. Records that every candidate already holds (or that
    no allowed candidate can take) are left out of the plan (the caller reports them).
    """
    return _place([(record, holders, 1, allowed[slot] if allowed is not None else None)
                   for slot, (record, holders) in enumerate(records)], loads)


_NOBODY: frozenset = frozenset()


def _place(demands: list[tuple[RecordKey, Iterable[UserKey], int, frozenset | None]],
           loads: Mapping[UserKey, int]) -> list[Pair]:
    """Greedy placement, then repair.

    Annotators become their position in `loads` and records their position in `demands`, so the
    hot loop hashes small integers instead of UUIDs (whose hash is computed in Python) and keeps
    lists instead of dictionaries; a record nobody among the candidates holds, the usual case,
    costs no set at all. Heap entries are (load, position): unique, so the order in which
    annotators come off the heap depends only on the loads, and ties go to the one listed first.
    A routed record's annotators outside its allowed set are passed over like its holders, and
    stay out of its reach in the repair pass (`barred`).
    """
    users = list(loads)
    position = {user: index for index, user in enumerate(users)}
    load = [loads[user] for user in users]
    heap = [(n, index) for index, n in enumerate(load)]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    barred: list[frozenset | set] = []
    added: list[list[int]] = []
    outside: dict[int, frozenset] = {}  # id(allowed) -> positions not allowed; records share their allowed sets
    for _, holders, need, allowed in demands:
        candidates = {position[user] for user in holders if user in position} if holders else _NOBODY
        if allowed is not None:
            if id(allowed) not in outside:
                outside[id(allowed)] = frozenset(index for index, user in enumerate(users) if user not in allowed)
            candidates = candidates | outside[id(allowed)] if candidates else outside[id(allowed)]
        barred.append(candidates)
        if candidates:
            picked, passed = [], []
            while heap and len(picked) < need:
                entry = pop(heap)
                (passed if entry[1] in candidates else picked).append(entry)
            for entry in passed:
                push(heap, entry)
        else:
            picked = [pop(heap) for _ in range(min(need, len(heap)))]
        mine = []
        for n, index in picked:
            mine.append(index)
            load[index] = n + 1
            push(heap, (n + 1, index))
        added.append(mine)
    if load and max(load) - min(load) >= 2:
        _repair(load, barred, added)
    return [(demands[slot][0], users[index]) for slot, mine in enumerate(added) for index in mine]


def _repair(load: list[int], held: list, added: list[list[int]]) -> None:
    """Move single new assignments from heavy to light annotators until no move is possible.

    A record's holders among the candidates are `held[slot]` (before this run) plus `added[slot]`;
    `held[slot]` also bars the annotators a routed record may not go to.
    Each move lowers the sum of squared loads by at least two, so the loop ends. The greedy pass
    leaves little or nothing to do here, so the cost stays small; with loads already within one
    of each other it has nothing to move and is not called.
    """
    by_user: list[dict[int, None]] = [{} for _ in load]  # each annotator's new records, in record order
    for slot, mine in enumerate(added):
        for index in mine:
            by_user[index][slot] = None
    moved = True
    while moved:
        moved = False
        floor = min(load, default=0)
        for heavy in sorted(range(len(load)), key=lambda u: (-load[u], u)):
            if load[heavy] < floor + 2:
                break
            for slot in list(by_user[heavy]):
                light = _lightest_free(load, held[slot], added[slot], load[heavy] - 2)
                if light is None:
                    continue
                users = added[slot]
                users[users.index(heavy)] = light
                del by_user[heavy][slot]
                by_user[light][slot] = None
                load[heavy] -= 1
                load[light] += 1
                moved = True
                if load[heavy] < floor + 2:
                    break


def _lightest_free(load: list[int], held, added: list[int], at_most: int) -> int | None:
    best = None
    for user, n in enumerate(load):
        if n <= at_most and user not in held and user not in added and (best is None or n < load[best]):
            best = user
    return best
