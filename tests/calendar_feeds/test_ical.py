"""The iCalendar builder: parsed back with icalendar and with recurring_ical_events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from calendar_feeds import FeedItem, build_calendar, clean_text

pytestmark = pytest.mark.unit


def _wall(*parts: int) -> datetime:
    """Return a naive local wall time (how occurrences and exception dates are named)."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


OSLO = ZoneInfo("Europe/Oslo")
CHANGED = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
PRODID = "-//Vertskap//Test//EN"


def _at(
    year: int, month: int, day: int, hour: int = 9, zone: ZoneInfo = OSLO
) -> datetime:
    return datetime(year, month, day, hour, tzinfo=zone).astimezone(UTC)


def _weekly_meeting(**changes: object) -> FeedItem:
    """A working group meeting every Tuesday at 09:00 in Oslo, from 13 October 2026."""
    item = FeedItem(
        uid="event-1@vertskap.test",
        title="India working group",
        start_dt=_at(2026, 10, 13),
        end_dt=_at(2026, 10, 13, 10),
        last_modified=CHANGED,
        created=datetime(2026, 8, 1, tzinfo=UTC),
        sequence=3,
        timezone="Europe/Oslo",
        location="NTNU Gløshaugen",
        url="https://example.org/india",
        categories=("Business", "Education and research"),
        rrule="FREQ=WEEKLY;BYDAY=TU",
        description="Agenda:\n- travel\n- budget",
    )
    return replace(item, **changes)  # type: ignore[arg-type]


def _festival() -> FeedItem:
    """Aqua Nor: four whole days, 16 to 19 August 2027."""
    return FeedItem(
        uid="event-2@vertskap.test",
        title="Aqua Nor",
        start_dt=_at(2027, 8, 16, 0),
        end_dt=_at(2027, 8, 20, 0),
        last_modified=CHANGED,
        is_all_day=True,
        timezone="Europe/Oslo",
        status="TENTATIVE",
    )


def _parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def _local_starts(data: bytes, first: date, last: date) -> list[datetime]:
    events = recurring_ical_events.of(_parse(data)).between(first, last)
    return sorted(event["DTSTART"].dt.astimezone(OSLO) for event in events)


def test_weekly_meeting_stays_at_nine_local_across_the_october_change() -> None:
    data = build_calendar([_weekly_meeting()], name="Forum", prodid=PRODID)

    starts = _local_starts(data, date(2026, 10, 13), date(2026, 11, 4))

    assert [(s.date(), s.time()) for s in starts] == [
        (date(2026, 10, 13), time(9)),
        (date(2026, 10, 20), time(9)),
        (date(2026, 10, 27), time(9)),
        (date(2026, 11, 3), time(9)),
    ]
    # The UTC instant moves by an hour when summer time ends on 25 October.
    assert [s.astimezone(UTC).hour for s in starts] == [7, 7, 8, 8]


def test_vevent_carries_every_property() -> None:
    data = build_calendar([_weekly_meeting()], name="Forum", prodid=PRODID)
    calendar = _parse(data)
    [event] = calendar.walk("VEVENT")

    assert (
        str(calendar["PRODID"]),
        str(calendar["VERSION"]),
        str(calendar["X-WR-CALNAME"]),
    ) == (PRODID, "2.0", "Forum")
    assert {
        "uid": str(event["UID"]),
        "summary": str(event["SUMMARY"]),
        "sequence": int(event["SEQUENCE"]),
        "status": str(event["STATUS"]),
        "dtstamp": event["DTSTAMP"].dt,
        "last_modified": event["LAST-MODIFIED"].dt,
        "created": event["CREATED"].dt,
        "dtstart": event["DTSTART"].dt,
        "tzid": event["DTSTART"].params["TZID"],
        "location": str(event["LOCATION"]),
        "url": str(event["URL"]),
        "categories": [str(c) for c in event["CATEGORIES"].cats],
        "description": str(event["DESCRIPTION"]),
        "rrule": event["RRULE"].to_ical().decode(),
    } == {
        "uid": "event-1@vertskap.test",
        "summary": "India working group",
        "sequence": 3,
        "status": "CONFIRMED",
        "dtstamp": CHANGED,
        "last_modified": CHANGED,
        "created": datetime(2026, 8, 1, tzinfo=UTC),
        "dtstart": datetime(2026, 10, 13, 9, tzinfo=OSLO),
        "tzid": "Europe/Oslo",
        "location": "NTNU Gløshaugen",
        "url": "https://example.org/india",
        "categories": ["Business", "Education and research"],
        "description": "Agenda:\n- travel\n- budget",
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
    }


def test_vtimezone_is_present_for_every_zone_used() -> None:
    mumbai = _weekly_meeting(
        uid="event-3@vertskap.test",
        timezone="Asia/Kolkata",
        rrule="",
    )

    calendar = _parse(
        build_calendar([_weekly_meeting(), mumbai], name="F", prodid=PRODID)
    )

    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [
        "Asia/Kolkata",
        "Europe/Oslo",
    ]
    assert calendar.get_missing_tzids() == set()


