"""report.json (DESIGN §5): what an export read, dropped, wrote, reconciled, and how much annotators agreed."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from exports.formats.registry import file_name
from exports.pipeline.options import ExportOptions
from labeling.models import Skip
from labeling.selectors.skips import skip_counts

MAX_REPORTED_IDS = 100
# Decisions are listed for the first groups only, so report.json stays small whatever the export's size.
MAX_REPORTED_DECISIONS = 1_000


@dataclass
class Report:
    """What the export did, written as JSON beside the data (DESIGN §5)."""

    datasets: list[dict] = field(default_factory=list)
    records_read: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: int = 0
    groups: int = 0
    splits: dict[str, dict] = field(default_factory=dict)
    reconciled_records: int = 0
    ties: dict[str, dict] = field(default_factory=dict)
    decisions: dict = field(default_factory=lambda: {"count": 0, "groups": []})
    agreement: dict[str, dict] = field(default_factory=dict)
    # Review decisions per labeler over the exported datasets: {username: {"accept": n, "reject": n, "fix": n}}.
    review_decisions: dict[str, dict[str, int]] = field(default_factory=dict)
    skips: dict = field(default_factory=dict)

    def tie(self, question: str, group: str, tied: list) -> None:
        entry = self.ties.setdefault(question, {"count": 0, "groups": []})
        entry["count"] += 1
        if len(entry["groups"]) < MAX_REPORTED_IDS:
            entry["groups"].append({"group": group, "tied": [str(t) for t in tied]})

    def decision(self, group: str, options: ExportOptions, answers: list, choice) -> None:
        """Which answers of a group became examples, and why (a data lead audits a consolidation with it)."""
        self.decisions["count"] += 1
        if len(self.decisions["groups"]) >= MAX_REPORTED_DECISIONS:
            return
        strategy, question = options.text_strategy, options.demonstration_question
        won = choice.answers[0]
        why = {
            "all": "every answer with a text is kept",
            "first": "the earliest answer",
            "latest": "the latest answer",
            "random": f"drawn with seed {options.seed}",
            "longest": f"the longest text ({len(won.values[question])} characters)",
            "best_rated": f"the highest '{options.rating_question}' ({won.values.get(options.rating_question)})",
        }[strategy]
        self.decisions["groups"].append({
            "group": group, "answers": len(answers), "chosen": [a.user for a in choice.answers],
            "why": why + (", tied with others: the earliest of them" if choice.is_tie else ""), "tie": choice.is_tie,
        })


def review_summary(review_status: str, decisions: dict[str, dict[str, int]]) -> dict:
    """report.json's review section: the option applied, and per labeler (and in all) how many of their answers'
    versions were accepted, rejected and fixed, with the acceptance rate: accepted over all decisions (a fix
    counts against it: the answer needed a reviewer's rewrite), None without any decision."""

    def counts(accepted: int, rejected: int, fixed: int) -> dict:
        decided = accepted + rejected + fixed
        rate = round(accepted / decided, 4) if decided else None
        return {"accepted": accepted, "rejected": rejected, "fixed": fixed, "acceptance_rate": rate}

    labelers = {
        name: counts(kinds.get("accept", 0), kinds.get("reject", 0), kinds.get("fix", 0))
        for name, kinds in sorted(decisions.items())
    }
    total = counts(*(sum(row[key] for row in labelers.values()) for key in ("accepted", "rejected", "fixed")))
    return {"review_status": review_status, "decisions": total, "labelers": labelers}


def report_document(job, options: ExportOptions, report: Report, rows: int, roles: list[str]) -> dict:
    """The contents of an export job's report.json."""
    return {
        "job": str(job.pk),
        "format": job.format,
        "generated_at": timezone.now().isoformat(),
        "options": job.options,
        "datasets": report.datasets,
        "records_read": report.records_read,
        "dropped": dict(report.dropped),
        "rows_written": rows,
        "group_by": options.group_by,
        "groups": report.groups,
        "splits": report.splits,
        "files": {role: file_name(job.format, role) for role in roles},
        "reconciliation": {
            "text_strategy": options.text_strategy,
            "rating_aggregate": options.rating_aggregate,
            "records_with_several_answers_reconciled": report.reconciled_records,
            "ties": report.ties,
            "decisions": report.decisions,
        },
        "agreement": report.agreement,
        "review": review_summary(options.review_status, report.review_decisions),
        "skips": report.skips,
    }


def skip_figures(dataset_ids: list) -> dict:
    """How often labelers skipped records of the exported datasets, per reason and per labeler (issue #19):
    prompts skipped as "not my field" or "broken" say where routing or the data needs work."""
    by_reason = dict.fromkeys(Skip.Reason.values, 0)
    by_labeler: dict[str, dict] = {}
    for row in skip_counts(dataset_ids=dataset_ids):
        by_reason[row["reason"]] += row["count"]
        by_labeler.setdefault(row["username"], dict.fromkeys(Skip.Reason.values, 0))[row["reason"]] += row["count"]
    return {"total": sum(by_reason.values()), "by_reason": by_reason, "by_labeler": by_labeler}
