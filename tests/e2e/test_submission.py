"""The public submission form in a real browser: submit, confirm by mail, axe, keyboard, no JavaScript."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.calendar.models import Submission, SubmissionState
from app.core.db import db, utcnow
from app.outbox.models import OutboxMail
from tests.e2e.helpers import html_lang, submit_form
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

FORM = "main form.submission-form"
TITLE = "Hamburg business breakfast"
_CONFIRM_PATH = re.compile(r"https?://[^/\s]+(/submissions/confirm/[A-Za-z0-9_-]+)")


def _event_day() -> date:
    """A day a month ahead, in the city's zone: always in the future, never near a DST change."""
    return (utcnow() + timedelta(days=30)).astimezone(ZoneInfo("Europe/Oslo")).date()


def _fill(page: Any, title: str = TITLE) -> None:
    day = _event_day().isoformat()
    page.fill("#title", title)
    page.fill("#description", "Breakfast with **partners** from Hamburg.")
    page.fill("#location", "Britannia Hotel, Trondheim")
    page.fill("#link", "https://example.org/breakfast")
    page.fill("#start", f"{day}T08:00")
    page.fill("#end", f"{day}T10:00")
    page.select_option("#organiser_id", label=_ntnu_label())
    page.fill("#submitter_name", "Hanna Hansen")
    page.fill("#submitter_email", "hanna@example.org")


def _ntnu_label() -> str:
    return "NTNU – Norges teknisk-naturvitenskapelige universitet"


def _confirm_path(server: LiveServer, title: str = TITLE) -> str:
    """Return the path of the confirmation link mailed for `title`, read from the live server's outbox."""
    with server.app.app_context():
        bodies = db.session.scalars(
            sa.select(OutboxMail.body_text)
            .filter_by(kind="submission_confirm")
            .order_by(OutboxMail.id)
        ).all()
        db.session.remove()
    (body,) = [text for text in bodies if title in text]
    (path,) = _CONFIRM_PATH.findall(body)
    return path


def _states(server: LiveServer) -> dict[str, SubmissionState]:
    with server.app.app_context():
        rows = db.session.execute(sa.select(Submission.title, Submission.state)).all()
        db.session.remove()
    return dict(rows)


def test_anonymous_partner_submits_and_confirms_through_the_mailed_link(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    page.goto(live_server("/submit"))

    _fill(page)
    submit_form(page, FORM)

    assert page.locator("h1").inner_text() == "Thank you: check your e-mail"
    assert _states(live_server) == {TITLE: SubmissionState.unconfirmed}
    page.goto(live_server(_confirm_path(live_server)))
    assert page.locator("h1").inner_text() == "Your address is confirmed"
    assert TITLE in page.locator("main").inner_text()
    assert _states(live_server) == {TITLE: SubmissionState.pending}


@pytest.mark.parametrize(("browser_locale", "lang"), [("nb-NO", "nb"), ("en-GB", "en")])
def test_submission_pages_pass_axe(
    live_server: LiveServer, new_page: Any, browser_locale: str, lang: str
) -> None:
    page = new_page(browser_locale)
    title = f"{TITLE} ({lang})"

    page.goto(live_server("/submit"))
    assert html_lang(page) == lang
    assert_accessible(page)
    submit_form(page, FORM)  # everything empty: the errors are shown
    assert page.locator(".error-summary").count() == 1
    assert page.locator(".field--error").count() >= 5
    assert_accessible(page)
    _fill(page, title)
    page.fill("#link", "javascript:alert(1)")
    submit_form(page, FORM)
    assert page.locator("#link-error").count() == 1
    assert page.input_value("#title") == title  # what was typed is kept
    assert_accessible(page)
    page.fill("#link", "https://example.org/breakfast")
    submit_form(page, FORM)
    assert "/submit/thanks" in page.url
    assert_accessible(page)
    path = _confirm_path(live_server, title)
    for expected_status in (200, 200):  # confirmed, then already confirmed
        response = page.goto(live_server(path))
        assert response.status == expected_status
        assert html_lang(page) == lang
        assert_accessible(page)
    response = page.goto(live_server("/submissions/confirm/no-such-token-at-all"))
    assert response.status == 404
    assert_accessible(page)


def _type_local_datetime(page: Any, day: date, hour: int) -> None:
    """Type a wall time into the focused datetime-local field, segment by segment.

    Chromium lays the field out in its own UI language (here month/day/year and
    a 12-hour clock with AM/PM): the year takes up to six digits, so Tab moves on.
    """
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    page.keyboard.press("Tab")
    page.keyboard.type(f"{(hour - 1) % 12 + 1:02d}00{'A' if hour < 12 else 'P'}")


def _tab_to_next_field(page: Any) -> None:
    """Press Tab until focus leaves the current field (a date field has inner stops)."""
    current = page.evaluate("document.activeElement.name || ''")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name || ''") != current:
            return


def test_form_is_filled_and_sent_with_the_keyboard_alone(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-US")
    day = _event_day()
    page.goto(live_server("/submit"))

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    steps: list[tuple[str, Any]] = [
        ("title", lambda: page.keyboard.type(TITLE)),
        ("description", lambda: page.keyboard.type("Breakfast with partners.")),
        ("location", lambda: page.keyboard.type("Britannia Hotel")),
        ("link", lambda: page.keyboard.type("https://example.org/breakfast")),
        ("is_all_day", None),
        ("start", lambda: _type_local_datetime(page, day, 8)),
        ("end", lambda: _type_local_datetime(page, day, 10)),
        ("organiser_id", None),
        ("organiser_name", lambda: page.keyboard.type("Hamburg Chamber of Commerce")),
        ("initiative_id", None),
        ("submitter_name", lambda: page.keyboard.type("Hanna Hansen")),
        ("submitter_email", lambda: page.keyboard.type("hanna@example.org")),
        ("submit", None),  # the honeypot (tabindex -1) is skipped
    ]
    for name, action in steps:
        _tab_to_next_field(page)
        assert page.evaluate("document.activeElement.name") == name
        if action is not None:
            action()
    assert page.input_value("#start") == f"{day.isoformat()}T08:00"
    assert page.input_value("#end") == f"{day.isoformat()}T10:00"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text() == "Thank you: check your e-mail"
    assert _states(live_server) == {TITLE: SubmissionState.unconfirmed}


def test_form_works_without_javascript(live_server: LiveServer, new_page: Any) -> None:
    page = new_page("en-GB", java_script_enabled=False)
    page.goto(live_server("/submit"))

    _fill(page)
    submit_form(page, FORM)
    page.goto(live_server(_confirm_path(live_server)))

    assert page.locator("h1").inner_text() == "Your address is confirmed"
    assert _states(live_server) == {TITLE: SubmissionState.pending}
