"""Limited Markdown for descriptions that partners and staff write.

markdown-it renders with raw HTML switched off; nh3 (ammonia) then keeps only
an allow-list of tags, attributes and link schemes, so nothing a submitter
types can run in a browser or a mail client.
"""

from __future__ import annotations

import html
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

#: Tags the limited Markdown may produce.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code"}
)
#: Link schemes a description may use; `javascript:` and `data:` are dropped.
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


@cache
def _parser() -> MarkdownIt:
    # "zero" enables nothing; switch on paragraphs, emphasis, lists, links,
    # quotes, inline code and automatic links only. No raw HTML, no images.
    return MarkdownIt("zero", {"linkify": False, "html": False}).enable(
        ["emphasis", "list", "link", "blockquote", "backticks", "autolink", "newline"]
    )


def render_markdown(text: str) -> Markup:
    """Return safe HTML for limited Markdown."""
    html = _parser().render(text or "")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href"}},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - nh3 has sanitised it


def markdown_to_text(text: str) -> str:
    """Return the plain text of limited Markdown, for feeds and text mails."""
    return html.unescape(nh3.clean(_parser().render(text or ""), tags=set())).strip()
