"""Change notices of events: the people behind an event hear when it moves or is cancelled."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.events import (
    EventData,
    cancel_event,
    cancel_occurrence,
    create_event,
    reinstate_event,
    restore_occurrence,
    update_event,
)
from app.calendar.models import EventStatus
from app.calendar.moderation import approve
from app.core.db import db
from app.core.timezones import utc_to_local
from app.core.visibility import Visibility
from app.outbox.models import OutboxMail
from tests.calendar.test_moderation import make_submission
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def _notices() -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.kind == "event_changed")
            .order_by(OutboxMail.recipient)
        )
    )


def _data(event, **changes) -> EventData:
    data = EventData(
        title=event.title,
        start_dt=event.start_dt,
        end_dt=event.end_dt,
        timezone=event.timezone,
        visibility=event.visibility,
        description=event.description,
        location=event.location,
        status=event.status,
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


@pytest.fixture
def partner_event(create_user):
    """An event proposed by a partner without an account, in English, approved by an admin."""
    admin = create_user("admin@vertskap.example", role=Role.admin)
    submission = make_submission(submitter_email="events@sintef.example", locale="en")
    event = approve(
        submission.id, visibility=Visibility.public, actor_id=admin.id, now=NOW
    )
    db.session.commit()
    return event, admin


def test_moving_an_event_tells_its_partner_with_the_new_time_and_an_ics(
    partner_event,
):
    event, admin = partner_event
    later = event.start_dt + timedelta(days=1)

    update_event(
        event,
        _data(event, start_dt=later, end_dt=later + timedelta(hours=2)),
        expected_version=event.version,
        actor_id=admin.id,
        now=NOW,
    )
    db.session.commit()

    (notice,) = _notices()  # the admin made the change and is not told
    assert notice.recipient == "events@sintef.example"
    assert notice.subject == "An event you are behind has changed"
    assert "New time: 9 Dec 2026, 18:00 – 9 Dec 2026, 20:00 (Europe/Oslo)" in (
        notice.body_text
    )
    assert notice.list_unsubscribe == ""  # no account: a notice about their own event
    (vevent,) = icalendar.Calendar.from_ical(notice.ics).walk("VEVENT")
    assert vevent["UID"] == event.uid
    assert vevent["SEQUENCE"] == event.sequence
    assert vevent.decoded("DTSTART").astimezone(later.tzinfo) == later


def test_an_edit_that_changes_neither_time_place_nor_status_tells_nobody(
    partner_event,
):
    event, admin = partner_event
    update_event(
        event,
        _data(event, title="A new title"),
        expected_version=event.version,
        actor_id=admin.id,
        now=NOW,
    )
    db.session.commit()
    assert _notices() == []


def test_cancelling_tells_the_creator_unless_they_turned_notices_off(create_user):
    creator = create_user("kari@trondheim.kommune.example", role=Role.mayors_office)
    colleague = create_user("ola@trondheim.kommune.example", role=Role.admin)
    event = create_event(
        EventData(
            title="Internasjonalt forum: møte",
            start_dt=NOW + timedelta(days=5),
            end_dt=NOW + timedelta(days=5, hours=2),
            timezone="Europe/Oslo",
            visibility=Visibility.forum,
        ),
        actor_id=creator.id,
        now=NOW,
    )
    db.session.commit()

    cancel_event(
        event,
        expected_version=event.version,
        actor_id=colleague.id,
        now=NOW,
        reason="Sykdom",
    )
    db.session.commit()
    (notice,) = _notices()
    assert notice.recipient == creator.email
    assert notice.subject == "Et arrangement du står bak, er endret"
    assert "er avlyst" in notice.body_text
    assert notice.list_unsubscribe.startswith("http://vertskap.test/unsubscribe/")
    assert "STATUS:CANCELLED" in notice.ics.decode()

    creator.wants_change_notices = False
    db.session.commit()
    reinstate_event(
        event,
        expected_version=event.version,
        actor_id=colleague.id,
        now=NOW,
        status=EventStatus.confirmed,
    )
    db.session.commit()
    assert len(_notices()) == 1


def test_cancelling_and_restoring_one_date_of_a_series_tells_its_partner(
    partner_event,
):
    event, admin = partner_event
    event.rrule = "FREQ=WEEKLY;COUNT=4"
    db.session.commit()
    sequence = event.sequence
    second = utc_to_local(event.start_dt, event.timezone).replace(
        tzinfo=None
    ) + timedelta(weeks=1)

    cancel_occurrence(
        event,
        second,
        expected_version=event.version,
        actor_id=admin.id,
        now=NOW,
        reason="Ferie",
    )
    db.session.commit()

    (notice,) = _notices()
    assert notice.recipient == "events@sintef.example"
    assert (
        "The date 15 Dec 2026, 18:00 (Europe/Oslo) is cancelled; "
        "the event's other dates stand." in notice.body_text
    )
    (vevent,) = icalendar.Calendar.from_ical(notice.ics).walk("VEVENT")
    assert vevent["SEQUENCE"] == event.sequence > sequence
    assert "EXDATE" in vevent

    restore_occurrence(
        event, second, expected_version=event.version, actor_id=admin.id, now=NOW
    )
    db.session.commit()
    restored = [n for n in _notices() if n.id != notice.id]
    assert len(restored) == 1
    assert (
        "The date 15 Dec 2026, 18:00 (Europe/Oslo) takes place after all."
        in restored[0].body_text
    )
