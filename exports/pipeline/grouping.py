"""Consolidation groups (DESIGN §5): the answers to one prompt, across datasets, reconciled together.

Groups come in order of first appearance: the first dataset's order, then what later datasets add.
By external_id, `external_id_batches` reads each dataset once, in that order, as a stream (the database
sorts it, or its ordinal order already is that order), and merges the streams: a group's members meet
as they arrive and memory holds a chunk per dataset, plus one position per group. By prompt, the key is
computed in Python: `plan_groups` reads each dataset's keys once and ranks the groups, then
`group_batches` reads the records of a batch of groups from every dataset at once, with memory holding
one batch of records, plus one rank and ordinal per record. `test_groups` draws the test split over
whole groups."""

import hashlib
import heapq
import random
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from exports.pipeline.options import ExportOptions
from exports.pipeline.reading import (
    ExampleColumns,
    JsonScalar,
    Selection,
    examples_by_ordinal,
    examples_in_first_appearance_order,
)

_SPACES = re.compile(r"\s+")


def normalised_text(text: str) -> str:
    """The text as a group key compares it: Unicode NFKC, runs of whitespace as one space, no outer spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def prompt_key(text: str) -> str:
    """A short key for a prompt's normalised text (a digest: memory holds one per group)."""
    return hashlib.blake2b(normalised_text(text).encode(), digest_size=16).hexdigest()


@dataclass
class GroupPlan:
    """Group keys by rank, and per dataset its records' group ranks and ordinals, sorted by rank."""

    keys: list[str]
    members: list[tuple[array, array]]


def plan_groups(selections: list[Selection], options: ExportOptions, *, chunk_size: int) -> GroupPlan:
    """Rank every group of the export; a record without a key (no external_id, no prompt) is a group of its own."""
    rank_of: dict[str, int] = {}
    keys: list[str] = []
    members = []
    by_id = options.group_by == "external_id"
    source = "external_id" if by_id else JsonScalar("fields", options.prompt_field, "string")
    for index, selection in enumerate(selections):
        pairs = []
        rows = selection.records.order_by("ordinal").values_list("ordinal", source)
        for ordinal, value in rows.iterator(chunk_size=chunk_size):
            # NUL cannot occur in a stored external_id or a digest, so these keys never meet a real one.
            key = (value if by_id else prompt_key(value)) if value else f"\0{index}:{ordinal}"
            rank = rank_of.get(key)
            if rank is None:
                rank = rank_of[key] = len(keys)
                keys.append(key)
            pairs.append((rank, ordinal))
        pairs.sort()
        members.append((array("q", [rank for rank, _ in pairs]), array("q", [ordinal for _, ordinal in pairs])))
    return GroupPlan(keys, members)


def group_batches(plan: GroupPlan, selections: list[Selection], columns: ExampleColumns, *,
                  batch_groups: int) -> Iterator[tuple[int, list[tuple[str, list[tuple]]]]]:
    """Yield (records read, [(group key, members)]) a batch of groups at a time, in rank order.

    A member is (dataset label, record, answers) as `reading.ExampleColumns` reads them, in the order of
    the datasets; two queries per dataset and batch.
    """
    positions = [0] * len(selections)
    for start in range(0, len(plan.keys), batch_groups):
        end = start + batch_groups
        groups: dict[int, list] = defaultdict(list)
        read = 0
        for index, selection in enumerate(selections):
            ranks, ordinals = plan.members[index]
            first = positions[index]
            last = bisect_left(ranks, end, lo=first)
            if last == first:
                continue
            wanted = ordinals[first:last].tolist()
            found = examples_by_ordinal(selection.records, wanted, columns=columns)
            for rank, ordinal in zip(ranks[first:last], wanted):
                item = found.get(ordinal)
                if item is not None:  # deleted since the plan was made
                    groups[rank].append((selection.label, *item))
            positions[index] = last
            read += last - first
        yield read, [(plan.keys[rank], groups[rank]) for rank in sorted(groups)]


