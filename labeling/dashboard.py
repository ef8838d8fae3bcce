"""The dataset dashboard for workspace admins (DESIGN §6, issue 5): progress, annotators, activity, agreement,
the review stage's figures (the review issue),
skips per labeler and the prompts labelers reported broken (issue #19).

Every figure is aggregated in the database by the selectors, so the page runs the same number of
queries whatever the number of records and annotators. The chart is server-rendered SVG (the
portal's Content Security Policy allows no inline styles or scripts, and nothing comes from a CDN).
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors.agreement import dataset_agreement
from .selectors.progress import dataset_progress, dataset_submissions_per_day
from .selectors.review_stats import review_figures
from .selectors.skips import broken_skips, skips_per_labeler
from .views import administered_access

CHART_DAYS = 30
CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 720, 160, 16
AXIS_LABEL_EVERY = 5


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: object
    submitted: int
    label: str


def chart_bars(series: list[dict]) -> list[Bar]:
    """SVG geometry for one bar per day, scaled to the busiest day; every fifth day carries an axis label."""
    if not series:
        return []
    peak = max(point["submitted"] for point in series) or 1
    slot = CHART_WIDTH / len(series)
    bars = []
    for index, point in enumerate(series):
        height = (CHART_HEIGHT - CHART_TOP) * point["submitted"] / peak
        last = index == len(series) - 1
        bars.append(Bar(
            x=round(index * slot + slot * 0.1, 2),
            y=round(CHART_HEIGHT - height, 2),
            width=round(slot * 0.8, 2),
            height=round(height, 2),
            day=point["day"],
            submitted=point["submitted"],
            label=point["day"].strftime("%b %d") if index % AXIS_LABEL_EVERY == 0 or last else "",
        ))
    return bars


@login_required
@require_GET
def dashboard_page(request, dataset_id):
    """404 for datasets the user cannot read; 403 for annotators of the dataset's workspace."""
    refusal = "Only admins of this workspace see its dashboard."
    dataset = administered_access(request, dataset_id, refusal=refusal).dataset
    progress = dataset_progress(dataset=dataset)
    series = dataset_submissions_per_day(dataset=dataset, days=CHART_DAYS)
    records = progress["records"]
    return render(request, "portal/dashboard.html", {
        "dataset": dataset,
        "progress": progress,
        "percent_completed": round(100 * records["completed"] / records["total"]) if records["total"] else 0,
        "bars": chart_bars(series),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "days": CHART_DAYS,
                  "total": sum(point["submitted"] for point in series)},
        "agreement": dataset_agreement(dataset=dataset),
        "review": review_figures(dataset=dataset),
        "skips": skips_per_labeler(dataset=dataset),
        "broken": broken_skips(dataset=dataset),
    })
