"""Issue 4's journey in a real browser: a partner proposes, confirms, an admin decides.

An anonymous partner submits an event, follows the confirmation link found in
the outbox, an admin approves it, and it shows in the public calendar. A second
one is rejected: it never shows, and its submitter's mail carries the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import Role
from app.calendar.models import Submission, SubmissionState
from app.core.db import db, utcnow
from app.outbox.models import OutboxMail
from tests.e2e.helpers import EMAILS, log_in, seed_calendar, submit_form
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

APPROVED = "Nordic platform breakfast at NTNU"
REJECTED = "Clearance sale at the harbour"
_LINK = re.compile(r"https?://\S+/submissions/confirm/[A-Za-z0-9_\-]+")


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    return lambda app: seed_calendar(utcnow().replace(second=0, microsecond=0))


def _day() -> date:
    return (utcnow() + timedelta(days=9)).date()


def _propose(page: Any, server: LiveServer, title: str, email: str) -> None:
    page.goto(server("/submit"))
    day = _day().isoformat()
    page.locator("#title").fill(title)
    page.locator("#description").fill("Frokostmøte om **nordisk samarbeid**.")
    page.locator("#start").fill(f"{day}T08:00")
    page.locator("#end").fill(f"{day}T09:30")
    page.locator("#location").fill("NTNU Gløshaugen")
    page.locator("#organiser_name").fill("Nordic Partners AS")
    page.locator("#submitter_name").fill("Kari Nordmann")
    page.locator("#submitter_email").fill(email)
    submit_form(page, "main form.submission-form")


def _mail(server: LiveServer, kind: str, recipient: str) -> OutboxMail:
    with server.app.app_context():
        mail = db.session.scalars(
            sa.select(OutboxMail).filter_by(kind=kind, recipient=recipient)
        ).one()
        db.session.expunge(mail)
        return mail


def _confirm(page: Any, server: LiveServer, email: str) -> None:
    mail = _mail(server, "submission_confirm", email)
    link = _LINK.search(mail.body_text)
    assert link is not None, mail.body_text
    # The link is absolute for the public site; follow its path on this server.
    path = link.group(0).split("/submissions/", 1)[1]
    page.goto(server(f"/submissions/{path}"))
    assert page.locator("main h1").count() == 1


def _submission_id(server: LiveServer, title: str) -> int:
    with server.app.app_context():
        return db.session.scalars(sa.select(Submission.id).filter_by(title=title)).one()


def _state(server: LiveServer, title: str) -> SubmissionState:
    with server.app.app_context():
        return db.session.scalars(
            sa.select(Submission.state).filter_by(title=title)
        ).one()


def test_a_partners_event_is_confirmed_approved_and_published(
    live_server: LiveServer, new_page: Callable[..., Any]
) -> None:
    partner = new_page()
    _propose(partner, live_server, APPROVED, "kari@nordic.example")
    assert _state(live_server, APPROVED) is SubmissionState.unconfirmed
    _confirm(partner, live_server, "kari@nordic.example")
    assert _state(live_server, APPROVED) is SubmissionState.pending
    assert _mail(live_server, "submission_received", "kari@nordic.example")

    # Not public yet: the calendar does not show it.
    visitor = new_page()
    visitor.goto(live_server(f"/calendar?view=list&date={_day().isoformat()}"))
    assert APPROVED not in visitor.locator("main").inner_text()

    admin = new_page()
    log_in(admin, live_server, EMAILS[Role.admin])
    admin.goto(live_server("/admin/submissions"))
    assert_accessible(admin)
    admin.get_by_role("link", name=APPROVED).click()
    admin.wait_for_load_state()
    assert_accessible(admin)
    admin.locator(".decision--approve select").select_option("public")
    submit_form(admin, ".decision--approve")
    assert _state(live_server, APPROVED) is SubmissionState.approved

    visitor.goto(live_server(f"/calendar?view=list&date={_day().isoformat()}"))
    visitor.get_by_role("link", name=APPROVED).first.click()
    visitor.wait_for_load_state()
    assert APPROVED in visitor.locator("h1").inner_text()
    assert "nordisk samarbeid" in visitor.locator("main").inner_text()

    decided = _mail(live_server, "submission_decided", "kari@nordic.example")
    assert "/events/" in decided.body_text


def test_a_rejected_event_never_shows_and_its_mail_gives_the_reason(
    live_server: LiveServer, new_page: Callable[..., Any]
) -> None:
    partner = new_page()
    _propose(partner, live_server, REJECTED, "sales@harbour.example")
    _confirm(partner, live_server, "sales@harbour.example")

    admin = new_page()
    log_in(admin, live_server, EMAILS[Role.admin])
    admin.goto(
        live_server(f"/admin/submissions/{_submission_id(live_server, REJECTED)}")
    )
    admin.locator(".decision--reject select").select_option("commercial")
    admin.locator(".decision--reject textarea").fill("Try the business pages.")
    submit_form(admin, ".decision--reject")
    assert _state(live_server, REJECTED) is SubmissionState.rejected

    mail = _mail(live_server, "submission_decided", "sales@harbour.example")
    assert "commercial advertising" in mail.body_text
    assert "Try the business pages." in mail.body_text

    visitor = new_page()
    for view in ("list", "month", "week"):
        visitor.goto(live_server(f"/calendar?view={view}&date={_day().isoformat()}"))
        visitor.wait_for_load_state("networkidle")
        assert REJECTED not in visitor.content()
