"""The review history an export reads (the review issue): which answers the review lets through, each
answer as its latest accepted version, every version for records.jsonl, and the decisions per labeler.

An answer with an accept or fix entry is exported with the values of its latest such entry, not the
response's current values, which its labeler may have edited since. Those values cost one query per
chunk of records (or of answers, when a consolidation streams them); an export skips that read when no
dataset reviews and none holds a review decision (`has_reviews`), so an export without review reads
what it always read.
"""

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

from django.db.models import Count, QuerySet

from labeling.models import Dataset, Response, ResponseVersion

ACCEPTED_KINDS = (ResponseVersion.Kind.ACCEPT, ResponseVersion.Kind.FIX)
DECISION_KINDS = (ResponseVersion.Kind.ACCEPT, ResponseVersion.Kind.REJECT, ResponseVersion.Kind.FIX)


def has_reviews(dataset: Dataset) -> bool:
    """Whether the dataset's answers may carry review decisions: it sends answers to review, or holds one
    (review may have been switched off since). One indexed EXISTS when review is off."""
    if dataset.review != Dataset.Review.OFF:
        return True
    return ResponseVersion.objects.filter(dataset=dataset, kind__in=DECISION_KINDS).exists()


def review_filter(responses: QuerySet, review_status: str) -> QuerySet:
    """The responses the `review_status` export option lets through (its values: options.REVIEW_STATUSES)."""
    if review_status == "accepted_only":
        return responses.filter(review_status=Response.ReviewStatus.ACCEPTED)
    if review_status == "not_rejected":
        # Answers never sent to review (NULL) stay: `exclude` keeps NULLs on a nullable column.
        return responses.exclude(review_status=Response.ReviewStatus.REJECTED)
    return responses


def accepted_values(columns: list, **where) -> dict:
    """{response id: the values of its latest accept or fix entry, read by `columns`} for the entries `where`
    selects (`record_id__in=` a page of records, or `response_id__in=` a batch of answers); one query."""
    rows = (ResponseVersion.objects.filter(kind__in=ACCEPTED_KINDS, **where)
            .order_by("number").values_list("response_id", *columns))
    # Ascending numbers: a response's latest entry is the last one written into the dict.
    return {row[0]: row[1:] for row in rows}


def with_accepted_values(rows: Iterator[tuple], columns: list, start: int, *, batch: int) -> Iterator[tuple]:
    """`rows` of answers (the response id last) with their values, `len(columns)` of them from `start`, taken
    from the answer's latest accepted version when it has one; one query per `batch` answers."""
    stop = start + len(columns)
    while chunk := list(islice(rows, batch)):
        accepted = accepted_values(columns, response_id__in=[row[-1] for row in chunk])
        for row in chunk:
            values = accepted.get(row[-1])
            yield row if values is None else (*row[:start], *values, *row[stop:])


VERSION_COLUMNS = ("response_id", "number", "kind", "values", "status", "review_status", "reviewed_number",
                   "comment", "author_name", "inserted_at")


def versions_by_response(page, inserted_at) -> dict:
    """{response id: its history as dicts, oldest first} for the records of `page` (ids or a subquery); one query.

    `inserted_at` is the expression reading an entry's time (reading.UtcIsoText, as records.jsonl's other times).
    """
    history = defaultdict(list)
    rows = (ResponseVersion.objects.filter(record_id__in=page).order_by("response_id", "number")
            .values_list(*VERSION_COLUMNS[:-1], inserted_at))
    for row in rows:
        history[row[0]].append(dict(zip(VERSION_COLUMNS[1:], row[1:])))
    return history


def review_decisions(datasets: list[Dataset]) -> dict[str, dict[str, int]]:
    """{labeler's username: {decision kind: count}} over the datasets' review decisions; one query."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (ResponseVersion.objects.filter(dataset__in=[d.pk for d in datasets], kind__in=DECISION_KINDS)
            .values_list("respondent__username", "kind").annotate(count=Count("id")).order_by())
    for username, kind, count in rows:
        counts[username][kind] = count
    return dict(counts)
