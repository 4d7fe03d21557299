"""Limited Markdown: what it keeps, and that nothing typed can become live markup."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.core.markdown import markdown_to_text, render_markdown
from tests.security.inert import live_markup
from tests.security.payloads import XSS_PAYLOADS

pytestmark = pytest.mark.unit

_ALLOWED = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


def _assert_inert(html: str) -> None:
    """Only allowed tags, only href/rel, only web and mail links; nothing live."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.seen:
        assert tag in _ALLOWED, html
        for name, value in attrs:
            assert name in {"href", "rel"}, html
            if name == "href":
                assert (value or "").startswith(("http://", "https://", "mailto:")), (
                    html
                )
    assert live_markup(html) == [], html


def test_keeps_emphasis_lists_and_web_links() -> None:
    html = render_markdown(
        "Møte om **India 2011** og *Hamburg*.\n\n- NTNU\n- SINTEF\n\n"
        "[Program](https://www.trondheim.kommune.no/)"
    )
    assert "<strong>India 2011</strong>" in html
    assert "<em>Hamburg</em>" in html
    assert "<li>NTNU</li>" in html
    assert (
        '<a href="https://www.trondheim.kommune.no/" rel="noopener noreferrer nofollow">'
        "Program</a>"
    ) in html


def test_raw_html_is_shown_as_text_not_markup() -> None:
    html = render_markdown("<b>bold</b> & <i>x</i>")
    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;x&lt;/i&gt;" in html


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x"],
)
def test_dangerous_link_schemes_never_become_links(link: str) -> None:
    html = render_markdown(f"[click]({link})")
    assert "href" not in html


def test_images_are_not_rendered() -> None:
    assert "<img" not in render_markdown("![logo](https://example.org/logo.png)")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_every_payload_renders_inert(payload: str) -> None:
    _assert_inert(render_markdown(payload))
    _assert_inert(render_markdown(f"Intro\n\n{payload}\n\n- {payload}"))


def test_plain_text_drops_markup_and_keeps_words() -> None:
    assert markdown_to_text("Hei **du** & [NTNU](https://ntnu.no)\n\n- a") == (
        "Hei du & NTNU\n\na"
    )
