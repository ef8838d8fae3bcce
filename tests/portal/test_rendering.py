"""Sanitized rendering of guidelines, fields and answers (no database)."""

import pytest

from labeling.rendering import render_field, render_markdown, render_text

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="#" onclick="alert(1)">x</a>',
    "<iframe src=https://example.org></iframe>",
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_keeps_no_script_vector(payload):
    html = render_markdown(f"Intro\n\n{payload}\n\n**done**")
    lowered = html.lower()
    for needle in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg", "style="):
        assert needle not in lowered
    assert "<strong>done</strong>" in html


def test_markdown_renders_the_usual_things():
    html = render_markdown("# Title\n\n- one\n- two\n\n`code` and [link](https://example.org)")
    assert "<h1>Title</h1>" in html
    assert "<li>one</li>" in html
    assert "<code>code</code>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>' in html


def test_plain_text_is_escaped_and_keeps_its_whitespace():
    assert render_text("a  <b>\n\tc & d") == "a  &lt;b&gt;\n\tc &amp; d"


def test_field_uses_markdown_only_when_asked():
    assert render_field("*x*", use_markdown=True) == "<p><em>x</em></p>"
    assert render_field("*x*", use_markdown=False) == "*x*"
    assert render_markdown(None) == "" and render_text(None) == ""
