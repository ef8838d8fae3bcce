"""The export pipeline (DESIGN §5): options, compatibility of datasets, streaming, filters, report.

Records are read chunk by chunk in ordinal order (keyset paging), each chunk with its responses
in one more query (and its suggestions for records.jsonl): a constant number of queries per
chunk, never one per record. Rows go straight to the format writers, so memory stays flat.

The training formats read plain tuples (`values_list`), never model instances, and only the JSON
keys they use, unpacked by the database (`JsonScalar`); responses arrive sorted by time. That keeps
the per-record Python work to reconciliation and formatting (DESIGN §8: ≥ 20,000 records/s).
"""

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import F, FloatField, Func, TextField
from django.db.models.fields.json import KeyTransform, compile_json_path
from django.db.models.functions import Coalesce

from config.errors import InvalidInput
from labeling.metadata_filter import metadata_conditions, metadata_filter, metadata_types
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
    options.metadata_filter = {} if raw.get("metadata_filter") is None else raw["metadata_filter"]
    metadata_conditions(options.metadata_filter, types=metadata_types(datasets), allow_undeclared=True,
                        field="metadata_filter")
    options.min_rating = _min_rating(raw.get("min_rating"))

    _check_compatible(datasets, options)
    options.answer_questions = _common_answer_questions(datasets, options.demonstration_question)
    return options


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
    if options.metadata_filter:
        conditions = metadata_conditions(options.metadata_filter, types=metadata_types([dataset]), allow_undeclared=True,
                                         field="metadata_filter")
        records = metadata_filter(records, conditions)
    return records


class JsonScalar(Func):
    """The value under `key` of a JSON column when it is a JSON string (as text) or number (as a float), else NULL.

    The database unpacks the value, so exports decode no JSON in Python for prompts, texts, labels and
    ratings: Django's JSONField would `json.loads` every whole document, the largest cost of an export.
    A number comes back as a float; every use of one (mean, median, agreement, best rated, minimum rating)
    treats 3 and 3.0 alike. Values of another JSON type than asked for read as NULL (validation never
    stores those: DESIGN §4).
    """

    def __init__(self, column: str, key: str, json_type: str):
        if json_type not in ("string", "number"):
            raise ValueError(f"unknown JSON type {json_type!r}")
        super().__init__(F(column), output_field=TextField() if json_type == "string" else FloatField())
        self.key, self.json_type = key, json_type

    # The database already returns str or float: no per-row Python conversion (Django's default calls float()).
    convert_value = staticmethod(Func._convert_value_noop)

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite's JSON1 functions (the embedded default): a JSON string comes back as text, a number cast to REAL.
        column, params = compiler.compile(self.get_source_expressions()[0])
        path = compile_json_path([self.key])
        types = ("text",) if self.json_type == "string" else ("integer", "real")
        placeholders = ", ".join(["%s"] * len(types))
        value = f"JSON_EXTRACT({column}, %s)"
        if self.json_type == "number":
            value = f"CAST({value} AS REAL)"
        sql = f"(CASE WHEN JSON_TYPE({column}, %s) IN ({placeholders}) THEN {value} END)"
        return sql, (*params, path, *types, *params, path)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        cast = "" if self.json_type == "string" else "::double precision"
        sql = f"(CASE WHEN JSONB_TYPEOF({column} -> %s) = %s THEN ({column} ->> %s){cast} END)"
        return sql, (*params, self.key, self.json_type, *params, self.key)


class UtcIsoText(Func):
    """A timestamp column as the text `datetime.isoformat()` gives in UTC, rendered by the database.

    `2026-01-02T03:04:05.678901+00:00`, without the fraction when it is zero, exactly as Python
    writes it. records.jsonl then builds no datetime objects: Django decodes each timestamp in
    Python, most of that export's time. Relies on USE_TZ with UTC storage (config/settings/base.py).
    """

    output_field = TextField()
    convert_value = staticmethod(Func._convert_value_noop)

    def __init__(self, column: str):
        super().__init__(F(column))

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite holds Django's str() of the naive UTC value: '2026-01-02 03:04:05.678901'.
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"(REPLACE({column}, ' ', 'T') || '+00:00')", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        text = f"""TO_CHAR({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')"""
        return f"(REGEXP_REPLACE({text}, '\\.000000$', '') || '+00:00')", params


def _value_column(name: str, kind: str):
    """How a question's answer is read: unpacked by the database, or (lists, rankings) as decoded JSON."""
    if kind == "rating":
        return JsonScalar("values", name, "number")
    if kind in ("text", "label_selection"):
        return JsonScalar("values", name, "string")
    return KeyTransform(name, "values")


