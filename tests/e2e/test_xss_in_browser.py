"""No payload runs in a real browser: the month and week views, the list, events, the queue.

The HTTP tests (tests/security/test_xss.py) check the markup; this one checks
what a browser does with it, FullCalendar's rendering of titles included: any
payload that ran would open an alert dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import Role
from app.calendar.models import Event, EventStatus, Submission, SubmissionState
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from tests.e2e.helpers import EMAILS, log_in, seed_calendar
from tests.fixtures.browser import LiveServer
from tests.security.payloads import XSS_PAYLOADS

pytestmark = pytest.mark.e2e


def _start() -> Any:
    return utcnow().replace(second=0, microsecond=0) + timedelta(days=3)


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    def _seed(app: Flask) -> None:
        seed_calendar(utcnow().replace(second=0, microsecond=0))
        start = _start()
        for n, payload in enumerate(XSS_PAYLOADS):
            begin = start + timedelta(hours=n % 8)
            db.session.add(
                Event(
                    title=payload,
                    description=payload,
                    location=payload,
                    start_dt=begin,
                    end_dt=begin + timedelta(hours=1),
                    timezone="Europe/Oslo",
                    visibility=Visibility.public,
                    status=EventStatus.confirmed,
                )
            )
            db.session.add(
                Submission(
                    state=SubmissionState.pending,
                    title=payload,
                    description=payload,
                    location=payload,
                    organiser_name=payload,
                    start_dt=begin,
                    end_dt=begin + timedelta(hours=1),
                    submitter_name=payload,
                    submitter_email=f"partner{n}@example.org",
                )
            )

    return _seed


def _watch_dialogs(page: Any) -> list[str]:
    opened: list[str] = []

    def _dismiss(dialog: Any) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", _dismiss)
    return opened


def test_no_payload_runs_anywhere(
    live_server: LiveServer, new_page: Callable[..., Any]
) -> None:
    day = _start().date().isoformat()
    visitor = new_page()
    opened = _watch_dialogs(visitor)
    for view in ("month", "week", "list"):
        visitor.goto(live_server(f"/calendar?view={view}&date={day}"))
        visitor.wait_for_load_state("networkidle")
    visitor.goto(live_server("/"))
    with live_server.app.app_context():
        event_ids = db.session.scalars(sa.select(Event.id)).all()
        submission_ids = db.session.scalars(sa.select(Submission.id)).all()
    for event_id in event_ids[:12]:
        visitor.goto(live_server(f"/events/{event_id}"))

    admin = new_page()
    opened += _watch_dialogs(admin)
    log_in(admin, live_server, EMAILS[Role.admin])
    admin.goto(live_server("/admin/submissions"))
    for submission_id in submission_ids[:12]:
        admin.goto(live_server(f"/admin/submissions/{submission_id}"))
    admin.goto(live_server(f"/calendar?view=week&date={day}"))
    admin.wait_for_load_state("networkidle")
    assert opened == []
