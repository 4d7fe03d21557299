"""The language button keeps you on the page, and log-in and language work without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.models import Role
from tests.e2e.helpers import (
    EMAILS,
    PUBLIC_EVENT,
    entry_titles,
    html_lang,
    log_in,
    submit_form,
    switch_language,
)
from tests.fixtures.browser import LiveServer

pytestmark = pytest.mark.e2e


def test_language_switch_keeps_the_page(live_server: LiveServer, new_page: Any) -> None:
    page = new_page("en-GB")
    paths = ["/upcoming?kind=event", "/login?next=/upcoming", "/password/forgot"]
    after_switch = {}
    for path in paths:
        page.goto(live_server(path))
        switch_language(page, "nb" if html_lang(page) == "en" else "en")
        after_switch[path] = (page.url, html_lang(page))

    assert after_switch == {
        "/upcoming?kind=event": (live_server("/upcoming?kind=event"), "nb"),
        "/login?next=/upcoming": (live_server("/login?next=/upcoming"), "en"),
        "/password/forgot": (live_server("/password/forgot"), "nb"),
    }


def test_language_switch_is_remembered_on_the_account(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.member])
    saved_first = html_lang(page)  # the account's language wins over the browser's
    switch_language(page, "en")

    later = new_page("nb-NO")
    log_in(later, live_server, EMAILS[Role.member])

    assert saved_first == "nb"
    assert html_lang(later) == "en"


def test_login_and_language_switch_work_without_javascript(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB", java_script_enabled=False)
    page.goto(live_server("/upcoming"))
    switch_language(page, "nb")
    anonymous = (page.url, html_lang(page))

    log_in(page, live_server, EMAILS[Role.mayors_office])
    logged_in = (page.url, page.locator(".site-tools .who").inner_text())
    switch_language(page, "en")

    assert anonymous == (live_server("/upcoming"), "nb")
    assert logged_in == (live_server("/"), "Mona Mayor")
    assert (page.url, html_lang(page)) == (live_server("/"), "en")
    assert entry_titles(page)[0] == PUBLIC_EVENT
    submit_form(page, "form[action='/logout']")
    assert entry_titles(page) == [PUBLIC_EVENT]
