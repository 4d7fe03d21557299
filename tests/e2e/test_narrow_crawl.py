"""No page scrolls sideways on a phone: every page type, as each role, at 390 px.

A crawler follows the site's own links over the demo data, as each demo user,
and opens one page of each type (the path with its numbers taken out) in
Chromium at 390 x 844 with scripts on. Each page is saved as a screenshot under
build/screenshots/390/<role>/ for a person to look through.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.demo.services import load_demo_data
from tests.fixtures.browser import LiveServer
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.e2e

LOG_INS = {
    "anonymous": None,
    "member": ("medlem@ntnu.example", "vertskap-medlem-demo"),
    "mayors_office": ("ordforer@vertskap.example", "vertskap-ordforer-demo"),
    "admin": ("admin@vertskap.example", "vertskap-admin-demo"),
}
START = ["/", "/calendar", "/calendar?view=list", "/visits/", "/planner/", "/subscribe"]
LINK = re.compile(r'href="(/[^"#]*)"')
#: Not pages, or pages that end the session or change something when opened.
SKIP = re.compile(
    r"^/(logout|static/|feeds/|api/|language)|\.(ics|csv|xlsx|pdf|json)(\?|$)"
)
#: Enough for every page type of the demo site; the crawl stops there.
MAX_FETCHES = 400
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "390"
SIDEWAYS = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 3)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
  return root.scrollWidth + ' px: ' + wide.join(', ');
}"""


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    return lambda app: load_demo_data(now=NOW)


def _page_type(path: str) -> str:
    """Return a page's type: its path with numbers and the query left out."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def _page_types(page: Any, server: LiveServer) -> dict[str, str]:
    """Follow the site's links with the browser's session; return one path per page type."""
    found: dict[str, str] = {}
    # The session cookie is Secure: the browser sends it to 127.0.0.1, Playwright's
    # request client does not, so it is handed over as a header.
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    queue = deque(START)
    seen: set[str] = set()
    while queue and len(seen) < MAX_FETCHES:
        path = queue.popleft().replace("&amp;", "&")
        kind = _page_type(path)
        if path in seen or SKIP.search(path) or (kind in found and "?" not in path):
            continue
        seen.add(path)
        response = page.request.get(
            server(path), max_redirects=0, headers={"Cookie": cookie} if cookie else {}
        )
        if response.status != 200 or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        found.setdefault(kind, path)
        queue.extend(LINK.findall(response.text()))
    return found


@pytest.mark.parametrize("role", list(LOG_INS))
def test_no_page_scrolls_sideways_on_a_phone(
    live_server: LiveServer, new_page: Any, role: str
) -> None:
    page = new_page("nb-NO", viewport={"width": 390, "height": 844}, is_mobile=True)
    if LOG_INS[role]:
        email, password = LOG_INS[role]
        page.goto(live_server("/login"))
        page.locator("#email").fill(email)
        page.locator("#password").fill(password)
        with page.expect_navigation():
            page.locator("main form [type=submit]").click()
        assert page.locator(".site-tools .who").count() == 1, page.url
    pages = _page_types(page, live_server)
    folder = SCREENSHOTS / role
    folder.mkdir(parents=True, exist_ok=True)

    sideways = {}
    for kind, path in sorted(pages.items()):
        page.goto(live_server(path))
        page.wait_for_load_state("load")
        name = kind.strip("/").replace("/", "_") or "home"
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        if problem := page.evaluate(SIDEWAYS):
            sideways[path] = problem

    assert len(pages) >= 8, pages
    assert sideways == {}
