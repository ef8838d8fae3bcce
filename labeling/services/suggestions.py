"""Suggestions: checked and written with their records, or upserted in bulk on their own (DESIGN §3)."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction

from config.errors import InvalidInput
from config.ids import uuid_or_none

from .. import validation
from ..access import DatasetAccess
from ..models import Question, Record, Suggestion
from .bulk import BULK_BATCH, MAX_RECORDS_PER_CALL, BulkResult, records_by_external_id
from .checks import check_on_error, invalid_rows


def suggestion_problems(suggestions: Any, questions: Mapping[str, Question]) -> list[dict]:
    """What is wrong with a list of suggestion specs, as `{"question" or "field", "message"}` rows."""
    if suggestions is None:
        return []
    if not isinstance(suggestions, list):
        return [{"field": "suggestions", "message": "'suggestions' must be a list."}]
    problems = []
    for spec in suggestions:
        name = spec.get("question") if isinstance(spec, Mapping) else None
        question = questions.get(name)
        if question is None:
            problems.append({"question": name, "message": f"Unknown question '{name}'."})
            continue
        problem = validation.answer_problem(question.type, question.settings, spec.get("value"))
        if problem:
            problems.append({"question": name, "message": problem})
        if spec.get("type") not in (None, "model", "human"):
            problems.append({"question": name, "message": "Suggestion type is 'model', 'human' or null."})
    return problems


def suggestions_write(rows: Iterable[tuple[Record, Mapping]], questions: Mapping[str, Question]) -> int:
    """Upsert suggestions (one per record and question): existing ones are replaced."""
    objects = [
        Suggestion(record=record, question=questions[spec["question"]], value=spec["value"],
                   score=spec.get("score"), agent=spec.get("agent"), type=spec.get("type"))
        for record, spec in rows
    ]
    record_ids = {s.record_id for s in objects}
    existing = Suggestion.objects.filter(record_id__in=record_ids)
    keep = {(s.record_id, s.question_id) for s in objects}
    stale = [s.pk for s in existing.only("id", "record_id", "question_id") if (s.record_id, s.question_id) in keep]
    Suggestion.objects.filter(pk__in=stale).delete()
    Suggestion.objects.bulk_create(objects, batch_size=BULK_BATCH)
    return len(objects)


def suggestions_upsert(*, access: DatasetAccess, items: Sequence[Any], on_error: str = "reject") -> BulkResult:
    """Add or replace suggestions of the accessed dataset's records in bulk:
    `{"record_id" | "external_id", "question", "value", ...}`."""
    access.require_admin()
    dataset = access.dataset
    check_on_error(on_error)
    if not isinstance(items, (list, tuple)) or len(items) > MAX_RECORDS_PER_CALL:
        raise InvalidInput(f"'suggestions' must be a list of at most {MAX_RECORDS_PER_CALL} items.")
    questions = {q.name: q for q in dataset.questions.all()}
    record_ids = {str(i.get("record_id")) for i in items if isinstance(i, Mapping) and i.get("record_id")}
    external_ids = {str(i.get("external_id")) for i in items if isinstance(i, Mapping) and i.get("external_id") is not None}
    records = Record.objects.filter(dataset=dataset)
    by_id = {str(r.pk): r for r in records.filter(pk__in=[r for r in record_ids if uuid_or_none(r) is not None])}
    by_external = records_by_external_id(dataset, list(external_ids))
    bad, good = [], []
    seen: set[tuple] = set()
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            bad.append({"index": index, "field": None, "message": "Each suggestion is an object."})
            continue
        record = by_id.get(str(item.get("record_id"))) or by_external.get(str(item.get("external_id")))
        if record is None:
            bad.append({"index": index, "field": "record_id", "message": "No such record in this dataset."})
            continue
        problems = suggestion_problems([item], questions)
        key = (record.pk, item.get("question"))
        if not problems and key in seen:
            problems = [{"question": item.get("question"), "message": "Two suggestions for the same record and question."}]
        seen.add(key)
        if problems:
            bad.extend({"index": index, **p} for p in problems)
        else:
            good.append((record, item))
    if bad and on_error == "reject":
        raise invalid_rows(f"{len({r['index'] for r in bad})} of {len(items)} suggestions are invalid; nothing was written.", bad)
    with transaction.atomic():
        count = suggestions_write(good, questions) if good else 0
    return BulkResult(created=count, skipped=bad)
