"""The widget framed by a partner's static page on another origin, in a real browser."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.calendar.models import Event
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from app.widget.views import IFRAME_SANDBOX
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


SANDBOXED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A careful partner</title>
<style>body {{ margin: 0 }} iframe {{ display: block; width: 100%; }}</style></head>
<body><main><h1>Events</h1>
<iframe id="widget" src="{src}" title="Upcoming events in Trondheim" height="600"
 style="border:0" sandbox="{sandbox}"></iframe>
</main></body></html>
"""
LONG_TITLE = "Vennskapsbykonferansensamarbeidsavtaleforhandlingsmøte i Trondheim"
LONG_PLACE = "https://example.org/a/very/long/address/without/any/breaks/at/all/in/it"


def test_widget_in_a_sandboxed_frame_fits_320_pixels_and_opens_its_links(
    tmp_path: Path, partner_site: str, live_server: LiveServer, new_page: Any
) -> None:
    """A phone-wide partner page that sandboxes the frame as the snippet does."""
    # Links point at PUBLIC_BASE_URL: here, the live server itself.
    live_server.app.config["PUBLIC_BASE_URL"] = live_server.url
    with live_server.app.app_context():
        event = Event(
            title=LONG_TITLE,
            location=LONG_PLACE,
            start_dt=utcnow() + timedelta(days=1),
            end_dt=utcnow() + timedelta(days=3),
            visibility=Visibility.public,
        )
        db.session.add(event)
        db.session.commit()
        event_url = live_server(f"/events/{event.id}")
    src = live_server("/widget/upcoming?lang=en")
    (tmp_path / "sandboxed.html").write_text(
        SANDBOXED_PAGE.format(src=src, sandbox=IFRAME_SANDBOX)
    )
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{partner_site}/sandboxed.html")
    frame = page.frame_locator("iframe#widget")
    link = frame.locator(".widget__link", has_text="Vennskapsbykonferansen")
    link.wait_for()

    widths = (
        page.locator("iframe#widget")
        .element_handle()
        .content_frame()
        .evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
    )
    href = link.get_attribute("href")
    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    popup.wait_for_load_state()

    assert widths[0] <= widths[1] <= 320
    assert link.evaluate("a => getComputedStyle(a).fontWeight") == "600"
    assert href == event_url, href
    assert popup.url == event_url
    # Out of the sandbox: the event page has its own origin, not an opaque one.
    assert popup.evaluate("window.origin") == live_server.url
    assert page.url == f"{partner_site}/sandboxed.html"
