"""What changed between two versions of an answer, question by question, for the history views (the
review issue, §4). Pure: no database. Text answers get a word-level diff (`review.word_diff`); other
answers (ratings, labels, rankings) show their old and new value."""

import json
from typing import Any

from .review import word_diff


def version_changes(previous: dict | None, current: dict) -> list[dict]:
    """The questions whose answer differs from `previous` (None: the first version, all of it new) to
    `current`, in `current`'s order then the dropped ones, each as {"question", "segments"} for text
    answers (`word_diff`'s segments) or {"question", "before", "after"} for other answers."""
    previous = previous or {}
    names = list(current) + [name for name in previous if name not in current]
    changes = []
    for name in names:
        old, new = previous.get(name), current.get(name)
        if old == new:
            continue
        if isinstance(old, (str, type(None))) and isinstance(new, (str, type(None))):
            changes.append({"question": name, "segments": word_diff(old or "", new or "")})
        else:
            changes.append({"question": name, "before": _shown(old), "after": _shown(new)})
    return changes


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
