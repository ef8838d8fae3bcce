"""Word diffs on the review page: removed words in <del>, added ones in <ins>, everything escaped."""

from labeling.rendering import render_word_diff


def test_removed_and_added_words_are_marked_and_the_rest_kept():
    html = render_word_diff("The cat sat.\nIt slept.", "The dog sat.\nIt slept.")
    assert html == "The <del>cat </del><ins>dog </ins>sat.\nIt slept."


def test_markup_in_either_text_is_escaped():
    html = render_word_diff("<b>old</b>", '<img src=x onerror="alert(1)">')
    assert "<img" not in html and "<b>" not in html
    assert html.startswith("<del>&lt;b&gt;old&lt;/b&gt;</del><ins>&lt;img ")


def test_missing_texts_read_as_empty():
    assert render_word_diff(None, "new") == "<ins>new</ins>"
    assert render_word_diff("old", None) == "<del>old</del>"
    assert render_word_diff(None, None) == ""
