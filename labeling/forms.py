"""Portal forms: parse an annotation form into response values, and describe each question for the template.

The form only turns posted strings into the value shapes the API takes (`{question_name: value}`); whether
those values answer the questions (required, options, ranking permutation) is decided by
`services.response_write`, the same rule the API uses (DESIGN §4).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms

from . import validation
from .models import Question, Suggestion
from .rendering import render_markdown

ACTIONS = ("submit", "draft", "discard")
PORTAL_TYPES = (validation.TEXT, validation.RATING, validation.LABEL, validation.MULTI_LABEL, validation.RANKING)


def input_name(question: Question) -> str:
    return f"q-{question.name}"


def rank_input_name(question: Question, index: int) -> str:
    return f"q-{question.name}-rank-{index}"


def _options(question: Question) -> list[dict]:
    return list(question.settings.get("options", []))


class ResponseForm(forms.Form):
    """One field per question (a rank select per option for rankings); every field is optional here."""

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])

    def __init__(self, *args: Any, questions: Iterable[Question], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = [q for q in questions if q.type in PORTAL_TYPES]
        for question in self.questions:
            options = _options(question)
            name = input_name(question)
            if question.type == validation.TEXT:
                self.fields[name] = forms.CharField(required=False, strip=False, widget=forms.Textarea)
            elif question.type == validation.RATING:
                self.fields[name] = forms.TypedChoiceField(
                    required=False, coerce=int, empty_value=None,
                    choices=[(str(o["value"]), str(o["value"])) for o in options],
                )
            elif question.type == validation.LABEL:
                self.fields[name] = forms.ChoiceField(required=False, choices=[(o["value"], o["text"]) for o in options])
            elif question.type == validation.MULTI_LABEL:
                self.fields[name] = forms.MultipleChoiceField(
                    required=False, choices=[(o["value"], o["text"]) for o in options]
                )
            else:
                ranks = [(str(r), str(r)) for r in range(1, len(options) + 1)]
                for index in range(len(options)):
                    self.fields[rank_input_name(question, index)] = forms.TypedChoiceField(
                        required=False, coerce=int, empty_value=None, choices=[("", "—"), *ranks]
                    )

    def values(self) -> dict:
        """The cleaned answers as response values; unanswered questions are left out."""
        values: dict[str, Any] = {}
        for question in self.questions:
            if question.type == validation.RANKING:
                options = _options(question)
                ranks = [self.cleaned_data.get(rank_input_name(question, i)) for i in range(len(options))]
                if any(rank is not None for rank in ranks):
                    values[question.name] = [
                        {"value": option["value"], "rank": rank} for option, rank in zip(options, ranks, strict=True)
                    ]
                continue
            value = self.cleaned_data.get(input_name(question))
            if question.type == validation.TEXT:
                # Whitespace alone is no answer: a draft keeps nothing, a submit reports the question as required.
                value = value.replace("\r\n", "\n") if value and value.strip() else None
            if value not in (None, "", []):
                values[question.name] = value
        return values

    def question_errors(self) -> dict[str, str]:
        """Field errors (a tampered option, a rank out of range) keyed by question name."""
        errors: dict[str, str] = {}
        for question in self.questions:
            for field_name, field_errors in self.errors.items():
                if field_name == input_name(question) or field_name.startswith(f"{input_name(question)}-rank-"):
                    errors.setdefault(question.name, " ".join(field_errors))
        return errors


def _ranks_from_value(value: Any) -> dict[str, str]:
    """Stored ranking → {option value: rank as text}; an order-only ranking counts positions from 1."""
    if not isinstance(value, list):
        return {}
    ranks = {}
    for position, item in enumerate(value, start=1):
        if isinstance(item, Mapping) and "value" in item:
            rank = item.get("rank") if item.get("rank") is not None else position
            ranks[str(item["value"])] = str(rank)
    return ranks


def _as_text_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def question_views(
    questions: Iterable[Question],
    *,
    data: Mapping | None = None,
    values: Mapping | None = None,
    suggestions: Mapping | None = None,
    errors: Mapping | None = None,
) -> list[dict]:
    """What the annotation template needs for each question, in order.

    The current answer comes from the posted `data` when re-showing a form with errors (so nothing typed
    is lost), else from the stored response `values`, else from the record's suggestion, which is then
    flagged as such.
    """
    suggestions = suggestions or {}
    errors = errors or {}
    views = []
    for question in questions:
        suggestion: Suggestion | None = suggestions.get(question.pk)
        from_suggestion = False
        if data is not None:
            posted = _posted_answer(question, data)
        else:
            stored = (values or {}).get(question.name)
            if stored is None and suggestion is not None and values is None:
                stored, from_suggestion = suggestion.value, True
            posted = _stored_answer(question, stored)
        options = []
        for index, option in enumerate(_options(question)):
            text = str(option.get("text", option["value"]))
            value = str(option["value"])
            options.append({
                "value": value,
                "text": text,
                "description": option.get("description"),
                "key": _number_key(question.type, option["value"], index),
                "checked": value in posted["selected"],
                "rank": posted["ranks"].get(value, ""),
                "rank_input": rank_input_name(question, index),
            })
        is_choice = question.type in (validation.RATING, validation.LABEL, validation.MULTI_LABEL)
        views.append({
            "question": question,
            "name": question.name,
            "input_name": input_name(question),
            "type": question.type,
            "is_supported": question.type in PORTAL_TYPES,
            "description_html": render_markdown(question.description),
            "use_markdown": bool(question.settings.get("use_markdown")),
            "text": posted["text"],
            "options": options,
            "rank_choices": list(range(1, len(options) + 1)),
            "suggestion": suggestion,
            "is_suggested": from_suggestion,
            "error": errors.get(question.name),
            "number_keys": is_choice,
        })
    return views


def _number_key(question_type: str, value: Any, index: int) -> int | None:
    """The digit that picks an option: a rating's own value (0-9), else the option's position (1-9)."""
    if question_type == validation.RATING:
        return value if 0 <= value <= 9 else None
    if question_type in (validation.LABEL, validation.MULTI_LABEL) and index < 9:
        return index + 1
    return None


def _posted_answer(question: Question, data: Mapping) -> dict:
    name = input_name(question)
    answer = {"text": "", "selected": [], "ranks": {}}
    if question.type == validation.TEXT:
        answer["text"] = data.get(name, "")
    elif question.type == validation.MULTI_LABEL:
        answer["selected"] = data.getlist(name) if hasattr(data, "getlist") else _as_text_list(data.get(name))
    elif question.type == validation.RANKING:
        answer["ranks"] = {
            str(option["value"]): data.get(rank_input_name(question, i), "")
            for i, option in enumerate(_options(question))
        }
    else:
        answer["selected"] = _as_text_list(data.get(name))
    return answer


def _stored_answer(question: Question, value: Any) -> dict:
    answer = {"text": "", "selected": [], "ranks": {}}
    if value is None:
        return answer
    if question.type == validation.TEXT:
        answer["text"] = str(value)
    elif question.type == validation.RANKING:
        answer["ranks"] = _ranks_from_value(value)
    else:
        answer["selected"] = _as_text_list(value)
    return answer
