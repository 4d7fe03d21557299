"""Issue 14, point 2: no typed value becomes a header of the mail we send.

Each payload goes into every value that reaches a subject or a mail at all
(submission titles and submitter names, event and visit titles, user names),
the mail goes through the outbox to a real SMTP server on 127.0.0.1, and the
test reads the raw header block the server received: exactly the headers we
set, one recipient, no Bcc, no Reply-To, no second Content-Type or body.
No mail has a display name in From or To: addresses are bare, so a name
reaches only the body.
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Submission
from app.calendar.moderation import approve
from app.calendar.notices import queue_event_change_notices
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.interests.services import decide_interest
from app.delegations.models import (
    DelegationStatus,
    Interest,
    InterestKind,
    InterestState,
)
from app.delegations.notices import queue_change_notices
from app.delegations.reminders import plan_reminders, queue_due_reminders
from app.outbox.delivery import deliver_due_mail
from app.outbox.headers import header_text
from app.outbox.mail import parse_smtp_url
from app.outbox.models import MailState, OutboxMail
from tests.calendar.test_moderation import make_submission
from tests.fixtures.builders import NOW
from tests.outbox.header_payloads import QP_BCC, STORABLE_PAYLOADS

pytestmark = pytest.mark.integration

SENDER = "vertskap@vertskap.test"
#: Payloads of printable characters only: what any input filter lets through.
PRINTABLE = {
    name: value for name, value in STORABLE_PAYLOADS.items() if value.isprintable()
}


def _expected_headers(mail: OutboxMail) -> list[str]:
    """Return the header names we set on `mail`, in the order build_message sets them."""
    unsubscribe = ["List-Unsubscribe", "List-Unsubscribe-Post"]
    return [
        "From",
        "To",
        "Subject",
        "Message-ID",
        "Date",
        "Auto-Submitted",
        *(unsubscribe if mail.list_unsubscribe else []),
        "MIME-Version",
        "Content-Type",
        "Content-Language",
    ]


def _expected_parts(mail: OutboxMail) -> list[str]:
    text = ["multipart/alternative", "text/plain", "text/html"]
    return ["multipart/mixed", *text, "text/calendar"] if mail.ics else text


def _deliver(smtp_server: Any, smtp_url: str, *, now: datetime) -> list[Message]:
    """Send everything due and return what the server received, in sending order."""
    report = deliver_due_mail(parse_smtp_url(smtp_url), sender=SENDER, now=now)
    assert report.failed == report.retrying == 0
    return list(smtp_server.outbox)


def _assert_only_ours(received: list[Message]) -> list[OutboxMail]:
    """Check each received message against its outbox row; return the rows in order."""
    rows = []
    for raw in received:
        mail = db.session.scalar(
            sa.select(OutboxMail).filter_by(message_id=raw["Message-ID"])
        )
        assert mail is not None
        assert mail.state is MailState.sent
        parsed = email.message_from_bytes(raw.as_bytes(), policy=email.policy.SMTP)
        assert raw.details.rcpttos == [mail.recipient]
        assert raw.keys() == _expected_headers(mail)
        assert [part.get_content_type() for part in raw.walk()] == _expected_parts(mail)
        assert (parsed["From"], parsed["To"]) == (SENDER, mail.recipient)
        assert str(parsed["Subject"]) == mail.subject
        assert mail.subject == header_text(mail.subject)  # nothing left to defuse
        rows.append(mail)
    return rows


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"DEFAULT_LOCALE": "en"}


@pytest.fixture
def _clock(time_machine: Any) -> None:
    """The public form reads the clock; pin it to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)


@pytest.mark.usefixtures("_clock")
@pytest.mark.parametrize("name", list(PRINTABLE))
def test_public_form_confirmation_mail_has_only_our_headers(
    name, client, smtp_server, smtp_url
):
    payload = PRINTABLE[name]

    response = client.post(
        "/submit",
        data={
            "title": payload,
            "description": "Frokost med partnere.",
            "start": "2026-12-10T08:00",
            "end": "2026-12-10T10:00",
            "location": "Britannia Hotel, Trondheim",
            "organiser_id": "0",
            "organiser_name": payload,
            "initiative_id": "0",
            "link": "",
            "submitter_name": payload,
            "submitter_email": "hanna@example.org",
            "website": "",
        },
    )
    received = _deliver(smtp_server, smtp_url, now=NOW)

    assert response.status_code == 302
    (submission,) = db.session.scalars(sa.select(Submission)).all()
    assert (submission.title, submission.submitter_name) == (payload, payload)
    (mail,) = _assert_only_ours(received)
    assert (mail.kind, mail.subject) == (
        "submission_confirm",
        header_text(f"Confirm your proposed event: {payload}"),
    )


