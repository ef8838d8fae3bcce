"""The export pipeline (DESIGN §5): options, compatibility of datasets, streaming, filters, report.

Records are read chunk by chunk in ordinal order (keyset paging), each chunk with its responses
in one more query (and its suggestions for records.jsonl): a constant number of queries per
chunk, never one per record. Rows go straight to the format writers, so memory stays flat.
"""

import hashlib
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from config.errors import InvalidInput
from labeling.models import Dataset, Question, Record, Response, Suggestion

from . import reconcile
from .errors import IncompatibleDatasets
from .formats import Column, Example, table_columns

RESPONSE_STATUSES = ("submitted", "draft", "discarded")
OPTION_NAMES = {
    "prompt_field", "input_field", "demonstration_question", "system_prompt", "response_status",
    "completed_only", "metadata_filter", "min_rating", "text_strategy", "seed", "rating_question",
    "rating_aggregate", "dedupe", "test_size", "split_seed",
}
ANSWER_KINDS = {"rating": "float", "label_selection": "str", "multi_label_selection": "list", "ranking": "json",
                "text": "str"}
MAX_REPORTED_IDS = 100


def _bad(message: str, option: str) -> InvalidInput:
    return InvalidInput(message, details={"field": f"options.{option}"})


@dataclass
class ExportOptions:
    prompt_field: str
    demonstration_question: str
    input_field: str | None = None
    system_prompt: str | None = None
    response_status: list[str] = field(default_factory=lambda: ["submitted"])
    completed_only: bool = False
    metadata_filter: dict = field(default_factory=dict)
    min_rating: dict | None = None
    text_strategy: str = "all"
    seed: int = 0
    rating_question: str | None = None
    rating_aggregate: str = "mean"
    dedupe: bool = False
    test_size: float | None = None
    split_seed: int = 0
    # Other questions common to every dataset, reconciled into columns: (name, type).
    answer_questions: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data["answer_questions"] = [list(item) for item in self.answer_questions]
        return data


def _bool(raw: dict, name: str) -> bool:
    value = raw.get(name, False)
    if not isinstance(value, bool):
        raise _bad(f"'{name}' is true or false.", name)
    return value


