"""Validation rules that need no database (DESIGN §4): question settings, record rows, response values.

Functions return lists of problems (`{"field"|"question"|"metadata": name, "message": text}`) so that bulk
callers can report every bad row; the services turn them into InvalidInput.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from config.errors import InvalidInput
from config.names import schema_name_problem

TEXT, RATING, LABEL, MULTI_LABEL, RANKING, SPAN = (
    "text",
    "rating",
    "label_selection",
    "multi_label_selection",
    "ranking",
    "span",
)
QUESTION_TYPES = (TEXT, RATING, LABEL, MULTI_LABEL, RANKING, SPAN)
MAX_TEXT_VALUE = 200_000


def _invalid(message: str, name: str | None = None, key: str = "settings") -> InvalidInput:
    details = {key: message}
    if name:
        details["question"] = name
    return InvalidInput(message, code="invalid_settings", details=details)


def _normalize_options(raw: Any, *, name: str, minimum: int) -> list[dict]:
    if not isinstance(raw, list) or len(raw) < minimum:
        raise _invalid(f"Question '{name}' needs at least {minimum} options.", name)
    options, seen = [], set()
    for item in raw:
        if isinstance(item, str):
            item = {"value": item}
        if not isinstance(item, Mapping) or not isinstance(item.get("value"), str) or not item["value"].strip():
            raise _invalid(f"Each option of question '{name}' needs a non-empty string 'value'.", name)
        value = item["value"]
        if value in seen:
            raise _invalid(f"Question '{name}' lists the option '{value}' twice.", name)
        seen.add(value)
        text = item.get("text") if isinstance(item.get("text"), str) and item.get("text") else value
        description = item.get("description") if isinstance(item.get("description"), str) else None
        options.append({"value": value, "text": text, "description": description})
    return options


def _visible_options(raw: Any, *, name: str, count: int) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 3 or raw > count:
        raise _invalid(f"visible_options of question '{name}' must be between 3 and {count}, or null.", name)
    return raw


def normalize_question_settings(question_type: str, settings: Mapping | None, *, name: str, field_names: Iterable[str] = ()) -> dict:
    """Check a question's settings for its type and return them in their stored (Argilla-shaped) form."""
    settings = dict(settings or {})
    if question_type not in QUESTION_TYPES:
        raise _invalid(f"Unknown question type '{question_type}'. Use one of: {', '.join(QUESTION_TYPES)}.", name, "type")
    if question_type == TEXT:
        return {"type": TEXT, "use_markdown": bool(settings.get("use_markdown", False))}
    if question_type == RATING:
        raw = settings.get("options", settings.get("values"))
        if not isinstance(raw, list):
            raise _invalid(f"Rating question '{name}' needs 'options' such as [{{\"value\": 1}}, …].", name)
        values = [item.get("value") if isinstance(item, Mapping) else item for item in raw]
        if any(not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 10 for v in values):
            raise _invalid(f"Rating options of question '{name}' must be whole numbers from 0 to 10.", name)
        if len(set(values)) != len(values) or not 2 <= len(values) <= 11:
            raise _invalid(f"Rating question '{name}' needs 2 to 11 distinct options.", name)
        return {"type": RATING, "options": [{"value": v} for v in values]}
    if question_type in (LABEL, MULTI_LABEL):
        options = _normalize_options(settings.get("options"), name=name, minimum=2)
        normalized = {
            "type": question_type,
            "options": options,
            "visible_options": _visible_options(settings.get("visible_options"), name=name, count=len(options)),
        }
        if question_type == MULTI_LABEL:
            order = settings.get("options_order", "natural")
            if order not in ("natural", "suggestion"):
                raise _invalid(f"options_order of question '{name}' must be 'natural' or 'suggestion'.", name)
            normalized["options_order"] = order
        return normalized
    if question_type == RANKING:
        return {"type": RANKING, "options": _normalize_options(settings.get("options"), name=name, minimum=2)}
    field = settings.get("field")
    field_names = list(field_names)
    if field not in field_names:
        raise _invalid(f"Span question '{name}' must name one of the dataset's fields in 'field'.", name)
    options = _normalize_options(settings.get("options"), name=name, minimum=1)
    return {
        "type": SPAN,
        "field": field,
        "options": options,
        "visible_options": _visible_options(settings.get("visible_options"), name=name, count=len(options)),
        "allow_overlapping": bool(settings.get("allow_overlapping", False)),
        "allow_character_annotation": bool(settings.get("allow_character_annotation", True)),
    }


