"""The widget framed by a partner's static page on another origin, in a real browser."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import FORUM_EVENT, INTERNAL_EVENT, PUBLIC_EVENT
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

PARTNER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A partner</title></head>
<body><main><h1>Our partner's page</h1>
<iframe id="{lang}" src="{src}" title="Upcoming events in Trondheim" width="100%"
 height="400" loading="lazy" style="border:0"></iframe>
</main></body></html>
"""


@pytest.fixture
def partner_site(tmp_path: Path, live_server: LiveServer) -> Iterator[str]:
    """Serve static pages embedding the widget (nb.html, en.html) from another 127.0.0.1 port."""
    for lang in ("nb", "en"):
        src = live_server(f"/widget/upcoming?lang={lang}")
        (tmp_path / f"{lang}.html").write_text(PARTNER_PAGE.format(lang=lang, src=src))
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def test_widget_in_a_partner_page_shows_public_events_accessibly(
    partner_site: str, new_page: Any
) -> None:
    for lang in ("nb", "en"):
        page = new_page()
        page.goto(f"{partner_site}/{lang}.html")
        widget = page.frame_locator(f"iframe#{lang}")
        widget.locator(".widget__title").wait_for()
        titles = widget.locator(".widget__link").all_inner_texts()
        frame = page.locator(f"iframe#{lang}").element_handle().content_frame()

        assert titles == [PUBLIC_EVENT], lang
        assert FORUM_EVENT not in frame.content()
        assert INTERNAL_EVENT not in frame.content()
        assert frame.locator("html").get_attribute("lang") == lang
        assert_accessible(frame)