def first_positions(selections: list[Selection], *, chunk_size: int) -> tuple[dict[str, tuple[int, int]], list[bool]]:
    """Where each external_id first appears, as (dataset index, ordinal), and per dataset whether its records
    in ordinal order are also in that order (they are when the datasets hold the prompts in one order)."""
    first: dict[str, tuple[int, int]] = {}
    in_order = []
    for index, selection in enumerate(selections):
        last, ordered = (-1, -1), True
        rows = selection.records.order_by("ordinal").values_list("ordinal", "external_id")
        for ordinal, external_id in rows.iterator(chunk_size=chunk_size):
            position = first.setdefault(external_id, (index, ordinal)) if external_id else (index, ordinal)
            ordered = ordered and position > last
            last = position
        in_order.append(ordered)
    return first, in_order


def _dataset_stream(selections: list[Selection], index: int, first: dict, in_order: bool, columns: ExampleColumns,
                    chunk_size: int) -> Iterator[tuple]:
    """(group position, dataset label, record, answers) of one dataset, in group order."""
    selection = selections[index]
    if not in_order:
        earlier = [s.records for s in selections[:index]]
        for position, record, answers in examples_in_first_appearance_order(selection.records, earlier,
                                                                            columns=columns, chunk_size=chunk_size):
            yield position, selection.label, record, answers
        return
    # Its ordinal order is the group order: read in that order, with no earlier datasets to sort by.
    last = (-1, -1)
    for (_, ordinal), record, answers in examples_in_first_appearance_order(selection.records, [], columns=columns,
                                                                            chunk_size=chunk_size):
        # A record added since `first_positions` read the keys starts a group of its own when its key is new,
        # and is left out when it joins an earlier group: out of order, it would split that group in two.
        position = first.get(record[1], (index, ordinal)) if record[1] else (index, ordinal)
        if position > last:
            last = position
            yield position, selection.label, record, answers


def external_id_batches(selections: list[Selection], columns: ExampleColumns, *,
                        chunk_size: int) -> Iterator[tuple[int, list[tuple[str, list[tuple]]]]]:
    """The batches of `group_batches` for groups by external_id, in the same order, read as streams.

    Each dataset streams its records in group order and a merge of the streams brings each group's
    members together, in the order of the datasets (the merge is stable); memory holds a chunk of each
    dataset's records and one position per group. A dataset whose ordinal order is the group order is
    read in that order; the database sorts the others (`reading.examples_in_first_appearance_order`).
    """
    per_dataset = max(1, chunk_size // len(selections))
    first, in_order = first_positions(selections, chunk_size=chunk_size)
    streams = [_dataset_stream(selections, index, first, in_order[index], columns, per_dataset)
               for index in range(len(selections))]
    batch, read = [], 0
    for position, items in groupby(heapq.merge(*streams, key=itemgetter(0)), itemgetter(0)):
        members = [(label, record, answers) for _, label, record, answers in items]
        # A record without an external_id is a group of its own, keyed as `plan_groups` keys it.
        batch.append((members[0][1][1] or f"\0{position[0]}:{position[1]}", members))
        read += len(members)
        if read >= chunk_size:
            yield read, batch
            batch, read = [], 0
    if batch:
        yield read, batch


def test_groups(groups: list[tuple[str, str | None]], *, test_size: float, seed: int) -> set[str]:
    """The keys of the test split: exactly round(test_size × groups), drawn per stratum.

    `groups` are (key, stratum) pairs, the stratum None when not stratified. Each stratum gets its share
    of the test size, rounded down, and the groups left over go to the strata with the largest remainders,
    so category shares are kept as closely as whole groups allow. The draw sorts the keys first, so it
    depends only on the groups and the seed, never on reading order.
    """
    total = round(test_size * len(groups))
    strata: dict = defaultdict(list)
    for key, stratum in groups:
        strata[stratum].append(key)
    names = sorted(strata, key=lambda s: (s is None, str(s)))
    quotas = {name: total * len(strata[name]) / len(groups) for name in names}
    counts = {name: int(quota) for name, quota in quotas.items()}
    by_remainder = sorted(names, key=lambda name: counts[name] - quotas[name])  # stable: ties in name order
    for name in by_remainder[: total - sum(counts.values())]:
        counts[name] += 1
    chosen = set()
    for name in names:
        keys = sorted(strata[name])
        random.Random(f"{seed}:{name}").shuffle(keys)
        chosen.update(keys[: counts[name]])
    return chosen
