"""What a version changed, question by question (labeling/version_diff.py), without a database."""

from labeling.version_diff import version_changes


def test_the_first_version_is_all_new():
    assert version_changes(None, {"demonstration": "Hello there."}) == [
        {"question": "demonstration", "segments": [("added", "Hello there.")]}]


def test_text_answers_get_a_word_diff_and_unchanged_questions_are_left_out():
    changes = version_changes({"demonstration": "The cat sat.", "quality": 4},
                              {"demonstration": "The black cat sat.", "quality": 4})
    assert changes == [{"question": "demonstration",
                        "segments": [("same", "The "), ("added", "black "), ("same", "cat sat.")]}]


def test_other_answers_show_old_and_new_and_dropped_answers_come_last():
    changes = version_changes({"labels": ["a"], "quality": 3, "note": "gone"}, {"quality": 5, "labels": ["a", "b"]})
    assert changes == [
        {"question": "quality", "before": "3", "after": "5"},
        {"question": "labels", "before": '["a"]', "after": '["a", "b"]'},
        {"question": "note", "segments": [("removed", "gone")]},
    ]


def test_identical_versions_change_nothing():
    assert version_changes({"demonstration": "Same."}, {"demonstration": "Same."}) == []
