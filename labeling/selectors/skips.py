"""Skips as the dashboard, the portal and the export report read them (issue #19)."""

from collections.abc import Iterable

from django.db.models import Count

from accounts.models import User

from ..models import Dataset, Skip

# The dashboard lists the most recent "broken prompt" reports; the counts above it cover them all.
BROKEN_LISTED = 50


def skip_counts(*, dataset_ids: Iterable) -> list[dict]:
    """Skips per dataset, labeler and reason, in one query: [{"dataset_id", "user_id", "username", "reason",
    "count"}], by dataset, username and reason. The caller has fetched the datasets through the tenancy
    selectors (an admin's dashboard, an export job whose access was checked)."""
    rows = (
        Skip.objects.filter(record__dataset_id__in=list(dataset_ids))
        .values("record__dataset_id", "user_id", "user__username", "reason")
        .annotate(count=Count("id"))
        .order_by("record__dataset_id", "user__username", "reason")
    )
    return [
        {"dataset_id": row["record__dataset_id"], "user_id": row["user_id"], "username": row["user__username"],
         "reason": row["reason"], "count": row["count"]}
        for row in rows
    ]


def skips_per_labeler(*, dataset: Dataset) -> list[dict]:
    """One row per labeler who skipped records of the dataset: their username and a count per reason, plus a total."""
    per_user: dict = {}
    for row in skip_counts(dataset_ids=[dataset.pk]):
        entry = per_user.setdefault(row["user_id"], {"username": row["username"], "total": 0,
                                                     **{reason: 0 for reason in Skip.Reason.values}})
        entry[row["reason"]] = row["count"]
        entry["total"] += row["count"]
    return list(per_user.values())


def broken_skips(*, dataset: Dataset, limit: int = BROKEN_LISTED) -> list[Skip]:
    """The latest "broken prompt" skips of the dataset, with their record and labeler, newest first."""
    return list(
        Skip.objects.filter(record__dataset=dataset, reason=Skip.Reason.BROKEN)
        .select_related("record", "user").order_by("-inserted_at", "-pk")[:limit]
    )


def own_skip_counts(*, user: User, dataset: Dataset) -> dict[str, int]:
    """The user's own skips in the dataset, counted per reason (every reason present, 0 when none)."""
    counts = dict(
        Skip.objects.filter(record__dataset=dataset, user_id=user.pk)
        .values_list("reason").annotate(n=Count("id")).order_by()
    )
    return {reason: counts.get(reason, 0) for reason in Skip.Reason.values}