def _int(raw: dict, name: str) -> int:
    value = raw.get(name, 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(f"'{name}' is a whole number.", name)
    return value


def _only(items: list, kind: str, option: str, names: str) -> str:
    if len(items) != 1:
        raise _bad(f"The datasets have {len(items)} {kind}s ({names or 'none'}); say which one with '{option}'.", option)
    return items[0]


def normalize_options(datasets: list[Dataset], raw: Any) -> ExportOptions:
    """Check export options against every dataset's schema (prefetched) and fill in defaults.

    Raises InvalidInput naming the option, or IncompatibleDatasets naming the dataset that lacks
    what the first one has.
    """
    raw = raw or {}
    if not isinstance(raw, dict):
        raise InvalidInput("'options' must be an object.", details={"field": "options"})
    unknown = sorted(set(raw) - OPTION_NAMES)
    if unknown:
        raise InvalidInput(f"Unknown export option(s): {', '.join(unknown)}.", details={"field": "options", "unknown": unknown})
    first = datasets[0]
    text_fields = [f.name for f in first.fields.all()]
    text_questions = [q.name for q in first.questions.all() if q.type == Question.Type.TEXT]
    prompt_field = raw.get("prompt_field") or _only(text_fields, "text field", "prompt_field", ", ".join(text_fields))
    demonstration = raw.get("demonstration_question") or _only(
        text_questions, "text question", "demonstration_question", ", ".join(text_questions)
    )
    options = ExportOptions(prompt_field=prompt_field, demonstration_question=demonstration)
    options.input_field = raw.get("input_field") or None
    system_prompt = raw.get("system_prompt")
    if system_prompt is not None and not isinstance(system_prompt, str):
        raise _bad("'system_prompt' is a string.", "system_prompt")
    options.system_prompt = system_prompt or None
    status = raw.get("response_status", ["submitted"])
    status = [status] if isinstance(status, str) else status
    if not isinstance(status, list) or not status or any(s not in RESPONSE_STATUSES for s in status):
        raise _bad(f"'response_status' is one or more of: {', '.join(RESPONSE_STATUSES)}.", "response_status")
    options.response_status = sorted(set(status))
    options.completed_only = _bool(raw, "completed_only")
    options.dedupe = _bool(raw, "dedupe")
    options.seed = _int(raw, "seed")
    options.split_seed = _int(raw, "split_seed")
    options.text_strategy = raw.get("text_strategy", "all")
    if options.text_strategy not in reconcile.TEXT_STRATEGIES:
        raise _bad(f"'text_strategy' is one of: {', '.join(reconcile.TEXT_STRATEGIES)}.", "text_strategy")
    options.rating_aggregate = raw.get("rating_aggregate", "mean")
    if options.rating_aggregate not in reconcile.RATING_AGGREGATES:
        raise _bad("'rating_aggregate' is 'mean' or 'median'.", "rating_aggregate")
    options.rating_question = raw.get("rating_question") or None
    if options.text_strategy == "best_rated" and not options.rating_question:
        raise _bad("text_strategy 'best_rated' needs 'rating_question': the rating that ranks the answers.", "rating_question")
    test_size = raw.get("test_size")
    if test_size is not None and (isinstance(test_size, bool) or not isinstance(test_size, (int, float)) or not 0 < test_size < 1):
        raise _bad("'test_size' is a fraction between 0 and 1 (e.g. 0.1).", "test_size")
    options.test_size = test_size
    options.metadata_filter = _metadata_filter(raw.get("metadata_filter"))
    options.min_rating = _min_rating(raw.get("min_rating"))

    _check_compatible(datasets, options)
    options.answer_questions = _common_answer_questions(datasets, options.demonstration_question)
    return options


def _metadata_filter(raw: Any) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad("'metadata_filter' maps metadata names to a value, a list of values or {\"min\", \"max\"}.", "metadata_filter")
    for name, condition in raw.items():
        if isinstance(condition, dict) and (not condition or set(condition) - {"min", "max"}):
            raise _bad(f"The range for metadata '{name}' takes 'min' and/or 'max'.", "metadata_filter")
        if isinstance(condition, list) and not condition:
            raise _bad(f"The list of values for metadata '{name}' is empty.", "metadata_filter")
    return raw


def _min_rating(raw: Any) -> dict | None:
    if raw is None:
        return None
    if (not isinstance(raw, dict) or not isinstance(raw.get("question"), str)
            or isinstance(raw.get("value"), bool) or not isinstance(raw.get("value"), (int, float))):
        raise _bad("'min_rating' is {\"question\": a rating question, \"value\": a number}.", "min_rating")
    return {"question": raw["question"], "value": raw["value"]}


def _check_compatible(datasets: list[Dataset], options: ExportOptions) -> None:
    """Every dataset has the prompt field, the text question and the rating questions the options name."""
    for dataset in datasets:
        fields = {f.name for f in dataset.fields.all()}
        questions = {q.name: q.type for q in dataset.questions.all()}
        label = f"{dataset.workspace.name}/{dataset.name}"
        for name in filter(None, [options.prompt_field, options.input_field]):
            if name not in fields:
                raise IncompatibleDatasets(f"Dataset '{label}' has no field '{name}'.", details={"dataset": str(dataset.pk)})
        if questions.get(options.demonstration_question) != Question.Type.TEXT:
            raise IncompatibleDatasets(
                f"Dataset '{label}' has no text question '{options.demonstration_question}'.", details={"dataset": str(dataset.pk)}
            )
        for name in filter(None, [options.rating_question, (options.min_rating or {}).get("question")]):
            if questions.get(name) != Question.Type.RATING:
                raise IncompatibleDatasets(f"Dataset '{label}' has no rating question '{name}'.", details={"dataset": str(dataset.pk)})


def _common_answer_questions(datasets: list[Dataset], demonstration: str) -> list[tuple[str, str]]:
    """Questions (other than the demonstration) of the same name and type in every dataset, in the first one's order."""
    common = [(q.name, q.type) for q in datasets[0].questions.all() if q.name != demonstration and q.type in ANSWER_KINDS]
    for dataset in datasets[1:]:
        have = {(q.name, q.type) for q in dataset.questions.all()}
        common = [item for item in common if item in have]
    return common


def answer_columns(options: ExportOptions) -> list[Column]:
    return [Column(name, ANSWER_KINDS[kind]) for name, kind in options.answer_questions]


def flat_columns(options: ExportOptions) -> list[Column]:
    return table_columns(answer_columns(options), has_system=bool(options.system_prompt), has_split=bool(options.test_size))


# --- streaming ------------------------------------------------------------------------------------


def filtered_records(dataset: Dataset, options: ExportOptions):
    """The dataset's records after the filters the database applies (completion, metadata)."""
    records = Record.objects.filter(dataset=dataset)
    if options.completed_only:
        records = records.filter(status=Record.Status.COMPLETED)
    for name, condition in options.metadata_filter.items():
        key = f"metadata__{name}"
        if isinstance(condition, dict):
            if condition.get("min") is not None:
                records = records.filter(**{f"{key}__gte": condition["min"]})
            if condition.get("max") is not None:
                records = records.filter(**{f"{key}__lte": condition["max"]})
        elif isinstance(condition, list):
            records = records.filter(Q(**{f"{key}__in": condition}))
        else:
            records = records.filter(**{key: condition})
    return records


# Training examples need fewer columns than records.jsonl; decoding timestamps is a large share of the cost.
RECORD_COLUMNS = ("id", "ordinal", "external_id", "fields", "metadata")
RECORD_COLUMNS_FULL = (*RECORD_COLUMNS, "status", "inserted_at", "updated_at")
RESPONSE_COLUMNS = ("record_id", "user__username", "values", "submitted_at", "inserted_at")
RESPONSE_COLUMNS_FULL = (*RESPONSE_COLUMNS, "status", "started_at", "updated_at")


def record_chunks(records, *, chunk_size: int, statuses: list[str] | None, with_suggestions: bool):
    """Yield lists of (record, responses, suggestions) as plain dicts, `chunk_size` records at a time.

    `with_suggestions` (records.jsonl) also reads every column; the training formats read only what they use.
    """
    record_columns = RECORD_COLUMNS_FULL if with_suggestions else RECORD_COLUMNS
    response_columns = RESPONSE_COLUMNS_FULL if with_suggestions else RESPONSE_COLUMNS
    last = None
    while True:
        page = records.order_by("ordinal")
        if last is not None:
            page = page.filter(ordinal__gt=last)
        rows = list(page.values(*record_columns)[:chunk_size])
        if not rows:
            return
        last = rows[-1]["ordinal"]
        ids = [row["id"] for row in rows]
        responses = Response.objects.filter(record_id__in=ids)
        if statuses is not None:
            responses = responses.filter(status__in=statuses)
        by_record: dict = defaultdict(list)
        for response in responses.order_by().values(*response_columns):
            by_record[response["record_id"]].append(response)
        suggestions: dict = defaultdict(list)
        if with_suggestions:
            for s in Suggestion.objects.filter(record_id__in=ids).order_by().values(
                "record_id", "question__name", "value", "score", "agent", "type"
            ):
                suggestions[s["record_id"]].append(s)
        yield [(row, by_record.get(row["id"], []), suggestions.get(row["id"], [])) for row in rows]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def full_record(dataset_label: str, record: dict, responses: list[dict], suggestions: list[dict]) -> dict:
    """A record for records.jsonl: everything we hold about it."""
    return {
        "id": str(record["id"]),
        "dataset": dataset_label,
        "external_id": record["external_id"],
        "status": record["status"],
        "fields": record["fields"],
        "metadata": record["metadata"],
        "inserted_at": _iso(record["inserted_at"]),
        "updated_at": _iso(record["updated_at"]),
        "suggestions": [
            {"question": s["question__name"], "value": s["value"], "score": s["score"], "agent": s["agent"], "type": s["type"]}
            for s in suggestions
        ],
        "responses": [
            {"user": r["user__username"], "status": r["status"], "values": r["values"],
             "started_at": _iso(r["started_at"]), "submitted_at": _iso(r["submitted_at"]),
             "inserted_at": _iso(r["inserted_at"]), "updated_at": _iso(r["updated_at"])}
            for r in sorted(responses, key=lambda r: r["inserted_at"])
        ],
    }


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


class ExamplePipeline:
    """Turn one record and its responses into training examples: reconcile, filter, split."""

    def __init__(self, options: ExportOptions, report: Report):
        self.options = options
        self.report = report
        self.seen_prompts: set[bytes] = set()
        self.alphas = {
            name: reconcile.Alpha("interval" if kind == "rating" else "nominal")
            for name, kind in options.answer_questions
            if kind in ("rating", "label_selection")
        }
        self.text_answer_questions = [name for name, kind in options.answer_questions if kind == "text"]

    def examples(self, dataset_label: str, record: dict, responses: list[dict]) -> list[Example]:
        options, report = self.options, self.report
        if not responses:
            report.dropped["no_response"] += 1
            return []
        answers = [
            reconcile.Answer(user=r["user__username"], values=r["values"] or {},
                             submitted_at=r["submitted_at"], inserted_at=r["inserted_at"])
            for r in responses
        ]
        reconciled = self._reconcile_answers(record["id"], answers)
        if options.min_rating:
            name = options.min_rating["question"]
            rating = reconciled.get(name) if name in reconciled else reconcile.aggregate_rating(
                (a.values.get(name) for a in answers), options.rating_aggregate
            )
            if rating is None or rating < options.min_rating["value"]:
                report.dropped["below_min_rating" if rating is not None else "unrated"] += 1
                return []
        choice = reconcile.choose_texts(
            answers, options.demonstration_question, options.text_strategy,
            seed=options.seed, record_key=str(record["id"]), rating_question=options.rating_question,
        )
        if not choice.answers:
            report.dropped["no_demonstration"] += 1
            return []
        if choice.is_tie:
            report.tie(options.demonstration_question, record["id"], [a.user for a in answers])
        if options.text_strategy != "all" and len(answers) > 1:
            report.reconciled_records += 1
        prompt = record["fields"].get(options.prompt_field) or ""
        if options.dedupe:
            digest = hashlib.blake2b(prompt.encode(), digest_size=16).digest()
            if digest in self.seen_prompts:
                report.dropped["duplicate_prompt"] += 1
                return []
            self.seen_prompts.add(digest)
        split = None
        if options.test_size:
            # Per record, so every example of a record lands on the same side (no leakage).
            split = "test" if random.Random(f"{options.split_seed}:{record['id']}").random() < options.test_size else "train"
        record_id = str(record["id"])
        examples = []
        for answer in choice.answers:
            answers_out = dict(reconciled)
            for name in self.text_answer_questions:
                answers_out[name] = answer.values.get(name)
            examples.append(Example(
                record_id=record_id, external_id=record["external_id"], dataset=dataset_label, prompt=prompt,
                completion=answer.values[options.demonstration_question], system=options.system_prompt,
                input=record["fields"].get(options.input_field) if options.input_field else None,
                annotator=answer.user, answers=answers_out, metadata=record["metadata"], split=split,
            ))
        report.examples += len(examples)
        if split:
            report.splits[split] += len(examples)
        return examples

    def _reconcile_answers(self, record_id, answers: list[reconcile.Answer]) -> dict:
        reconciled = {}
        for name, kind in self.options.answer_questions:
            values = [a.values.get(name) for a in answers if a.values.get(name) is not None]
            if kind == "rating":
                reconciled[name] = reconcile.aggregate_rating(values, self.options.rating_aggregate)
            elif kind == "label_selection":
                vote = reconcile.majority_label(values)
                reconciled[name] = vote.value
                if vote.tied:
                    self.report.tie(name, record_id, vote.tied)
            elif kind == "multi_label_selection":
                vote = reconcile.multi_label_majority(values)
                reconciled[name] = vote.value
                if vote.tied:
                    self.report.tie(name, record_id, vote.tied)
            elif kind == "ranking":
                reconciled[name] = reconcile.mean_rank(values)
            if name in self.alphas:
                self.alphas[name].add_unit(values)
        return reconciled

    def agreement(self) -> dict:
        return {
            name: {"level": alpha.level, "krippendorff_alpha": alpha.value(), "records": alpha.units}
            for name, alpha in self.alphas.items()
        }


ProgressHook = Callable[[int, int], None]
