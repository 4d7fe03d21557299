"""The header: one row at 1024 px and wider, folded behind "Menu" on a phone, keyboard-usable."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.models import Role
from tests.e2e.helpers import EMAILS, log_in
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
#: One row of the header: the brand's line and a little padding.
ONE_ROW = 70


def _header_height(page: Any) -> float:
    return page.evaluate(
        "document.querySelector('.site-header').getBoundingClientRect().height"
    )


def _scrolls_sideways(page: Any) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", [1024, 1366])
@pytest.mark.parametrize("role", [None, Role.member, Role.admin])
@pytest.mark.parametrize("locale", ["en-GB", "nb-NO"])
def test_the_header_is_one_row_on_a_wide_screen(
    live_server: LiveServer, new_page: Any, width: int, role: Role | None, locale: str
) -> None:
    page = new_page(locale=locale, viewport={"width": width, "height": 768})
    if role:
        log_in(page, live_server, EMAILS[role])
    page.goto(live_server("/calendar?view=list"))

    assert _header_height(page) < ONE_ROW
    assert page.locator(".site-menu > summary").is_visible() is False
    assert page.locator(".site-nav a[href='/calendar']").is_visible()
    assert not _scrolls_sideways(page)


def test_the_office_menu_holds_the_staff_pages_and_works_with_keys(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, live_server, EMAILS[Role.admin])
    page.goto(live_server("/calendar?view=list"))
    office = page.locator(".nav-menu--office summary")
    templates = page.locator(".site-nav a[href='/admin/checklists/']")
    hidden_before = templates.is_visible()

    office.focus()
    page.keyboard.press("Enter")
    links = page.locator(".nav-menu--office ul a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert_accessible(page)
    page.keyboard.press("Escape")
    closed = page.locator(".nav-menu--office details").get_attribute("open")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    office.click()
    templates.click()

    assert hidden_before is False
    assert links == [
        "/admin/submissions",
        "/admin/users",
        "/admin/outbox/",
        "/admin/checklists/",
        "/action-programme/",
        "/reports/annual",
        "/submit",
    ]
    assert closed is None
    assert focused.startswith(("Office", "Kontoret"))
    assert page.url == live_server("/admin/checklists/")


@pytest.mark.parametrize("role", [None, Role.member, Role.mayors_office])
def test_on_a_phone_the_links_fold_behind_menu(
    live_server: LiveServer, new_page: Any, role: Role | None
) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    if role:
        log_in(page, live_server, EMAILS[role])
    page.goto(live_server("/calendar?view=list"))
    folded = _header_height(page)
    calendar_link = page.locator(".site-nav a[href='/calendar']")
    hidden_before = calendar_link.is_visible()

    page.locator(".site-menu > summary").click()
    shown_after = calendar_link.is_visible()
    assert_accessible(page)
    sideways_open = _scrolls_sideways(page)
    calendar_link.click()

    assert folded < ONE_ROW
    assert (hidden_before, shown_after) == (False, True)
    assert not sideways_open
    assert page.url == live_server("/calendar")


def test_without_script_the_menu_still_opens(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto(live_server("/"))

    page.locator(".site-menu > summary").click()

    assert page.get_by_role("link", name="Propose an event").is_visible()
    assert page.get_by_role("link", name="Log in").is_visible()
