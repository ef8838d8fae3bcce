"""report.json (DESIGN §5): what an export read, dropped, wrote, reconciled, and how much annotators agreed."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from exports.formats.registry import file_name
from exports.pipeline.options import ExportOptions

MAX_REPORTED_IDS = 100


@dataclass
class Report:
    """What the export did, written as JSON beside the data (DESIGN §5)."""

    datasets: list[dict] = field(default_factory=list)
    records_read: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: int = 0
    splits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reconciled_records: int = 0
    ties: dict[str, dict] = field(default_factory=dict)
    agreement: dict[str, dict] = field(default_factory=dict)

    def tie(self, question: str, record_id, tied: list) -> None:
        entry = self.ties.setdefault(question, {"count": 0, "records": []})
        entry["count"] += 1
        if len(entry["records"]) < MAX_REPORTED_IDS:
            entry["records"].append({"record_id": str(record_id), "tied": [str(t) for t in tied]})


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
        "splits": dict(report.splits),
        "files": {role: file_name(job.format, role) for role in roles},
        "reconciliation": {
            "text_strategy": options.text_strategy,
            "rating_aggregate": options.rating_aggregate,
            "records_with_several_answers_reconciled": report.reconciled_records,
            "ties": report.ties,
        },
        "agreement": report.agreement,
    }
