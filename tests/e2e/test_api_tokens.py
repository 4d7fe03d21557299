"""The API token page in a real browser: keyboard only, accessible, and the token works over HTTP."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest

from app.auth.models import Role
from tests.e2e.helpers import EMAILS, html_lang, log_in, submit_form, switch_language
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

BROWSER_LOCALES = {"nb": "nb-NO", "en": "en-GB"}
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
#: Tab presses allowed before the label field has focus.
MAX_TABS = 80


def _check(page: Any, locale: str) -> None:
    assert html_lang(page) == locale, page.url
    assert_accessible(page)


def _focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _create_by_keyboard(page: Any, label: str) -> str:
    """Tab to the label field, type, press Enter; return the token shown once."""
    tabs = 0
    while _focused_id(page) != "label" and tabs < MAX_TABS:
        page.keyboard.press("Tab")
        tabs += 1
    assert _focused_id(page) == "label"
    page.keyboard.type(label)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return str(page.locator("#api-token-new").inner_text())


def _api_status(server: LiveServer, raw: str) -> int:
    request = urllib.request.Request(  # noqa: S310 -- the test's own http server
        server("/api/v1/events"), headers={"Authorization": f"Bearer {raw}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            json.load(response)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_member_makes_uses_and_revokes_an_api_token(
    live_server: LiveServer, new_page: Any, locale: str
) -> None:
    page = new_page(BROWSER_LOCALES[locale])
    log_in(page, live_server, EMAILS[Role.member])
    page.goto(live_server("/api-tokens"))
    switch_language(page, locale)
    page.goto(live_server("/api-tokens"))
    _check(page, locale)  # no token yet

    raw = _create_by_keyboard(page, "Script")
    example = page.locator("#api-token-example").inner_text()
    _check(page, locale)  # the answer showing the token once
    used = _api_status(live_server, raw)
    page.goto(live_server("/api-tokens"))
    listed = page.locator(".feed-token__label").all_inner_texts()
    shown_again = raw in page.content()
    _check(page, locale)  # the list with the token
    submit_form(page, ".feed-tokens tbody tr:first-child form:last-child")
    _check(page, locale)  # the confirmation
    submit_form(page, "main form.row-actions")
    _check(page, locale)  # the list after revoking
    revoked = _api_status(live_server, raw)

    assert TOKEN.fullmatch(raw), raw
    assert (
        example
        == f'curl -H "Authorization: Bearer {raw}" http://vertskap.test/api/v1/events'
    )
    assert (used, revoked) == (200, 401)
    assert listed == ["Script"]
    assert shown_again is False
    assert page.locator(".feed-token__label").all_inner_texts() == []


def test_an_api_token_is_not_a_feed_link(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page()
    log_in(page, live_server, EMAILS[Role.member])
    switch_language(page, "en")
    page.goto(live_server("/api-tokens"))
    page.locator("#label").fill("Script")
    submit_form(page, "form.new-api-token")
    raw = page.locator("#api-token-new").inner_text()

    try:
        urllib.request.urlopen(live_server(f"/feeds/{raw}.ics"), timeout=10)  # noqa: S310
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code

    assert status == 404
