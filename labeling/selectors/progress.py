"""Progress figures (DESIGN §4): a dataset's for its admins and dashboard, a labeler's own for the portal.

Every figure is aggregated in the database: a fixed number of queries whatever the size of the dataset.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from accounts.models import Membership, User

from ..models import Assignment, Dataset, Record, Response

ANSWERED = (Response.Status.SUBMITTED, Response.Status.DISCARDED)


def dataset_progress(*, dataset: Dataset) -> dict:
    """Progress of a dataset (DESIGN §4): records by status, responses by status, and per annotator."""
    records = Record.objects.filter(dataset=dataset).aggregate(
        total=Count("id"), completed=Count("id", filter=Q(status=Record.Status.COMPLETED))
    )
    by_status = dict(
        Response.objects.filter(record__dataset=dataset).values_list("status").annotate(n=Count("id")).order_by()
    )
    return {
        "records": {
            "total": records["total"],
            "completed": records["completed"],
            "pending": records["total"] - records["completed"],
        },
        "responses": {status: by_status.get(status, 0) for status in Response.Status.values},
        "annotators": _annotator_rows(dataset, records["total"]),
    }


def _counts_per_user(dataset: Dataset) -> dict:
    """Per user holding assignments or responses in the dataset: assignments, responses by status,
    assigned records answered, and the latest response change."""
    per_user: dict = defaultdict(lambda: {
        "assigned": 0, "submitted": 0, "discarded": 0, "draft": 0, "answered_assigned": 0, "last_activity_at": None,
    })
    for user_id, n in Assignment.objects.filter(record__dataset=dataset).values_list("user_id").annotate(n=Count("id")).order_by():
        per_user[user_id]["assigned"] = n
    for user_id, status, n, last in (
        Response.objects.filter(record__dataset=dataset)
        .values_list("user_id", "status")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .order_by()
    ):
        per_user[user_id][status] = n
        if per_user[user_id]["last_activity_at"] is None or last > per_user[user_id]["last_activity_at"]:
            per_user[user_id]["last_activity_at"] = last
    for user_id, n in (
        Response.objects.filter(record__dataset=dataset, status__in=ANSWERED, record__assignments__user_id=F("user_id"))
        .values_list("user_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_user[user_id]["answered_assigned"] = n
    return per_user


def _annotator_rows(dataset: Dataset, total_records: int | None) -> list[dict]:
    """One row per annotator of the workspace and per other user with work in the dataset, by username."""
    per_user = _counts_per_user(dataset)
    medians = _median_seconds_by_user(dataset)
    members = {
        m.user_id: m
        for m in Membership.objects.filter(workspace_id=dataset.workspace_id).select_related("user")
    }
    users = {u.pk: u for u in User.objects.filter(pk__in=set(per_user) - set(members))}
    users.update((user_id, member.user) for user_id, member in members.items())
    annotators = []
    for user_id in sorted(set(per_user) | {uid for uid, m in members.items() if m.role == Membership.Role.ANNOTATOR},
                          key=lambda uid: users[uid].username):
        counts = per_user[user_id]
        if dataset.distribution == Dataset.Distribution.ASSIGNED:
            remaining = counts["assigned"] - counts["answered_assigned"]
        else:
            remaining = max(0, (total_records or 0) - counts["submitted"] - counts["discarded"])
        median = medians.get(user_id)
        annotators.append({
            "user_id": str(user_id),
            "username": users[user_id].username,
            "assigned": counts["assigned"],
            "submitted": counts["submitted"],
            "discarded": counts["discarded"],
            "draft": counts["draft"],
            "remaining": max(0, remaining),
            "median_seconds_per_submission": round(median, 1) if median is not None else None,
            "last_activity_at": counts["last_activity_at"],
        })
    return annotators


class _Median(Aggregate):
    """PostgreSQL's ordered-set median (the mean of the two middle values for an even count)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_seconds(rows: QuerySet, *, duration, group_by: str) -> dict:
    """The median of `duration` (an expression of `rows`' model, a DurationField) in seconds, per value
    of the column `group_by`, computed in the database: {group value: seconds}.

    PostgreSQL has an aggregate for it: one sort per group. Elsewhere, window functions number each
    group's rows by duration and only the one or two middle rows per group come back (their mean is
    the median); on PostgreSQL that was the slower way (bench/README.md, Distribution).
    """
    if connection.vendor == "postgresql":
        medians = rows.order_by().values(group_by).annotate(median=_Median(duration))
        return {row[group_by]: row["median"].total_seconds() for row in medians}
    middle = (
        rows.annotate(
            seconds=duration,
            position=Window(RowNumber(), partition_by=[F(group_by)], order_by=[duration.asc(), F("pk").asc()]),
            total=Window(Count("pk"), partition_by=[F(group_by)]),
        )
        .filter(position__gte=(F("total") + 1) / 2, position__lte=(F("total") + 2) / 2)
        .values_list(group_by, "seconds")
    )
    halves: dict = defaultdict(list)
    for group, seconds in middle:
        halves[group].append(seconds.total_seconds())
    return {group: sum(values) / len(values) for group, values in halves.items()}