def check_schema_name(name: Any, kind: str) -> None:
    problem = schema_name_problem(name)
    if problem:
        raise InvalidInput(f"Invalid {kind} name {name!r}. {problem}", code="invalid_name", details={"field": "name"})


def option_values(settings: Mapping) -> list:
    return [option["value"] for option in settings.get("options", [])]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


NUL_MESSAGE = "Text cannot contain NUL characters (\\u0000)."


def contains_nul(value: Any) -> bool:
    """Whether a JSON-like value holds a NUL character anywhere: PostgreSQL cannot store one."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


def answer_problem(question_type: str, settings: Mapping, value: Any) -> str | None:
    """Why `value` is not a valid answer to a question of this type and settings, or None."""
    if contains_nul(value):
        return NUL_MESSAGE
    allowed = option_values(settings)
    if question_type == TEXT:
        if not isinstance(value, str) or not value.strip():
            return "Write a non-empty text."
        if len(value) > MAX_TEXT_VALUE:
            return f"Text is longer than {MAX_TEXT_VALUE} characters."
        return None
    if question_type == RATING:
        if not _is_int(value) or value not in allowed:
            return f"Choose one of {', '.join(map(str, allowed))}."
        return None
    if question_type == LABEL:
        if not isinstance(value, str) or value not in allowed:
            return f"Choose one of: {', '.join(allowed)}."
        return None
    if question_type == MULTI_LABEL:
        if not isinstance(value, list) or not value or any(not isinstance(v, str) for v in value):
            return "Choose at least one label."
        unknown = [v for v in value if v not in allowed]
        if unknown:
            return f"Unknown labels: {', '.join(unknown)}."
        if len(set(value)) != len(value):
            return "A label is chosen twice."
        return None
    if question_type == RANKING:
        return _ranking_problem(value, allowed)
    if question_type == SPAN:
        if not isinstance(value, list):
            return "Give a list of spans {label, start, end}."
        for span in value:
            if (
                not isinstance(span, Mapping)
                or span.get("label") not in allowed
                or not _is_int(span.get("start"))
                or not _is_int(span.get("end"))
                or not 0 <= span["start"] < span["end"]
            ):
                return "Each span needs a known label and 0 <= start < end."
        return None
    return f"Unknown question type '{question_type}'."


def _ranking_problem(value: Any, allowed: list) -> str | None:
    if not isinstance(value, list) or not value:
        return "Rank the options."
    seen, ranks = [], []
    for item in value:
        if not isinstance(item, Mapping) or item.get("value") not in allowed:
            return f"Each ranked item needs a 'value' among: {', '.join(allowed)}."
        rank = item.get("rank")
        if rank is not None and (not _is_int(rank) or rank < 1):
            return "Ranks are whole numbers from 1."
        seen.append(item["value"])
        ranks.append(rank)
    if sorted(seen) != sorted(allowed):
        return "Rank every option exactly once."
    given = [r for r in ranks if r is not None]
    if given and sorted(given) != list(range(1, len(allowed) + 1)):
        return f"Ranks must be 1 to {len(allowed)}, each used once."
    return None


def response_problems(questions: Iterable, values: Any, *, status: str) -> list[dict]:
    """Problems of a response's values for the dataset's questions.

    Drafts and discarded responses may be partial; a submitted one answers every required question.
    Empty answers (None, "", []) count as not answered.
    """
    if not isinstance(values, Mapping):
        return [{"question": None, "message": "Values must be an object keyed by question name."}]
    by_name = {q.name: q for q in questions}
    problems = [
        {"question": name, "message": f"Unknown question '{name}'."} for name in values if name not in by_name
    ]
    for name, question in by_name.items():
        value = values.get(name)
        if value in (None, "", []):
            if status == "submitted" and question.required:
                problems.append({"question": name, "message": "This question is required."})
            continue
        problem = answer_problem(question.type, question.settings, value)
        if problem:
            problems.append({"question": name, "message": problem})
    return problems


def answered_values(values: Mapping) -> dict:
    """The values with empty answers dropped: what is stored."""
    return {name: value for name, value in values.items() if value not in (None, "", [])}


def metadata_problem(prop_type: str, settings: Mapping, value: Any) -> str | None:
    if value is None:
        return None
    if prop_type == "terms":
        items = value if isinstance(value, list) else [value]
        if any(not isinstance(v, str) for v in items):
            return "Terms are strings."
        allowed = settings.get("values")
        if allowed:
            unknown = [v for v in items if v not in allowed]
            if unknown:
                return f"Unknown terms: {', '.join(unknown)}."
        return None
    if prop_type == "integer" and not _is_int(value):
        return "Give a whole number."
    if prop_type == "float" and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        return "Give a number."
    low, high = settings.get("min"), settings.get("max")
    if low is not None and value < low:
        return f"Must be at least {low}."
    if high is not None and value > high:
        return f"Must be at most {high}."
    return None


def record_problems(item: Any, *, fields: Iterable, metadata_properties: Iterable, allow_extra_metadata: bool) -> list[dict]:
    """Problems of one record row: fields match the dataset's (required present, unknown rejected, strings)."""
    check = record_checker(
        fields=fields, metadata_properties=metadata_properties, allow_extra_metadata=allow_extra_metadata
    )
    return check(item)