@pytest.mark.usefixtures("_clock")
def test_the_issues_payload_reaches_the_subject_as_plain_text(
    client, smtp_server, smtp_url
):
    client.post(
        "/submit",
        data={
            "title": QP_BCC,
            "start": "2026-12-10T08:00",
            "end": "2026-12-10T10:00",
            "location": "Trondheim",
            "organiser_id": "0",
            "organiser_name": "NTNU",
            "initiative_id": "0",
            "submitter_name": "Hanna Hansen",
            "submitter_email": "hanna@example.org",
        },
    )

    (raw,) = _deliver(smtp_server, smtp_url, now=NOW)

    received = email.message_from_bytes(raw.as_bytes(), policy=email.policy.SMTP)
    assert raw.details.rcpttos == ["hanna@example.org"]
    assert received["Subject"] == (
        "Confirm your proposed event: = ?UTF-8?Q?Hei=0D=0ABcc:_x@example.org?="
    )
    assert (received["Bcc"], received["Reply-To"]) == (None, None)


@pytest.mark.parametrize("name", list(STORABLE_PAYLOADS))
def test_event_title_and_submitter_name_stay_out_of_the_headers(
    name, create_user, smtp_server, smtp_url
):
    payload = STORABLE_PAYLOADS[name]
    admin = create_user("admin@vertskap.example", role=Role.admin, name=payload)
    submission = make_submission(
        payload,
        submitter_name=payload,
        submitter_email="events@sintef.example",
        locale="en",
    )
    event = approve(
        submission.id, visibility=Visibility.public, actor_id=admin.id, now=NOW
    )
    queue_event_change_notices(event, changed=["time"], actor_id=admin.id, now=NOW)
    db.session.commit()

    received = _deliver(smtp_server, smtp_url, now=NOW)

    decided, changed = _assert_only_ours(received)
    assert [(m.kind, m.recipient, m.subject) for m in (decided, changed)] == [
        (
            "submission_decided",
            "events@sintef.example",
            header_text(f"Your event is published: {payload}"),
        ),
        (
            "event_changed",
            "events@sintef.example",
            "An event you are behind has changed",
        ),
    ]


#: Sunday 29 November 2026, 11:00 in Oslo: three days and an hour after NOW.
ARRIVAL = NOW + timedelta(days=3, hours=1)
#: When the host's one-day arrival reminder is due: 08:00 in Oslo the day before.
REMINDER_DUE = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", list(STORABLE_PAYLOADS))
def test_visit_title_and_user_names_stay_out_of_the_headers(
    name, create_user, create_delegation, smtp_server, smtp_url
):
    payload = STORABLE_PAYLOADS[name]
    host = create_user(
        "host@example.org", role=Role.mayors_office, locale="en", name=payload
    )
    member = create_user("member@example.org", locale="en", name=payload)
    visit = create_delegation(
        payload,
        arrival=ARRIVAL,
        visibility=Visibility.forum,
        host_contact_id=host.id,
        status=DelegationStatus.confirmed,
    )
    interest = Interest(
        delegation=visit, user=member, kind=InterestKind.meet_delegation
    )
    db.session.add(interest)
    db.session.flush()
    queue_change_notices(visit, changed=["time"], now=NOW)
    decide_interest(interest, state=InterestState.accepted, actor=host, now=NOW)
    plan_reminders(visit, now=NOW)
    db.session.commit()
    assert queue_due_reminders(now=REMINDER_DUE) == 1
    db.session.commit()

    received = _deliver(smtp_server, smtp_url, now=REMINDER_DUE)

    rows = _assert_only_ours(received)
    assert [(m.kind, m.recipient, m.subject) for m in rows] == [
        ("visit_changed", "host@example.org", "A visit you follow has changed"),
        (
            "interest_decided",
            "member@example.org",
            header_text(f"Your request is accepted: {payload}"),
        ),
        (
            "visit_reminder",
            "host@example.org",
            "Reminder: a visit arrives on 29 November, in 1 day",
        ),
    ]
