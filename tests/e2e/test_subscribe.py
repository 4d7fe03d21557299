"""The subscribe page in a real browser: accessible, copy buttons, no-script use, keyboard only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.auth.models import Role
from tests.e2e.helpers import EMAILS, html_lang, log_in, submit_form, switch_language
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

BROWSER_LOCALES = {"nb": "nb-NO", "en": "en-GB"}
#: Feed links are built from PUBLIC_BASE_URL (the tests' own), not from the served address.
BASE = "http://vertskap.test"
PRIVATE_URL = re.compile(r"http://vertskap\.test/feeds/[A-Za-z0-9_-]{43}\.ics")


def _check(page: Any, locale: str) -> None:
    assert html_lang(page) == locale, page.url
    assert_accessible(page)


def _create_link(page: Any, label: str) -> str:
    """Create a personal link through the form; return the URL shown once."""
    page.locator("#label").fill(label)
    submit_form(page, "form.new-feed-token")
    return page.locator("#feed-url-new").input_value()


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_subscribe_page_has_no_serious_violation_for_visitors(
    live_server: LiveServer, new_page: Any, locale: str
) -> None:
    page = new_page(BROWSER_LOCALES[locale])

    response = page.goto(live_server("/subscribe"))

    assert response.status == 200
    _check(page, locale)
    page.locator("input[name=kind][value=event]").check()
    submit_form(page, "form.subscribe-filters")
    assert (
        page.locator("#feed-url-public")
        .input_value()
        .endswith("/feeds/public.ics?kind=event")
    )
    _check(page, locale)


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_subscribe_page_has_no_serious_violation_for_a_member_with_links(
    live_server: LiveServer, new_page: Any, locale: str
) -> None:
    page = new_page(BROWSER_LOCALES[locale])
    log_in(page, live_server, EMAILS[Role.member])
    page.goto(live_server("/subscribe"))
    switch_language(page, locale)
    page.goto(live_server("/subscribe"))

    url = _create_link(page, "Phone")
    _check(page, locale)  # the answer showing the new link once
    page.locator("#label").fill("")
    submit_form(page, "form.new-feed-token")
    assert page.locator("#label").get_attribute("aria-invalid") == "true"
    _check(page, locale)  # the form with its error
    page.goto(live_server("/subscribe"))

    assert PRIVATE_URL.fullmatch(url), url
    assert url not in page.content()
    assert page.locator(".feed-token__label").all_inner_texts() == ["Phone"]
    _check(page, locale)
    submit_form(page, ".feed-tokens tbody tr:first-child form:last-child")
    _check(page, locale)  # the confirmation


def test_copy_button_copies_the_link_and_says_so(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(live_server("/subscribe"))
    button = page.locator("#public-feed button.copy-button")

    button.click()

    expected = page.locator("#feed-url-public").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert expected == BASE + "/feeds/public.ics"
    status = page.locator("#public-feed .copy-status")
    status.filter(has_text="Link copied.").wait_for()
    assert status.get_attribute("role") == "status"


def test_subscribe_page_works_without_javascript(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(java_script_enabled=False)
    log_in(page, live_server, EMAILS[Role.member])
    switch_language(page, "en")
    page.goto(live_server("/subscribe"))

    copy_hidden = page.locator("#public-feed button.copy-button").is_hidden()
    page.locator("input[name=kind][value=visit]").check()
    submit_form(page, "form.subscribe-filters")
    public_url = page.locator("#feed-url-public").input_value()
    url = _create_link(page, "Laptop")
    submit_form(page, ".feed-tokens tbody tr:first-child form:first-child")
    submit_form(page, "main form.row-actions")
    rotated = page.locator("#feed-url-new").input_value()

    assert copy_hidden is True
    assert page.locator("#feed-url-new").get_attribute("readonly") is not None
    assert public_url == BASE + "/feeds/public.ics?kind=visit"
    assert PRIVATE_URL.fullmatch(url.removesuffix("?kind=visit")), url
    assert url.endswith("?kind=visit")
    assert rotated.endswith("?kind=visit")
    assert rotated != url
    assert page.locator(".feed-token__label").all_inner_texts() == ["Laptop"]


def test_member_creates_a_link_with_the_keyboard_only(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page()
    log_in(page, live_server, EMAILS[Role.member])
    switch_language(page, "en")
    page.goto(live_server("/subscribe"))

    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "label":
            break
    page.keyboard.type("Tablet")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert PRIVATE_URL.fullmatch(page.locator("#feed-url-new").input_value())
    assert page.locator(".feed-token__label").all_inner_texts() == ["Tablet"]
