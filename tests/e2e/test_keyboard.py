"""Keyboard use: skip link, a log-in with keys only, and a visible focus on every tab stop."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.models import Role
from tests.e2e.helpers import EMAILS, PASSWORD, PUBLIC_EVENT, entry_titles
from tests.fixtures.browser import LiveServer

pytestmark = pytest.mark.e2e

#: What the focused element is and how its outline is drawn.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, name: el.getAttribute('name'),
          text: (el.innerText || el.value || '').trim(), outline: style.outlineStyle, width: style.outlineWidth};
}"""


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(FOCUSED)


def test_first_tab_focuses_skip_link_that_moves_focus_to_main(
    live_server: LiveServer, page: Any
) -> None:
    page.goto(live_server("/"))

    page.keyboard.press("Tab")
    skip = _focused(page)
    box = page.locator(".skip-link").bounding_box()
    page.keyboard.press("Enter")

    assert (skip["cls"], skip["text"], skip["outline"]) == (
        "skip-link",
        "Skip to content",
        "solid",
    )
    assert box is not None
    assert min(box["x"], box["y"]) >= 0  # on screen while focused
    assert _focused(page)["id"] == "main"
    assert page.url == live_server("/#main")


def test_login_form_works_with_the_keyboard_only(
    live_server: LiveServer, page: Any
) -> None:
    page.goto(live_server("/login"))

    stops = []
    while (focused := _focused(page))["id"] != "email" and len(stops) < 15:
        page.keyboard.press("Tab")
        stops.append(_focused(page))
    page.keyboard.type(EMAILS[Role.member])
    page.keyboard.press("Tab")
    on_password = _focused(page)["id"]
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert focused["id"] == "email"
    assert on_password == "password"
    assert page.url == live_server("/")
    assert page.locator(".site-tools .who").inner_text() == "Mats Member"
    assert entry_titles(page)[0] == PUBLIC_EVENT


def _tab_stops(page: Any) -> list[dict[str, str]]:
    """Tab from the top of the page until focus leaves it or comes round again."""
    stops: list[dict[str, str]] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "body" or (stops and focused == stops[0]):
            break
        stops.append(focused)
    return stops


def test_focus_is_visible_on_every_tab_stop(live_server: LiveServer, page: Any) -> None:
    stops = {}
    for path in ("/", "/login", "/upcoming"):
        page.goto(live_server(path))
        stops[path] = _tab_stops(page)

    invisible = {
        path: [s for s in found if s["outline"] == "none" or s["width"] == "0px"]
        for path, found in stops.items()
    }
    assert all(len(found) >= 5 for found in stops.values()), stops
    assert invisible == {path: [] for path in stops}
