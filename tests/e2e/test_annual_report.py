"""The annual report in a real browser: accessible in both languages, usable by keyboard, reflowing."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.auth.models import Role
from app.core.db import utcnow
from tests.e2e.helpers import EMAILS, html_lang, log_in
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

#: Browser locale that makes an anonymous visitor get each language.
BROWSER_LOCALES = {"nb": "nb-NO", "en": "en-GB"}
#: Most Tab presses it may take to reach the year picker from the top of the page.
MAX_TABS = 40


def _this_year() -> int:
    return utcnow().astimezone(ZoneInfo("Europe/Oslo")).year


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_the_report_has_no_serious_violation(
    live_server: LiveServer, new_page: Any, locale: str
) -> None:
    page = new_page(BROWSER_LOCALES[locale])

    response = page.goto(live_server("/reports/annual"))

    assert response.status == 200
    assert page.url == live_server(f"/reports/annual/{_this_year()}")
    assert html_lang(page) == locale
    assert page.locator("figure svg[role=img]").count() > 0
    assert page.locator("#followups-heading").count() == 0
    assert_accessible(page)


def test_the_staff_report_has_no_serious_violation_in_either_language(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])

    for locale in ("nb", "en"):
        page.goto(live_server(f"/reports/annual/{_this_year()}"))
        if html_lang(page) != locale:
            with page.expect_navigation():
                page.locator(".language-switch [type=submit]").click()

        assert html_lang(page) == locale
        assert page.locator("#followups-heading").count() == 1
        assert_accessible(page)


def test_the_year_picker_works_by_keyboard(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    page.goto(live_server("/reports/annual/2011"))
    this_year = _this_year()

    for _press in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "year":
            break
    assert page.evaluate("document.activeElement.id") == "year"
    # The picker offers 2011 (the year shown) and the current year, in order.
    page.keyboard.press("End")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server(f"/reports/annual/{this_year}")
    assert page.locator("h1").inner_text().endswith(str(this_year))


def test_the_report_reflows_at_320_px(live_server: LiveServer, new_page: Any) -> None:
    """WCAG 1.4.10: at 320 CSS pixels nothing but a table region may scroll sideways."""
    page = new_page("nb-NO", viewport={"width": 320, "height": 640})
    log_in(page, live_server, EMAILS[Role.admin])
    paths = [f"/reports/annual/{_this_year()}", "/reports/annual/2011"]

    widths = {}
    for path in paths:
        page.goto(live_server(path))
        widths[path] = page.evaluate("document.documentElement.scrollWidth")

    assert widths == dict.fromkeys(paths, 320)