# records.jsonl: every column, timestamps as ISO text.
RECORD_COLUMNS_FULL = {
    "ordinal": "ordinal", "id": "id", "external_id": "external_id", "fields": "fields", "metadata": "metadata",
    "status": "status", "inserted_at": UtcIsoText("inserted_at"), "updated_at": UtcIsoText("updated_at"),
}
RESPONSE_COLUMNS_FULL = {
    "record_id": "record_id", "user__username": "user__username", "values": "values", "status": "status",
    **{name: UtcIsoText(name) for name in ("started_at", "submitted_at", "inserted_at", "updated_at")},
}
SUGGESTION_COLUMNS = ("record_id", "question__name", "value", "score", "agent", "type")


def _keyset_pages(records, columns, chunk_size: int):
    """Yield (rows, the records of those rows as a subquery), `chunk_size` records at a time in ordinal order.

    Keyset paging on the (dataset, ordinal) index: no OFFSET. The subquery selects the page's records
    again so their responses come in one semi-join, not a list of thousands of ids to bind and parse.
    `columns` must start with "ordinal".
    """
    records = records.order_by("ordinal")
    after = None
    while True:
        page = records if after is None else records.filter(ordinal__gt=after)
        rows = list(page.values_list(*columns)[:chunk_size])
        if not rows:
            return
        last = rows[-1][0]
        ids = records.filter(ordinal__lte=last)
        if after is not None:
            ids = ids.filter(ordinal__gt=after)
        yield rows, ids.order_by().values("id")
        after = last


def record_chunks(records, *, chunk_size: int):
    """Yield lists of (record, responses, suggestions) as plain dicts for records.jsonl: every column, every status."""
    for rows, page in _keyset_pages(records, list(RECORD_COLUMNS_FULL.values()), chunk_size):
        by_record: dict = defaultdict(list)
        for values in Response.objects.filter(record_id__in=page).order_by("inserted_at", "id").values_list(
            *RESPONSE_COLUMNS_FULL.values()
        ):
            by_record[values[0]].append(dict(zip(RESPONSE_COLUMNS_FULL, values)))
        suggestions: dict = defaultdict(list)
        for values in Suggestion.objects.filter(record_id__in=page).order_by("inserted_at", "id").values_list(
            *SUGGESTION_COLUMNS
        ):
            suggestions[values[0]].append(dict(zip(SUGGESTION_COLUMNS, values)))
        yield [
            (dict(zip(RECORD_COLUMNS_FULL, row)), by_record.get(row[1], []), suggestions.get(row[1], []))
            for row in rows
        ]


def example_chunks(records, *, chunk_size: int, options: ExportOptions, value_questions: list[tuple[str, str]],
                   with_metadata: bool):
    """Yield lists of (record, answers) for the training formats, `chunk_size` records at a time.

    A record is the tuple (id, external_id, prompt, input, metadata); metadata is read only `with_metadata`
    (flat formats). Answers are `reconcile.Answer`s of the responses in `options.response_status`, oldest
    first (ordered in SQL, so they carry no timestamps), with the demonstration and `value_questions` as
    values. Two queries per chunk, whatever its size.
    """
    record_columns = ["ordinal", "id", "external_id", JsonScalar("fields", options.prompt_field, "string")]
    if options.input_field:
        record_columns.append(JsonScalar("fields", options.input_field, "string"))
    if with_metadata:
        record_columns.append("metadata")
    names = (options.demonstration_question, *(name for name, _ in value_questions))
    response_columns = [
        "record__ordinal", "user__username", JsonScalar("values", options.demonstration_question, "string"),
        *(_value_column(name, kind) for name, kind in value_questions),
    ]
    answer = reconcile.Answer
    input_at = 4 if options.input_field else None
    metadata_at = -1 if with_metadata else None
    for rows, page in _keyset_pages(records, record_columns, chunk_size):
        responses = (
            Response.objects.filter(record_id__in=page, status__in=options.response_status)
            .order_by("record__ordinal", Coalesce("submitted_at", "inserted_at"), "inserted_at", "id")
            .values_list(*response_columns)
        )
        # Grouped by record ordinal (an int: cheaper to hash than a UUID), already in order.
        answers = {
            ordinal: [answer(row[1], dict(zip(names, row[2:]))) for row in group]
            for ordinal, group in groupby(responses, itemgetter(0))
        }
        yield [
            (
                (row[1], row[2], row[3] or "", row[input_at] if input_at else None,
                 row[metadata_at] if metadata_at else None),
                answers.get(row[0], ()),
            )
            for row in rows
        ]


