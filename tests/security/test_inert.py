"""The inertness checker itself finds live markup, so a passing XSS test means something."""

from __future__ import annotations

import pytest

from tests.security.inert import live_markup

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "html",
    [
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<a href=' Java Script:alert(1)'>x</a>",
        "<script>alert(1)</script>",
        "<iframe src='data:text/html,x'></iframe>",
        "<div style='background:url(javascript:alert(1))'>x</div>",
        "<svg><script>alert(1)</script></svg>",
        "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
        # A JSON-LD block a title closed early, and one that is not JSON at all.
        '<script type="application/ld+json">{"name": "</script><script>alert(1)</script>',
        '<script type="application/ld+json">alert(1)</script>',
    ],
)
def test_finds_live_markup(html: str) -> None:
    assert live_markup(html)


@pytest.mark.parametrize(
    "html",
    [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        "<p title='&lt;img src=x onerror=alert(1)&gt;'>x</p>",
        "<a href='https://ntnu.no/'>NTNU</a><script src='/static/js/calendar.js'></script>",
        "<textarea>&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>",
        "<meta name='description' content='&lt;script&gt;alert(1)&lt;/script&gt;'>",
        '<script type="application/ld+json">'
        '{"name": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}</script>',
    ],
)
def test_escaped_text_is_inert(html: str) -> None:
    assert live_markup(html) == []
