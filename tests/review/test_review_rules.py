"""The review stage's rules without a database (labeling/review.py)."""

import uuid

import pytest

from labeling.models import Dataset
from labeling.review import review_status_after_write, sent_to_review, version_kind, word_diff


def _dataset(review: str, percent: int = 100) -> Dataset:
    return Dataset(review=review, review_sample_percent=percent)


def test_every_answer_goes_to_review_with_all_and_none_with_off():
    ids = [uuid.uuid4() for _ in range(50)]
    assert all(sent_to_review(_dataset("all"), i) for i in ids)
    assert not any(sent_to_review(_dataset("off"), i) for i in ids)


def test_a_sample_takes_its_share_and_keeps_an_answer_in_or_out():
    ids = [uuid.UUID(int=n * 7919) for n in range(10_000)]
    sampled = [i for i in ids if sent_to_review(_dataset("sampled", 20), i)]
    assert 1_800 < len(sampled) < 2_200
    assert sampled == [i for i in ids if sent_to_review(_dataset("sampled", 20), i)]


@pytest.mark.parametrize(("previous", "status", "kind"), [
    (None, "submitted", "submit"), ("draft", "submitted", "submit"), ("discarded", "submitted", "submit"),
    ("submitted", "submitted", "edit"), (None, "discarded", "discard"), ("submitted", "discarded", "discard"),
    ("discarded", "discarded", None), ("submitted", "draft", "draft"), ("discarded", "draft", "draft"),
    (None, "draft", None), ("draft", "draft", None),
])
def test_which_writes_make_history(previous, status, kind):
    assert version_kind(previous, status) == kind


def test_a_rejection_stays_with_its_draft_until_resubmitted():
    dataset, response_id = _dataset("all"), uuid.uuid4()
    assert review_status_after_write(dataset, response_id, "draft", "rejected") == "rejected"
    assert review_status_after_write(dataset, response_id, "submitted", "rejected") == "pending"
    assert review_status_after_write(dataset, response_id, "discarded", "rejected") is None
    assert review_status_after_write(_dataset("off"), response_id, "submitted", None) is None


@pytest.mark.parametrize(("old", "new"), [
    ("The cat sat on the mat.", "The cat lay on the red mat."),
    ("", "Brand new answer"), ("Gone entirely", ""), ("same\n\ntext  here", "same\n\ntext  here"),
])
def test_a_word_diff_gives_both_texts_back(old, new):
    segments = word_diff(old, new)
    assert "".join(text for kind, text in segments if kind != "added") == old
    assert "".join(text for kind, text in segments if kind != "removed") == new


def test_a_word_diff_marks_whole_words():
    assert word_diff("The cat sat on the mat.", "The cat lay on the mat.") == [
        ("same", "The cat "), ("removed", "sat "), ("added", "lay "), ("same", "on the mat."),
    ]