def full_record(dataset_label: str, record: dict, responses: list[dict], suggestions: list[dict]) -> dict:
    """A record for records.jsonl: everything we hold about it."""
    return {
        "id": str(record["id"]),
        "dataset": dataset_label,
        "external_id": record["external_id"],
        "status": record["status"],
        "fields": record["fields"],
        "metadata": record["metadata"],
        "inserted_at": record["inserted_at"],
        "updated_at": record["updated_at"],
        "suggestions": [
            {"question": s["question__name"], "value": s["value"], "score": s["score"], "agent": s["agent"],
             "type": s["type"]}
            for s in suggestions
        ],
        "responses": [
            {"user": r["user__username"], "status": r["status"], "values": r["values"],
             "started_at": r["started_at"], "submitted_at": r["submitted_at"],
             "inserted_at": r["inserted_at"], "updated_at": r["updated_at"]}
            for r in responses
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


# Answers read for every format: they feed the agreement figures or report ties. The others only fill columns.
ALWAYS_READ = ("rating", "label_selection", "multi_label_selection")


class ExamplePipeline:
    """Turn one record and its answers into training examples: reconcile, filter, split.

    `with_answers` (the flat formats) reconciles every other question into `Example.answers`; without it
    only what the report (ties, agreement) and the filters need is read and computed.
    """

    def __init__(self, options: ExportOptions, report: Report, *, with_answers: bool):
        self.options = options
        self.report = report
        self.with_answers = with_answers
        self.seen_prompts: set[bytes] = set()
        self.min_rating_question = (options.min_rating or {}).get("question")
        needed = {options.rating_question, self.min_rating_question}
        self.value_questions = [
            (name, kind) for name, kind in options.answer_questions
            if with_answers or kind in ALWAYS_READ or name in needed
        ]
        self.alphas = {
            name: reconcile.Alpha("interval" if kind == "rating" else "nominal")
            for name, kind in options.answer_questions
            if kind in ("rating", "label_selection")
        }
        self.text_answer_questions = [name for name, kind in options.answer_questions if kind == "text"]

    def examples(self, dataset_label: str, record: tuple, answers: list[reconcile.Answer]) -> list[Example]:
        """The examples of one record from `example_chunks`; answers come oldest first."""
        options, report = self.options, self.report
        if not answers:
            report.dropped["no_response"] += 1
            return []
        record_id, external_id, prompt, input_text, metadata = record
        reconciled = self._reconcile_answers(record_id, answers)
        if self.min_rating_question:
            rating = reconciled[self.min_rating_question]
            if rating is None or rating < options.min_rating["value"]:
                report.dropped["below_min_rating" if rating is not None else "unrated"] += 1
                return []
        choice = reconcile.choose_texts(
            answers, options.demonstration_question, options.text_strategy,
            seed=options.seed, record_key=str(record_id) if options.text_strategy == "random" else "",
            rating_question=options.rating_question, in_time_order=True,
        )
        if not choice.answers:
            report.dropped["no_demonstration"] += 1
            return []
        if choice.is_tie:
            report.tie(options.demonstration_question, record_id, [a.user for a in answers])
        if options.text_strategy != "all" and len(answers) > 1:
            report.reconciled_records += 1
        if options.dedupe:
            digest = hashlib.blake2b(prompt.encode(), digest_size=16).digest()
            if digest in self.seen_prompts:
                report.dropped["duplicate_prompt"] += 1
                return []
            self.seen_prompts.add(digest)
        split = None
        if options.test_size:
            # Per record, so every example of a record lands on the same side (no leakage).
            draw = random.Random(f"{options.split_seed}:{record_id}").random()
            split = "test" if draw < options.test_size else "train"
            report.splits[split] += len(choice.answers)
        demonstration, system, annotated = options.demonstration_question, options.system_prompt, self.with_answers
        examples = []
        for answer in choice.answers:
            if annotated:
                answers_out = dict(reconciled)
                for name in self.text_answer_questions:
                    answers_out[name] = answer.values.get(name)
            else:
                answers_out = {}
            examples.append(Example(
                record_id=record_id, external_id=external_id, dataset=dataset_label, prompt=prompt,
                completion=answer.values[demonstration], system=system, input=input_text,
                annotator=answer.user, answers=answers_out, metadata=metadata, split=split,
            ))
        report.examples += len(examples)
        return examples

    def _reconcile_answers(self, record_id, answers: list[reconcile.Answer]) -> dict:
        reconciled = {}
        for name, kind in self.value_questions:
            values = [value for a in answers if (value := a.values.get(name)) is not None]
            if kind == "rating":
                if self.with_answers or name == self.min_rating_question:
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
