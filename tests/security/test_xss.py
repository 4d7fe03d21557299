"""XSS payloads typed into every text field render inert everywhere (issue 4).

Each payload goes in through the real forms: the public submission form (every
text field a partner types) and the staff event form. The payloads then travel
the whole way: confirmation, the moderation queue and its detail page, approval
or rejection with the payload as the moderator's note, the calendar pages, the
event pages, the JSON the month view reads, and every queued mail. Nothing of it
may become live markup, and no dangerous link is accepted anywhere.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Event, Submission, SubmissionState
from app.core.db import db
from app.outbox.models import OutboxMail
from tests.fixtures.builders import NOW
from tests.security.inert import live_markup
from tests.security.payloads import BAD_LINKS, XSS_PAYLOADS

pytestmark = pytest.mark.integration

START = NOW + timedelta(days=5)
_CONFIRM_LINK = re.compile(r"/submissions/confirm/([A-Za-z0-9_\-]+)")


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _local(day: int, hour: int) -> str:
    return f"{(START + timedelta(days=day)).date().isoformat()}T{hour:02d}:00"


def _assert_inert(html: str, where: str) -> None:
    assert live_markup(html) == [], where


def _submit(client: Any, n: int, payload: str, **extra: str) -> Any:
    day = n % 20
    data = {
        "title": payload,
        "description": f"{payload}\n\n**{payload}**\n\n- {payload}",
        "start": _local(day, 10),
        "end": _local(day, 12),
        "location": payload,
        "organiser_id": "0",
        "organiser_name": payload,
        "initiative_id": "0",
        "link": "https://www.trondheim.kommune.no/",
        "submitter_name": payload,
        "submitter_email": f"partner{n}@example.org",
        "website": "",
    }
    data.update(extra)
    return client.post("/submit", data=data)


def test_payloads_in_every_submission_field_render_inert_all_the_way(
    client: Any, create_user: Any, login: Any
) -> None:
    for n, payload in enumerate(XSS_PAYLOADS):
        response = _submit(client, n, payload)
        assert response.status_code == 302, (payload, response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == len(
        XSS_PAYLOADS
    )

    # The partners confirm their addresses through the links in their mails.
    confirmations = db.session.scalars(
        sa.select(OutboxMail).filter_by(kind="submission_confirm")
    ).all()
    assert len(confirmations) == len(XSS_PAYLOADS)
    for mail in confirmations:
        token = _CONFIRM_LINK.search(mail.body_text)
        assert token is not None, mail.body_text
        page = client.get(f"/submissions/confirm/{token.group(1)}")
        assert page.status_code == 200
        _assert_inert(page.get_data(as_text=True), "confirmation page")

    login(create_user(role=Role.admin))
    queue = client.get("/admin/submissions?per_page=100")
    assert queue.status_code == 200
    _assert_inert(queue.get_data(as_text=True), "moderation queue")

    submissions = db.session.scalars(sa.select(Submission).order_by(Submission.id))
    for n, submission in enumerate(list(submissions)):
        assert submission.state is SubmissionState.pending
        detail = client.get(f"/admin/submissions/{submission.id}")
        _assert_inert(detail.get_data(as_text=True), f"submission {submission.id}")
        edit = client.get(f"/admin/submissions/{submission.id}/edit")
        _assert_inert(edit.get_data(as_text=True), f"edit {submission.id}")
        if n % 2:
            decided = client.post(
                f"/admin/submissions/{submission.id}/reject",
                data={"reason": "other", "note": XSS_PAYLOADS[n]},
            )
        else:
            decided = client.post(
                f"/admin/submissions/{submission.id}/approve",
                data={"visibility": "public"},
            )
        assert decided.status_code == 302, decided.get_data(as_text=True)[:2000]

    for state in ("approved", "rejected"):
        page = client.get(f"/admin/submissions?state={state}")
        _assert_inert(page.get_data(as_text=True), f"queue {state}")

    # What the public sees: the calendar in all its views, the JSON, the events.
    client.post("/logout")
    pages = [
        "/",
        "/upcoming",
        f"/calendar?date={START.date().isoformat()}",
        f"/calendar?view=week&date={START.date().isoformat()}",
        f"/calendar?view=list&date={START.date().isoformat()}",
        f"/calendar?view=list&date={(START + timedelta(days=20)).date().isoformat()}",
    ]
    events = db.session.scalars(sa.select(Event)).all()
    assert len(events) == (len(XSS_PAYLOADS) + 1) // 2
    pages += [f"/events/{event.id}" for event in events]
    for url in pages:
        for language in ("nb", "en"):
            page = client.get(url, headers={"Accept-Language": language})
            assert page.status_code == 200, url
            _assert_inert(page.get_data(as_text=True), url)

    entries = client.get(
        f"/calendar/entries.json?start={NOW.date().isoformat()}"
        f"&end={(START + timedelta(days=25)).date().isoformat()}"
    )
    assert entries.mimetype == "application/json"
    titles = {entry["title"] for entry in json.loads(entries.get_data(as_text=True))}
    # The month view gets the titles as data, exactly as typed; FullCalendar sets
    # them as text. Every approved payload is there, unaltered.
    assert {event.title for event in events} <= titles

    for event in events:
        ics = client.get(f"/events/{event.id}.ics")
        assert ics.status_code == 200
        assert ics.mimetype == "text/calendar"

    mails = db.session.scalars(sa.select(OutboxMail)).all()
    kinds = {mail.kind for mail in mails}
    assert {"submission_confirm", "submission_received", "submission_decided"} <= kinds
    for mail in mails:
        _assert_inert(mail.body_html, f"{mail.kind} mail to {mail.recipient}")
        assert "\r" not in mail.subject
        assert "\n" not in mail.subject


@pytest.mark.parametrize("link", BAD_LINKS)
def test_the_submission_form_refuses_dangerous_links(client: Any, link: str) -> None:
    response = _submit(client, 1, "Nordens dag", link=link)
    assert response.status_code in {200, 422}
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def _event_form(payload: str, **extra: str) -> dict[str, str]:
    data = {
        "title": payload,
        "description": payload,
        "start": _local(1, 9),
        "end": _local(1, 11),
        "timezone": "Europe/Oslo",
        "location": payload,
        "organiser_id": "0",
        "initiative_id": "0",
        "url": "https://www.ntnu.no/",
        "visibility": "public",
        "status": "confirmed",
        "repeat": "none",
        "interval": "1",
        "ends": "never",
        "exdates": "",
    }
    data.update(extra)
    return data


def test_payloads_in_every_event_field_render_inert(
    client: Any, create_user: Any, login: Any
) -> None:
    login(create_user(role=Role.mayors_office))
    for payload in XSS_PAYLOADS:
        saved = client.post("/events/new", data=_event_form(payload))
        assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
        event_url = saved.headers["Location"]
        for url in (event_url, f"{event_url}/edit"):
            page = client.get(url)
            assert page.status_code == 200
            _assert_inert(page.get_data(as_text=True), url)
        # A form sent back with an error shows the payload in its fields, inert.
        refused = client.post(
            "/events/new", data=_event_form(payload, exdates=payload, url=payload)
        )
        assert refused.status_code in {200, 422}
        _assert_inert(refused.get_data(as_text=True), "event form with errors")
    listing = client.get(f"/calendar?view=list&date={START.date().isoformat()}")
    assert listing.status_code == 200
    _assert_inert(listing.get_data(as_text=True), "calendar list")
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == len(XSS_PAYLOADS)


@pytest.mark.parametrize("link", BAD_LINKS)
def test_the_event_form_refuses_dangerous_links(
    client: Any, create_user: Any, login: Any, link: str
) -> None:
    login(create_user(role=Role.admin))
    response = client.post("/events/new", data=_event_form("Nordens dag", url=link))
    assert response.status_code in {200, 422}
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0
