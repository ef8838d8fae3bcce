"""Export options (DESIGN §5): check them against every dataset's schema and fill in the defaults.

The first step of the export pipeline: `normalize_options` runs when a job is created (to refuse bad
options before anything is stored) and again when it runs (datasets may have changed since).
"""

from dataclasses import dataclass, field
from typing import Any

from config.errors import InvalidInput
from exports import reconcile
from exports.errors import IncompatibleDatasets
from exports.formats import Column, table_columns
from labeling.metadata_filter import metadata_conditions, metadata_types
from labeling.models import Dataset, Question, Record

RESPONSE_STATUSES = ("submitted", "draft", "discarded")
# Which answers the review stage lets through: only accepted ones, all but rejected ones, or all.
REVIEW_STATUSES = ("accepted_only", "not_rejected", "any")
OPTION_NAMES = {
    "prompt_field", "input_field", "demonstration_question", "system_prompt", "response_status", "review_status",
    "completed_only", "metadata_filter", "min_rating", "text_strategy", "seed", "rating_question",
    "rating_aggregate", "dedupe", "test_size", "split_seed", "group_by", "stratify_by",
}
GROUP_BY = ("external_id", "prompt", "record")
ANSWER_KINDS = {"rating": "float", "label_selection": "str", "multi_label_selection": "list", "ranking": "json",
                "text": "str"}


def dataset_label(dataset: Dataset) -> str:
    """How files, reports and errors name a dataset: WORKSPACE/DATASET."""
    return f"{dataset.workspace.name}/{dataset.name}"


def _bad(message: str, option: str) -> InvalidInput:
    return InvalidInput(message, details={"field": f"options.{option}"})


@dataclass
class ExportOptions:
    prompt_field: str
    demonstration_question: str
    input_field: str | None = None
    system_prompt: str | None = None
    response_status: list[str] = field(default_factory=lambda: ["submitted"])
    review_status: str = "any"
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
    # The consolidation key: answers of one group are reconciled, filtered and split together (DESIGN §5).
    group_by: str = "record"
    stratify_by: str | None = None
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
    options.review_status = _review_status(raw.get("review_status"), datasets)
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
    types = metadata_types(datasets)
    metadata_conditions(options.metadata_filter, types=types, allow_undeclared=True, field="metadata_filter")
    options.min_rating = _min_rating(raw.get("min_rating"))
    options.stratify_by = _stratify_by(raw.get("stratify_by"), test_size, types)

    _check_same_schema(datasets)
    _check_compatible(datasets, options)
    options.group_by = _group_by(raw.get("group_by"), datasets)
    options.answer_questions = _answer_questions(datasets, options.demonstration_question)
    return options


def _min_rating(raw: Any) -> dict | None:
    if raw is None:
        return None
    if (not isinstance(raw, dict) or not isinstance(raw.get("question"), str)
            or isinstance(raw.get("value"), bool) or not isinstance(raw.get("value"), (int, float))):
        raise _bad("'min_rating' is {\"question\": a rating question, \"value\": a number}.", "min_rating")
    return {"question": raw["question"], "value": raw["value"]}


def reviews_on(datasets: list[Dataset]) -> bool:
    """Whether any of the datasets sends answers to review."""
    return any(dataset.review != Dataset.Review.OFF for dataset in datasets)


def _review_status(raw: Any, datasets: list[Dataset]) -> str:
    """Which answers the review lets through; by default all but rejected ones when a dataset reviews, else all."""
    if raw is None:
        return "not_rejected" if reviews_on(datasets) else "any"
    if raw not in REVIEW_STATUSES:
        raise _bad(f"'review_status' is one of: {', '.join(REVIEW_STATUSES)}.", "review_status")
    return raw


def _stratify_by(raw: Any, test_size: float | None, types: dict[str, str]) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or raw not in types:
        raise _bad(f"'stratify_by' is the name of a metadata property of the datasets ({', '.join(sorted(types)) or 'none'}).",
                   "stratify_by")
    if not test_size:
        raise _bad("'stratify_by' keeps category shares in a split: set 'test_size' too.", "stratify_by")
    return raw


def _group_by(raw: Any, datasets: list[Dataset]) -> str:
    """The consolidation key: external_id by default when every record has one, else one group per record."""
    if raw is not None and raw not in GROUP_BY:
        raise _bad(f"'group_by' is one of: {', '.join(GROUP_BY)}.", "group_by")
    if raw in ("prompt", "record"):
        return raw
    missing = Record.objects.filter(dataset__in=[d.pk for d in datasets], external_id__isnull=True).count()
    missing += Record.objects.filter(dataset__in=[d.pk for d in datasets], external_id="").count()
    if raw is None:
        return "record" if missing else "external_id"
    if missing:
        raise _bad(f"{missing} record(s) have no external_id, so they cannot be grouped by it; "
                   "use 'group_by': 'prompt' or 'record'.", "group_by")
    return raw


def _schema(dataset: Dataset) -> dict[str, str]:
    return {
        **{f"field '{f.name}'": f.type for f in dataset.fields.all()},
        **{f"question '{q.name}'": q.type for q in dataset.questions.all()},
    }


def _check_same_schema(datasets: list[Dataset]) -> None:
    """Answers are reconciled across datasets only when every dataset asks the same (DESIGN §5: compatible schemas)."""
    first = datasets[0]
    expected = _schema(first)
    for dataset in datasets[1:]:
        have = _schema(dataset)
        for name in sorted(set(expected) | set(have)):
            if expected.get(name) != have.get(name):
                if name not in have:
                    difference = f"has no {name}"
                elif name not in expected:
                    difference = f"has a {name} that '{dataset_label(first)}' lacks"
                else:
                    difference = f"has {name} of type {have[name]}, not {expected[name]}"
                raise IncompatibleDatasets(
                    f"Datasets must share one schema to be exported together: '{dataset_label(dataset)}' {difference}.",
                    details={"dataset": str(dataset.pk), "difference": name},
                )


def _check_compatible(datasets: list[Dataset], options: ExportOptions) -> None:
    """Every dataset has the prompt field, the text question and the rating questions the options name."""
    for dataset in datasets:
        fields = {f.name for f in dataset.fields.all()}
        questions = {q.name: q.type for q in dataset.questions.all()}
        label = dataset_label(dataset)
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


def _answer_questions(datasets: list[Dataset], demonstration: str) -> list[tuple[str, str]]:
    """Questions other than the demonstration, in the schema's order (every dataset shares it)."""
    return [(q.name, q.type) for q in datasets[0].questions.all() if q.name != demonstration and q.type in ANSWER_KINDS]


def aggregate_column(name: str, kind: str, options: ExportOptions) -> str | None:
    """The column holding a question's value reconciled over the group (None for text: only own answers)."""
    suffix = {"rating": options.rating_aggregate, "label_selection": "majority", "multi_label_selection": "majority",
              "ranking": "mean_rank"}.get(kind)
    return f"{name}_{suffix}" if suffix else None


def answer_columns(options: ExportOptions) -> list[Column]:
    """Each question's column with the row's own answer, then its aggregate over the group beside it."""
    columns = []
    for name, kind in options.answer_questions:
        columns.append(Column(name, ANSWER_KINDS[kind]))
        aggregate = aggregate_column(name, kind, options)
        if aggregate:
            columns.append(Column(aggregate, "json" if kind == "ranking" else ANSWER_KINDS[kind]))
    return columns


def flat_columns(options: ExportOptions) -> list[Column]:
    return table_columns(answer_columns(options), has_system=bool(options.system_prompt), has_split=bool(options.test_size))
