"""The demo calendar's events: the forum's regular meetings, a cancellation, a festival, submissions."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from app.calendar.models import Event, EventStatus, Submission, SubmissionState
from app.calendar.recurrence import occurrences, parse_exdates
from app.core.db import db
from app.core.timezones import utc_to_local
from app.demo.services import load_demo_data
from calendar_feeds import make_uid
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def _event(slug: str) -> Event:
    uid = make_uid("event", f"demo-{slug}", current_app.config["UID_DOMAIN"])
    return db.session.execute(sa.select(Event).filter_by(uid=uid)).scalar_one()


def _local_starts(event: Event) -> list[datetime]:
    found = occurrences(
        start_dt=event.start_dt,
        end_dt=event.end_dt,
        timezone=event.timezone,
        rule=event.rrule,
        exdates=event.exdates,
        window_start=event.start_dt,
        window_end=event.start_dt + timedelta(days=400),
    )
    return [utc_to_local(o.start_dt, event.timezone) for o in found]


def test_forum_meets_monthly_on_the_same_weekday_at_two(app):
    load_demo_data(now=NOW)

    forum = _event("forum-mote-1")
    starts = _local_starts(forum)

    assert forum.rrule.startswith("FREQ=MONTHLY;BYDAY=")
    assert len(starts) == 10
    assert {(s.weekday(), s.time()) for s in starts} == {
        (starts[0].weekday(), time(14))
    }
    assert {(s.day - 1) // 7 for s in starts} == {(starts[0].day - 1) // 7}


def test_india_working_group_is_weekly_with_one_cancelled_meeting(app):
    load_demo_data(now=NOW)

    group = _event("india-arbeidsgruppe")
    starts = _local_starts(group)
    [cancelled] = parse_exdates(group.exdates)

    assert group.rrule.startswith("FREQ=WEEKLY;BYDAY=")
    assert len(starts) == 7  # eight meetings, one cancelled
    assert cancelled.replace(tzinfo=None) not in [
        s.replace(tzinfo=None) for s in starts
    ]
    assert cancelled > utc_to_local(NOW, "Europe/Oslo").replace(tzinfo=None)


def test_demo_has_a_cancelled_event_and_a_multi_day_festival(app):
    load_demo_data(now=NOW)

    seminar = _event("kina-seminar-avlyst")
    festival = _event("olavsfestdagene")

    assert (seminar.status, seminar.start_dt > NOW) == (EventStatus.cancelled, True)
    assert (
        festival.is_all_day,
        festival.end_dt - festival.start_dt >= timedelta(days=5),
    ) == (
        True,
        True,
    )
    assert sorted(t.slug for t in festival.themes) == ["kultur", "reiseliv"]


def test_demo_submissions_fill_the_moderation_states(app):
    load_demo_data(now=NOW)

    rows = db.session.scalars(sa.select(Submission).order_by(Submission.id)).all()
    by_state = {row.state: row for row in rows}

    assert sorted(by_state) == sorted(
        [
            SubmissionState.pending,
            SubmissionState.unconfirmed,
            SubmissionState.rejected,
            SubmissionState.approved,
        ]
    )
    assert by_state[SubmissionState.pending].email_confirmed_dt is not None
    assert by_state[SubmissionState.unconfirmed].email_confirmed_dt is None
    assert by_state[SubmissionState.rejected].reject_reason != ""
    assert by_state[SubmissionState.approved].event == _event("eksportseminar-mumbai")
