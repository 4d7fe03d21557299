"""axe-core finds no serious or critical violation on the foundation's pages, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.models import Role, User
from app.auth.unsubscribe import MailKind, unsubscribe_token
from app.core.db import db
from tests.e2e.helpers import (
    EMAILS,
    html_lang,
    log_in,
    submit_form,
    switch_language,
    user_id,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

#: Browser locale that makes an anonymous visitor get each language.
BROWSER_LOCALES = {"nb": "nb-NO", "en": "en-GB"}


def _check(page: Any, locale: str) -> None:
    assert html_lang(page) == locale, page.url
    assert_accessible(page)


def _visit(page: Any, url: str, locale: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, url
    _check(page, locale)


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_public_pages_have_no_serious_violation(
    live_server: LiveServer, new_page: Any, locale: str
) -> None:
    page = new_page(BROWSER_LOCALES[locale])

    for path in ("/", "/upcoming", "/action-programme/", "/action-programme/2011-2012"):
        _visit(page, live_server(path), locale)
    _visit(page, live_server("/no-such-page"), locale, status=404)

    _visit(page, live_server("/login"), locale)
    submit_form(page, "main form")
    assert page.locator(".error-summary li").count() == 2
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    _check(page, locale)

    _visit(page, live_server("/password/forgot"), locale)
    page.locator("#email").fill("not an address")
    submit_form(page, "main form")
    assert page.locator(".error-summary li").count() == 1
    assert page.locator("#email").input_value() == "not an address"
    _check(page, locale)


def test_admin_pages_have_no_serious_violation_in_either_language(
    live_server: LiveServer, new_page: Any
) -> None:
    # One log-in for both languages: Argon2 makes each log-in cost most of a second.
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    member_id = user_id(live_server, EMAILS[Role.member])
    with live_server.app.app_context():
        member = db.session.get_one(User, member_id)
        unsubscribe = f"/unsubscribe/{unsubscribe_token(member, MailKind.digest)}"

    for locale in ("nb", "en"):
        switch_language(page, locale)
        for path in (
            "/admin/users",
            f"/admin/users/{member_id}/edit",
            "/preferences",
            unsubscribe,
            "/admin/outbox/",  # last: its first mail is opened below
        ):
            _visit(page, live_server(path), locale)
        mail_link = page.locator("main table a").first
        subject = mail_link.inner_text()
        with page.expect_navigation():
            mail_link.click()
        assert page.locator("main h1").inner_text() == subject
        _check(page, locale)
        missing = page.goto(live_server("/admin/users/999999/edit"))
        assert (missing.status, html_lang(page)) == (404, locale)

        _visit(page, live_server("/admin/users/invite"), locale)
        page.locator("#email").fill("not an address")
        submit_form(page, "main form")
        assert page.locator(".error-summary li").count() == 2
        assert page.locator("#email").input_value() == "not an address"
        _check(page, locale)


def test_pages_reflow_without_sideways_scrolling_at_320_px(
    live_server: LiveServer, new_page: Any
) -> None:
    """WCAG 1.4.10: at 320 CSS pixels nothing but a table region may scroll sideways."""
    page = new_page("nb-NO", viewport={"width": 320, "height": 640})
    log_in(page, live_server, EMAILS[Role.admin])
    paths = ["/", "/upcoming", "/admin/users", "/admin/users/invite", "/admin/outbox/"]
    paths += ["/admin/outbox/1", "/no-such-page"]

    widths = {}
    for path in paths:
        page.goto(live_server(path))
        widths[path] = page.evaluate("document.documentElement.scrollWidth")

    assert widths == dict.fromkeys(paths, 320)
