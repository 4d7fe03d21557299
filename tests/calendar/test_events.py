"""Event services: create, update, cancel, reinstate, one occurrence; audit and sequence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.calendar.events import (
    EventData,
    EventError,
    cancel_event,
    cancel_occurrence,
    create_event,
    is_occurrence,
    reinstate_event,
    restore_occurrence,
    update_event,
)
from app.calendar.ical import event_feed_item, event_ics
from app.calendar.models import Event, EventStatus
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.directory.models import Theme
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def _wall(*parts: int) -> datetime:
    """Return a naive local wall time (how occurrences and exception dates are named)."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday 09:00 in Oslo


def _data(**changes: Any) -> EventData:
    values: dict[str, Any] = {
        "title": "India working group",
        "start_dt": START,
        "end_dt": START + timedelta(hours=1),
        "timezone": "Europe/Oslo",
        "visibility": Visibility.forum,
        "location": "NTNU Gløshaugen",
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
    }
    values.update(changes)
    return EventData(**values)


def _audit(event: Event) -> list[tuple[str, dict[str, Any], str]]:
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .filter_by(object_type="events", object_id=event.id)
        .order_by(AuditEntry.id)
    )
    return [(e.action, e.changes, e.comment) for e in entries]


@pytest.fixture
def themes(app: Any) -> list[Theme]:
    rows = [
        Theme(slug="energi", name_nb="Energi", name_en="Energy"),
        Theme(slug="kultur", name_nb="Kultur", name_en="Culture"),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


@pytest.fixture
def meeting(app: Any, create_user: Any) -> Event:
    event = create_event(_data(), actor_id=None, now=NOW)
    db.session.commit()
    return event


def test_create_event_sets_every_field_and_audits(
    app: Any, themes: list[Theme]
) -> None:
    event = create_event(
        _data(theme_ids=[themes[1].id], url="https://example.org"),
        actor_id=None,
        now=NOW,
    )
    db.session.commit()

    assert (
        event.title,
        event.visibility,
        event.status,
        [t.slug for t in event.themes],
        event.series_end_dt,
        event.uid.startswith("event-"),
    ) == (
        "India working group",
        Visibility.forum,
        EventStatus.confirmed,
        ["kultur"],
        None,
        True,
    )
    assert _audit(event) == [("create", {}, "")]


def test_update_event_audits_only_the_changed_fields_and_raises_sequence(
    meeting: Event, themes: list[Theme]
) -> None:
    later = START + timedelta(hours=1)

    changes = update_event(
        meeting,
        _data(
            start_dt=later, end_dt=later + timedelta(hours=1), theme_ids=[themes[0].id]
        ),
        expected_version=meeting.version,
        actor_id=None,
        now=NOW,
    )
    db.session.commit()

    assert changes == {
        "start_dt": [START.isoformat(), later.isoformat()],
        "end_dt": [
            (START + timedelta(hours=1)).isoformat(),
            (later + timedelta(hours=1)).isoformat(),
        ],
        "themes": [[], ["energi"]],
    }
    assert (meeting.sequence, _audit(meeting)[-1][0]) == (1, "update")


def test_update_event_with_nothing_changed_writes_no_audit(meeting: Event) -> None:
    changes = update_event(
        meeting, _data(), expected_version=meeting.version, actor_id=None, now=NOW
    )
    db.session.commit()

    assert (changes, len(_audit(meeting)), meeting.sequence) == ({}, 1, 0)


def test_title_change_does_not_raise_sequence(meeting: Event) -> None:
    update_event(
        meeting,
        _data(title="India group"),
        expected_version=meeting.version,
        actor_id=None,
        now=NOW,
    )
    db.session.commit()

    assert (meeting.title, meeting.sequence) == ("India group", 0)


def test_cancel_event_keeps_it_and_records_the_reason(meeting: Event) -> None:
    cancel_event(
        meeting,
        expected_version=meeting.version,
        actor_id=None,
        now=NOW,
        reason="Room not free",
    )
    db.session.commit()

    assert (meeting.status, meeting.sequence, db.session.get(Event, meeting.id)) == (
        EventStatus.cancelled,
        1,
        meeting,
    )
    assert _audit(meeting)[-1] == (
        "cancel",
        {"status": ["confirmed", "cancelled"]},
        "Room not free",
    )


def test_cancel_event_twice_is_refused(meeting: Event) -> None:
    cancel_event(meeting, expected_version=meeting.version, actor_id=None, now=NOW)

    with pytest.raises(EventError, match="already cancelled"):
        cancel_event(meeting, expected_version=meeting.version, actor_id=None, now=NOW)


def test_edit_keeps_a_cancelled_event_cancelled(meeting: Event) -> None:
    cancel_event(meeting, expected_version=meeting.version, actor_id=None, now=NOW)

    update_event(
        meeting,
        _data(status=EventStatus.tentative),
        expected_version=meeting.version,
        actor_id=None,
        now=NOW,
    )

    assert meeting.status is EventStatus.cancelled


def test_reinstate_event(meeting: Event) -> None:
    cancel_event(meeting, expected_version=meeting.version, actor_id=None, now=NOW)
    db.session.commit()

    reinstate_event(
        meeting,
        expected_version=meeting.version,
        actor_id=None,
        now=NOW,
        status=EventStatus.tentative,
    )
    db.session.commit()

    assert (meeting.status, meeting.sequence) == (EventStatus.tentative, 2)
    assert _audit(meeting)[-1][:2] == (
        "reinstate",
        {"status": ["cancelled", "tentative"]},
    )


def test_reinstate_needs_a_cancelled_event(meeting: Event) -> None:
    with pytest.raises(EventError):
        reinstate_event(
            meeting, expected_version=meeting.version, actor_id=None, now=NOW
        )


def test_cancel_occurrence_adds_an_exdate_and_restore_removes_it(
    meeting: Event,
) -> None:
    cancel_occurrence(
        meeting,
        _wall(2026, 12, 8, 9, 0),
        expected_version=meeting.version,
        actor_id=None,
        now=NOW,
    )
    db.session.commit()
    after_cancel = (meeting.exdates, meeting.sequence)

    restore_occurrence(
        meeting,
        _wall(2026, 12, 8, 9, 0),
        expected_version=meeting.version,
        actor_id=None,
        now=NOW,
    )
    db.session.commit()

    assert after_cancel == ("2026-12-08T09:00", 1)
    assert (meeting.exdates, meeting.sequence) == ("", 2)
    assert [entry[0] for entry in _audit(meeting)] == [
        "create",
        "cancel_occurrence",
        "restore_occurrence",
    ]


@pytest.mark.parametrize(
    "local_start",
    [
        _wall(2026, 12, 9, 9, 0),
        _wall(2026, 12, 8, 10, 0),
        _wall(2026, 11, 24, 9),
    ],
    ids=["wrong_day", "wrong_time", "before_the_first"],
)
def test_cancel_occurrence_refuses_a_time_outside_the_series(
    meeting: Event, local_start: datetime
) -> None:
    with pytest.raises(EventError, match="not an occurrence"):
        cancel_occurrence(
            meeting,
            local_start,
            expected_version=meeting.version,
            actor_id=None,
            now=NOW,
        )

    assert meeting.exdates == ""


def test_cancel_occurrence_needs_a_recurring_event(app: Any) -> None:
    event = create_event(_data(rrule=""), actor_id=None, now=NOW)

    with pytest.raises(EventError, match="recurring"):
        cancel_occurrence(
            event,
            _wall(2026, 12, 1, 9, 0),
            expected_version=event.version,
            actor_id=None,
            now=NOW,
        )


def test_is_occurrence_follows_the_local_clock_across_dst(app: Any) -> None:
    october = datetime(2026, 10, 13, 7, 0, tzinfo=UTC)
    event = create_event(
        _data(start_dt=october, end_dt=october + timedelta(hours=1)),
        actor_id=None,
        now=NOW,
    )

    assert (
        is_occurrence(event, _wall(2026, 10, 27, 9, 0)),
        is_occurrence(event, _wall(2026, 10, 27, 8, 0)),
    ) == (True, False)


def test_feed_item_of_an_event(meeting: Event, themes: list[Theme]) -> None:
    meeting.themes = [themes[0]]
    meeting.description = "**Bring** the [agenda](https://example.org)"
    meeting.url = "javascript:alert(1)"
    meeting.exdates = "2026-12-15T09:00"
    db.session.commit()

    item = event_feed_item(meeting, language="nb")

    assert (
        item.uid,
        item.title,
        item.description,
        item.url,
        item.status,
        item.categories,
        item.rrule,
        item.exdates,
        item.sequence,
        item.last_modified,
    ) == (
        meeting.uid,
        "India working group",
        "Bring the agenda",
        "",
        "CONFIRMED",
        ("Energi",),
        "FREQ=WEEKLY;BYDAY=TU",
        (_wall(2026, 12, 15, 9, 0),),
        1,
        meeting.updated_dt,
    )


def test_event_ics_is_stable_between_changes(meeting: Event) -> None:
    first = event_ics(meeting, language="en")

    assert event_ics(meeting, language="en") == first
    assert b"RRULE:FREQ=WEEKLY;BYDAY=TU" in first
