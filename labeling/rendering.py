"""Turn guidelines, record fields and answers into HTML that is safe to put in a page (DESIGN §9 "Rendering").

Markdown is converted first and the resulting HTML is then cleaned by nh3 with an allow-list, so raw
HTML written inside markdown (`<script>`, `onerror=`, `javascript:` links) never reaches the browser.
Plain text is only escaped; the page keeps its whitespace with CSS (`white-space: pre-wrap`).
"""

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .review import word_diff

_MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]

# nh3's defaults minus the presentational leftovers; tags whose *content* must go too are dropped entirely.
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "code": {"class"},
}
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select"}
_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> SafeString:
    """Clean an HTML fragment down to the allow-list; links get rel="noopener noreferrer nofollow"."""
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just removed everything outside the allow-list


def render_markdown(text: str | None) -> SafeString:
    """Markdown → sanitized HTML."""
    if not text:
        return mark_safe("")
    return sanitize_html(markdown.markdown(str(text), extensions=_MARKDOWN_EXTENSIONS, output_format="html"))


def render_text(text: str | None) -> SafeString:
    """Plain text → escaped HTML; line breaks and spaces are kept by the `.plain-text` CSS class."""
    return escape("" if text is None else str(text))


def render_field(text: str | None, *, use_markdown: bool) -> SafeString:
    return render_markdown(text) if use_markdown else render_text(text)


_DIFF_TAGS = {"same": "{}", "removed": "<del>{}</del>", "added": "<ins>{}</ins>"}


def render_word_diff(old: str | None, new: str | None) -> SafeString:
    """The word-level difference from `old` to `new` (`labeling.review.word_diff`) as escaped text with
    the removed words in <del> and the added ones in <ins>; shown with the `.plain-text` CSS class."""
    segments = word_diff(old or "", new or "")
    return mark_safe("".join(_DIFF_TAGS[kind].format(escape(text)) for kind, text in segments))  # noqa: S308 - escaped
