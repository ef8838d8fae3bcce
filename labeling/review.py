"""The review stage's rules, without a database: which answers go to review, which history entry a
write makes, and what a review decision leaves the response in."""

from __future__ import annotations

import difflib
import re
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Dataset

DECISIONS = ("accept", "reject", "fix")


def sent_to_review(dataset: Dataset, response_id: uuid.UUID) -> bool:
    """Whether a submitted answer waits for a reviewer: every one with review `all`; with `sampled`, a
    fixed share drawn from the response's id, so an answer stays in or out of the sample however
    often it is resubmitted."""
    if dataset.review == "all":
        return True
    if dataset.review == "sampled":
        return response_id.int % 100 < dataset.review_sample_percent
    return False


def version_kind(previous: str | None, status: str) -> str | None:
    """The history entry a labeler's write from status `previous` (None: no response yet) to `status`
    makes, or None when it makes none: saving a draft over a draft (or a first draft) is not history."""
    if status == "submitted":
        return "edit" if previous == "submitted" else "submit"
    if status == "discarded":
        return None if previous == "discarded" else "discard"
    if previous in ("submitted", "discarded"):
        return "draft"
    return None


def review_status_after_write(dataset: Dataset, response_id: uuid.UUID, status: str, previous: str | None) -> str | None:
    """A response's review status once its labeler wrote it with `status`, from review status `previous`.

    A submission waits for review again (when the dataset sends it there); a draft keeps a rejection,
    so its comment stays with the answer until it is resubmitted; a discard leaves nothing to review.
    """
    if status == "submitted":
        return "pending" if sent_to_review(dataset, response_id) else None
    if status == "draft" and previous == "rejected":
        return "rejected"
    return None


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The word-level difference from `old` to `new`, as segments ("same" | "removed" | "added", text)
    that joined in order give both texts back (the "removed" ones dropped for `new`, the "added" ones
    for `old`). Whitespace stays attached to the word before it, so the texts keep their layout."""
    old_words, new_words = re.findall(r"\S+\s*|\s+", old or ""), re.findall(r"\S+\s*|\s+", new or "")
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op == "equal":
            segments.append(("same", "".join(old_words[a_start:a_end])))
            continue
        if a_end > a_start:
            segments.append(("removed", "".join(old_words[a_start:a_end])))
        if b_end > b_start:
            segments.append(("added", "".join(new_words[b_start:b_end])))
    return segments
