"""The review stage's figures (the review issue): per labeler acceptance, recent rejections, review
times, the answers still waiting for a reviewer, and which datasets link to the review queue.

Everything is read from the append-only history (`ResponseVersion`) and `Response.review_status`, and
aggregated in the database: a fixed number of queries whatever the number of answers and labelers.
"""

from collections import defaultdict

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Subquery

from accounts import tenancy
from accounts.models import User

from ..models import Dataset, Response, ResponseVersion
from ..review import DECISIONS
from .progress import median_seconds
from .reviews import review_to_do_counts

RECENT_REJECTIONS = 20


def review_figures(*, dataset: Dataset, recent: int = RECENT_REJECTIONS) -> dict:
    """The dataset's review figures: answers waiting (`to_review`), one row per labeler with decisions
    or waiting answers (accepted, fixed, rejected, `acceptance_rate` = accepted and fixed over decided,
    None before any decision), one per reviewer (decisions, median seconds from the version decided on
    to the decision), the overall median, and the `recent` latest rejections with their comments.
    Six queries."""
    labelers = _labeler_rows(dataset)
    return {
        "to_review": sum(row["waiting"] for row in labelers),
        "labelers": labelers,
        "reviewers": _reviewer_rows(dataset),
        "median_review_seconds": _overall_median(dataset),
        "rejections": _recent_rejections(dataset, recent),
    }


def _labeler_rows(dataset: Dataset) -> list[dict]:
    rows: dict = defaultdict(lambda: {"waiting": 0, "accept": 0, "fix": 0, "reject": 0})
    names = {}
    for user_id, username, kind, n in (
        ResponseVersion.objects.filter(dataset=dataset, kind__in=DECISIONS)
        .values_list("respondent_id", "respondent__username", "kind").annotate(n=Count("id")).order_by()
    ):
        rows[user_id][kind] = n
        names[user_id] = username
    for user_id, username, n in (
        Response.objects.filter(
            record__dataset=dataset, status=Response.Status.SUBMITTED, review_status=Response.ReviewStatus.PENDING,
        ).values_list("user_id", "user__username").annotate(n=Count("id")).order_by()
    ):
        rows[user_id]["waiting"] = n
        names[user_id] = username
    labelers = []
    for user_id in sorted(rows, key=names.get):
        counts = rows[user_id]
        decided = counts["accept"] + counts["fix"] + counts["reject"]
        labelers.append({
            "user_id": str(user_id),
            "username": names[user_id],
            "waiting": counts["waiting"],
            "accepted": counts["accept"],
            "fixed": counts["fix"],
            "rejected": counts["reject"],
            "decided": decided,
            "acceptance_rate": (counts["accept"] + counts["fix"]) / decided if decided else None,
        })
    return labelers


def _decisions_with_wait(dataset: Dataset):
    """The dataset's decisions, each with `wait`: the time from the entry of the version it decided on."""
    reviewed_at = ResponseVersion.objects.filter(
        response_id=OuterRef("response_id"), number=OuterRef("reviewed_number"),
    ).values("inserted_at")[:1]
    wait = ExpressionWrapper(F("inserted_at") - Subquery(reviewed_at), output_field=DurationField())
    return ResponseVersion.objects.filter(dataset=dataset, kind__in=DECISIONS, reviewed_number__isnull=False), wait


def _reviewer_rows(dataset: Dataset) -> list[dict]:
    decisions, wait = _decisions_with_wait(dataset)
    counts = {
        (author_id, name): n
        for author_id, name, n in decisions.values_list("author_id", "author_name").annotate(n=Count("id")).order_by()
    }
    medians = median_seconds(decisions, duration=wait, group_by="author_id")
    return [
        {"username": name, "decisions": n, "median_review_seconds": _rounded(medians.get(author_id))}
        for (author_id, name), n in sorted(counts.items(), key=lambda item: item[0][1])
    ]


def _overall_median(dataset: Dataset) -> float | None:
    decisions, wait = _decisions_with_wait(dataset)
    return _rounded(median_seconds(decisions, duration=wait, group_by="dataset_id").get(dataset.pk))


def _rounded(seconds: float | None) -> float | None:
    return round(seconds, 1) if seconds is not None else None


def _recent_rejections(dataset: Dataset, recent: int) -> list[dict]:
    return list(
        ResponseVersion.objects.filter(dataset=dataset, kind=ResponseVersion.Kind.REJECT)
        .order_by("-inserted_at", "-id")
        .values("record_id", "response_id", "reviewed_number", "comment", "inserted_at", "author_name",
                labeler=F("respondent__username"))[:recent]
    )


def reviewable_to_do(*, user: User, datasets) -> dict:
    """{dataset id: answers waiting that `user` may decide} for the `datasets` they may review (owner,
    admin or reviewer of the workspace) that review answers or still hold some waiting; the others are
    left out. Two queries whatever the number of datasets."""
    datasets = list(datasets)
    to_do = review_to_do_counts(user=user, dataset_ids=[d.pk for d in datasets])
    if tenancy.is_owner(user):
        reviewable = {d.workspace_id for d in datasets}
    else:
        reviewable = set(tenancy.reviewer_workspace_ids(user).values_list("workspace_id", flat=True))
    return {
        d.pk: to_do.get(d.pk, 0)
        for d in datasets
        if d.workspace_id in reviewable and (d.review != Dataset.Review.OFF or to_do.get(d.pk))
    }