def _median_seconds_by_user(dataset: Dataset) -> dict:
    """Median seconds from receiving a record to submitting it, per user (`median_seconds`)."""
    seconds = ExpressionWrapper(F("submitted_at") - F("started_at"), output_field=DurationField())
    submitted = Response.objects.filter(
        record__dataset=dataset, status=Response.Status.SUBMITTED, started_at__isnull=False,
        submitted_at__isnull=False,
    )
    return median_seconds(submitted, duration=seconds, group_by="user_id")


def dataset_submissions_per_day(*, dataset: Dataset, days: int = 30) -> list[dict]:
    """Submitted responses per UTC day over the last `days` days, oldest first, days without any included."""
    today = timezone.now().date()
    first = today - timedelta(days=days - 1)
    counts = dict(
        Response.objects.filter(
            record__dataset=dataset, status=Response.Status.SUBMITTED, submitted_at__date__gte=first
        )
        .annotate(day=TruncDate("submitted_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [{"day": first + timedelta(days=offset), "submitted": counts.get(first + timedelta(days=offset), 0)}
            for offset in range(days)]


# --- the labeler portal (issue 4) ---------------------------------------------------------------


def annotator_progress(*, user: User, datasets) -> dict:
    """The user's own progress in each dataset: submitted, discarded, drafts, assigned and what is left for them.

    `remaining` counts the records "next record" may still hand them (DESIGN §4): their unanswered assigned
    records plus, in open distribution, pending records they have not answered, capped by their quota.
    Four aggregate queries whatever the number of datasets and records.
    """
    datasets = list(datasets)
    ids = [d.pk for d in datasets]
    progress = {
        d.pk: {"submitted": 0, "discarded": 0, "draft": 0, "assigned": 0, "remaining": 0} for d in datasets
    }
    for dataset_id, status, n in (
        Response.objects.filter(user_id=user.pk, record__dataset_id__in=ids)
        .values_list("record__dataset_id", "status").annotate(n=Count("id")).order_by()
    ):
        progress[dataset_id][status] = n
    for dataset_id, n in (
        Assignment.objects.filter(user_id=user.pk, record__dataset_id__in=ids)
        .values_list("record__dataset_id").annotate(n=Count("id")).order_by()
    ):
        progress[dataset_id]["assigned"] = n
    assigned = Assignment.objects.filter(record_id=OuterRef("pk"), user_id=user.pk)
    answered = Response.objects.filter(record_id=OuterRef("pk"), user_id=user.pk, status__in=ANSWERED)
    for dataset_id, n in (
        Record.objects.filter(dataset_id__in=ids)
        .filter(Exists(assigned) | Q(status=Record.Status.PENDING, dataset__distribution=Dataset.Distribution.OPEN))
        .exclude(Exists(answered))
        .values_list("dataset_id").annotate(n=Count("id")).order_by()
    ):
        progress[dataset_id]["remaining"] = n
    quotas = dict(
        Membership.objects.filter(user_id=user.pk, workspace_id__in={d.workspace_id for d in datasets}, quota__isnull=False)
        .values_list("workspace_id", "quota")
    )
    for dataset in datasets:
        counts = progress[dataset.pk]
        counts["done"] = counts["submitted"] + counts["discarded"]
        quota = quotas.get(dataset.workspace_id)
        if quota is not None:
            counts["remaining"] = min(counts["remaining"], max(0, quota - counts["done"]))
        counts["total"] = counts["done"] + counts["remaining"]
    return progress
