"""The moderation queue in a real browser: approve, reject, axe in nb and en, keyboard only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import Role
from app.calendar.models import Event, Submission, SubmissionState
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from app.outbox.models import OutboxMail
from tests.e2e.helpers import (
    EMAILS,
    html_lang,
    log_in,
    seed_calendar,
    submit_form,
    switch_language,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

TO_APPROVE = "Harbour clean-up with exchange students"
TO_REJECT = "Sale of used cars"
FOCUSED_ID = "() => document.activeElement && document.activeElement.id"
FOCUSED_TEXT = "() => (document.activeElement.innerText || document.activeElement.value || '').trim()"


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    def _seed(app: Flask) -> None:
        now = utcnow().replace(second=0, microsecond=0)
        seed_calendar(now)
        for days, title, locale in ((6, TO_APPROVE, "en"), (8, TO_REJECT, "nb")):
            start = now + timedelta(days=days)
            db.session.add(
                Submission(
                    title=title,
                    description="Bring **gloves**. <script>alert(1)</script>",
                    start_dt=start,
                    end_dt=start + timedelta(hours=3),
                    timezone="Europe/Oslo",
                    location="Brattøra",
                    organiser_name="Friends of the fjord",
                    submitter_name="Siri Submitter",
                    submitter_email=f"{locale}@partner.example",
                    locale=locale,
                    state=SubmissionState.pending,
                    created_dt=now - timedelta(hours=days),
                    email_confirmed_dt=now - timedelta(hours=days),
                )
            )

    return _seed


def _submission_id(server: LiveServer, title: str) -> int:
    with server.app.app_context():
        return db.session.scalars(sa.select(Submission.id).filter_by(title=title)).one()


def _saved(
    server: LiveServer, title: str
) -> tuple[SubmissionState, Visibility | None, str]:
    with server.app.app_context():
        submission = db.session.scalars(
            sa.select(Submission).filter_by(title=title)
        ).one()
        event = (
            db.session.get(Event, submission.event_id) if submission.event_id else None
        )
        return (
            submission.state,
            event.visibility if event else None,
            submission.reject_reason,
        )


def test_admin_approves_one_and_rejects_another(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    switch_language(page, "en")
    page.goto(live_server("/admin/submissions"))
    rows = page.locator(".submission-row").all_inner_texts()

    with page.expect_navigation():
        page.get_by_role("link", name=TO_APPROVE).click()
    assert page.locator("h1").inner_text() == TO_APPROVE
    assert page.locator(".submission-description strong").inner_text() == "gloves"
    page.select_option("#visibility", "public")
    submit_form(page, "form.decision--approve")
    approved_flash = page.locator(".flash").inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name=TO_REJECT).click()
    page.select_option("#reason", "commercial")
    page.fill("#note", "Try the trade fair instead.")
    submit_form(page, "form.decision--reject")
    rejected_flash = page.locator(".flash").inner_text()

    assert len(rows) == 2
    assert TO_APPROVE in rows[1]
    assert TO_REJECT in rows[0]
    assert "is approved and published" in approved_flash
    assert "will get the reason by e-mail" in rejected_flash
    assert page.locator(".submission-row").count() == 0
    state, visibility, _ = _saved(live_server, TO_APPROVE)
    assert (state, visibility) == (SubmissionState.approved, Visibility.public)
    state, _, reason = _saved(live_server, TO_REJECT)
    assert state is SubmissionState.rejected
    assert (
        reason
        == "Kalenderen publiserer ikke kommersiell reklame.\n\nTry the trade fair instead."
    )
    with live_server.app.app_context():
        event_id = db.session.scalars(
            sa.select(Event.id).filter_by(title=TO_APPROVE)
        ).one()
        mails = {
            m.recipient: m.body_text
            for m in db.session.scalars(
                sa.select(OutboxMail).filter_by(kind="submission_decided")
            )
        }
    assert (
        "Kalenderen publiserer ikke kommersiell reklame." in mails["nb@partner.example"]
    )
    assert f"/events/{event_id}" in mails["en@partner.example"]

    visitor = new_page("en-GB")
    response = visitor.goto(live_server(f"/events/{event_id}"))
    assert response.status == 200
    assert TO_APPROVE in visitor.locator("h1").inner_text()
    assert visitor.goto(live_server("/admin/submissions")).url.startswith(
        live_server("/login")
    )


def test_queue_and_submission_pages_pass_axe_in_both_languages(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    submission = f"/admin/submissions/{_submission_id(live_server, TO_APPROVE)}"

    for locale in ("nb", "en"):
        switch_language(page, locale)
        for path in ("/admin/submissions", submission, f"{submission}/edit"):
            response = page.goto(live_server(path))
            assert (response.status, html_lang(page)) == (200, locale)
            assert_accessible(page)
    # A rejection without its note shows the error; that page passes too.
    page.goto(live_server(submission))
    page.select_option("#reason", "other")
    submit_form(page, "form.decision--reject")
    assert page.locator("#note-error").is_visible()
    assert_accessible(page)


def test_a_decision_with_the_keyboard_only(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    switch_language(page, "en")
    page.goto(live_server("/admin/submissions"))

    # Tab to the proposal's link and open it.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_TEXT) == TO_APPROVE:
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Tab to the visibility, choose "Forum" with the arrow keys, then tab to the button.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_ID) == "visibility":
            break
    page.keyboard.press("ArrowDown")
    chosen = page.locator("#visibility").input_value()
    page.keyboard.press("Tab")
    button = page.evaluate(FOCUSED_TEXT)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert chosen == "forum"
    assert button == "Approve and publish"
    assert page.url == live_server("/admin/submissions")
    assert _saved(live_server, TO_APPROVE)[:2] == (
        SubmissionState.approved,
        Visibility.forum,
    )