def _is_mapping(value: Any) -> bool:
    # Rows are nearly always plain dicts: skip the slower ABC check for them.
    return type(value) is dict or isinstance(value, Mapping)


def record_checker(
    *, fields: Iterable, metadata_properties: Iterable, allow_extra_metadata: bool
) -> Callable[[Any], list[dict]]:
    """`record_problems` with the dataset's schema read once, for callers that check many rows."""
    required_by_name = {f.name: f.required for f in fields}
    prop_by_name = {p.name: (p.type, p.settings) for p in metadata_properties}

    def problems_of(item: Any) -> list[dict]:
        if not _is_mapping(item):
            return [{"field": None, "message": "Each record is an object with 'fields'."}]
        values = item.get("fields")
        if not _is_mapping(values):
            return [{"field": "fields", "message": "'fields' must be an object keyed by field name."}]
        problems = []
        for name in values:
            if name not in required_by_name:
                problems.append({"field": name, "message": f"Unknown field '{name}'."})
        for name, required in required_by_name.items():
            value = values.get(name)
            if value is None or value == "":
                if required:
                    problems.append({"field": name, "message": "This field is required."})
            elif type(value) is not str and not isinstance(value, str):
                problems.append({"field": name, "message": "Field values are strings."})
            elif "\x00" in value:
                problems.append({"field": name, "message": NUL_MESSAGE})
        external_id = item.get("external_id")
        if external_id is not None and not (type(external_id) is str and len(external_id) <= 200) and (
            not isinstance(external_id, (str, int)) or isinstance(external_id, bool) or len(str(external_id)) > 200
        ):
            problems.append({"field": "external_id", "message": "external_id is a string of at most 200 characters."})
        elif type(external_id) is str and "\x00" in external_id:
            problems.append({"field": "external_id", "message": NUL_MESSAGE})
        metadata = item.get("metadata")
        if metadata is not None:
            if not _is_mapping(metadata):
                problems.append({"field": "metadata", "message": "'metadata' must be an object."})
            else:
                for name, value in metadata.items():
                    if contains_nul(name) or contains_nul(value):
                        problems.append({"field": f"metadata.{name}", "message": NUL_MESSAGE})
                        continue
                    prop = prop_by_name.get(name)
                    if prop is None:
                        if not allow_extra_metadata:
                            message = f"Unknown metadata property '{name}'."
                            problems.append({"field": f"metadata.{name}", "message": message})
                        continue
                    problem = metadata_problem(prop[0], prop[1], value)
                    if problem:
                        problems.append({"field": f"metadata.{name}", "message": problem})
        return problems

    return problems_of


def normalize_metadata_settings(prop_type: str, settings: Mapping | None, *, name: str) -> dict:
    settings = dict(settings or {})
    if prop_type == "terms":
        values = settings.get("values")
        if values is not None and (not isinstance(values, list) or any(not isinstance(v, str) for v in values)):
            raise _invalid(f"'values' of metadata property '{name}' must be a list of strings.")
        return {"type": "terms", "values": values}
    if prop_type in ("integer", "float"):
        kind = int if prop_type == "integer" else (int, float)
        low, high = settings.get("min"), settings.get("max")
        for bound in (low, high):
            if bound is not None and (not isinstance(bound, kind) or isinstance(bound, bool)):
                raise _invalid(f"min and max of metadata property '{name}' must be {prop_type} numbers.")
        if low is not None and high is not None and low > high:
            raise _invalid(f"min of metadata property '{name}' is above its max.")
        return {"type": prop_type, "min": low, "max": high}
    raise _invalid(f"Unknown metadata type '{prop_type}'. Use terms, integer or float.", key="type")
