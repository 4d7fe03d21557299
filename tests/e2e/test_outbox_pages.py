"""An admin finds a failed mail in the outbox, reads it and sends it again, by keyboard, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.models import Role
from app.core.db import db, utcnow
from app.outbox.models import MailState, OutboxMail
from app.outbox.services import queue_mail
from tests.e2e.helpers import EMAILS, html_lang, log_in, switch_language
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

#: Script a hostile mail carries; the sandboxed frame must never run it.
HOSTILE_HTML = (
    '<p id="greeting">Hello from the mail</p>'
    "<img src=x onerror=\"parent.document.body.dataset.pwned='yes'\">"
)


def _queue_failed_mails(server: LiveServer) -> dict[str, int]:
    """Add one permanently failed mail per language, with an HTML part; return their ids."""
    ids = {}
    with server.app.app_context():
        for locale in ("nb", "en"):
            mail = queue_mail(
                "password_reset",
                recipient=f"failed-{locale}@partner.example",
                locale=locale,
                context={
                    "user": {"name": "Ane"},
                    "link": "http://vertskap.test/r/1",
                    "minutes": 60,
                },
                idempotency_key=f"e2e-failed-{locale}",
                now=utcnow(),
            )
            mail.body_html = HOSTILE_HTML
            mail.state = MailState.failed
            mail.attempts = 9
            mail.last_response = "550 5.1.1 mailbox unavailable"
            ids[locale] = mail.id
        db.session.commit()
        db.session.remove()
    return ids


def _state(server: LiveServer, mail_id: int) -> MailState:
    with server.app.app_context():
        state = db.session.get(OutboxMail, mail_id).state
        db.session.remove()
    return state


def test_admin_filters_reads_and_resends_a_failed_mail_by_keyboard(
    live_server: LiveServer, new_page: Any
) -> None:
    ids = _queue_failed_mails(live_server)
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])

    for locale in ("nb", "en"):
        switch_language(page, locale)
        page.goto(live_server("/admin/outbox/"))

        # Filter with the GET form, submitted from the keyboard.
        page.locator("#filter-kind").select_option("password_reset")
        page.locator("#filter-recipient").fill(f"FAILED-{locale}")
        with page.expect_navigation():
            page.locator("#filter-recipient").press("Enter")
        rows = page.locator("main table tbody tr")
        assert rows.count() == 1
        assert page.locator("#filter-kind").input_value() == "password_reset"
        assert_accessible(page)

        page.locator("main table tbody a").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == live_server(f"/admin/outbox/{ids[locale]}")
        frame = page.frame_locator("iframe.mail-html")
        assert frame.locator("#greeting").inner_text() == "Hello from the mail"
        assert page.evaluate("document.body.dataset.pwned") is None
        assert (html_lang(page), _state(live_server, ids[locale])) == (
            locale,
            MailState.failed,
        )
        assert_accessible(page)

        page.locator("form[action$='/resend'] button").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(".flash--success").count() == 1
        assert page.locator("form[action$='/resend']").count() == 0
        assert _state(live_server, ids[locale]) is MailState.queued
    assert page.locator(".flash--success").inner_text() == (
        "The mail to failed-en@partner.example is queued to be sent again."
    )