def test_all_day_multi_day_event_uses_value_date() -> None:
    data = build_calendar([_festival()], name="F", prodid=PRODID)
    [event] = _parse(data).walk("VEVENT")

    assert (event["DTSTART"].dt, event["DTEND"].dt, str(event["STATUS"])) == (
        date(2027, 8, 16),
        date(2027, 8, 20),
        "TENTATIVE",
    )
    assert b"DTSTART;VALUE=DATE:20270816" in data
    assert _parse(data).walk("VTIMEZONE") == []


def test_exdates_cancel_one_meeting_in_every_client() -> None:
    item = _weekly_meeting(exdates=(_wall(2026, 10, 27, 9, 0),))
    data = build_calendar([item], name="F", prodid=PRODID)

    starts = _local_starts(data, date(2026, 10, 13), date(2026, 11, 4))

    assert [s.date() for s in starts] == [
        date(2026, 10, 13),
        date(2026, 10, 20),
        date(2026, 11, 3),
    ]
    assert b"EXDATE;TZID=Europe/Oslo:20261027T090000" in data


def test_naive_local_until_is_written_in_utc_and_keeps_the_last_day() -> None:
    item = _weekly_meeting(rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20261027T235959")
    data = build_calendar([item], name="F", prodid=PRODID)

    starts = _local_starts(data, date(2026, 10, 1), date(2026, 12, 31))

    assert b"UNTIL=20261027T225959Z" in data
    assert [s.date() for s in starts][-1] == date(2026, 10, 27)
    assert len(starts) == 3


def test_all_day_until_is_a_date() -> None:
    item = replace(_festival(), rrule="FREQ=MONTHLY;UNTIL=20271231T235959")

    data = build_calendar([item], name="F", prodid=PRODID)
    events = recurring_ical_events.of(_parse(data)).between(
        date(2027, 8, 1), date(2028, 12, 31)
    )

    assert b"RRULE:FREQ=MONTHLY;UNTIL=20271231\r\n" in data
    assert sorted(e["DTSTART"].dt for e in events) == [
        date(2027, month, 16) for month in (8, 9, 10, 11, 12)
    ]


def test_control_characters_are_stripped_and_the_file_parses() -> None:
    dirty = "Mee\x00ting\x0b with\x1b[31m the\x07 mayor\x7f"
    item = _weekly_meeting(
        title=dirty,
        location="City\x0cHall",
        description="Line one\r\nLine\x00 two\tend",
        url="https://example.org/\x00x",
        categories=("Cul\x1bture",),
    )

    data = build_calendar([item], name="Forum\x00", prodid=PRODID)
    [event] = _parse(data).walk("VEVENT")

    assert [bytes([c]) for c in data if c < 32 and c not in (9, 10, 13)] == []
    assert (
        str(event["SUMMARY"]),
        str(event["LOCATION"]),
        str(event["DESCRIPTION"]),
        str(event["URL"]),
        [str(c) for c in event["CATEGORIES"].cats],
    ) == (
        "Meeting with[31m the mayor",
        "CityHall",
        "Line one\nLine two\tend",
        "https://example.org/x",
        ["Culture"],
    )


def test_line_breaks_in_one_line_fields_become_spaces() -> None:
    assert clean_text("Forum\r\nmeeting\n\tat noon") == "Forum meeting at noon"


def test_same_items_give_the_same_bytes() -> None:
    items = [_weekly_meeting(), _festival()]

    assert build_calendar(items, name="F", prodid=PRODID) == build_calendar(
        list(items), name="F", prodid=PRODID
    )


def test_cancelled_item_is_published_with_its_sequence() -> None:
    data = build_calendar(
        [_weekly_meeting(status="CANCELLED", sequence=4)], name="F", prodid=PRODID
    )
    [event] = _parse(data).walk("VEVENT")

    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 4)


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="STATUS"):
        build_calendar([_weekly_meeting(status="MAYBE")], name="F", prodid=PRODID)


def test_ambiguous_autumn_time_is_written_in_utc_not_an_hour_early() -> None:
    # 00:30 UTC on 25 October 2026 is the second 02:30 in Oslo.
    second_pass = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    item = _weekly_meeting(
        rrule="", start_dt=second_pass, end_dt=second_pass + timedelta(hours=1)
    )

    [event] = _parse(build_calendar([item], name="F", prodid=PRODID)).walk("VEVENT")

    assert event["DTSTART"].dt == second_pass


def test_empty_calendar_is_valid() -> None:
    calendar = _parse(build_calendar([], name="Empty", prodid=PRODID))

    assert (calendar.walk("VEVENT"), str(calendar["X-WR-CALNAME"])) == ([], "Empty")
