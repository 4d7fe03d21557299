"""Serialised VEVENTs and the calendar assembled from them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from calendar_feeds import (
    FeedItem,
    ZoneSpan,
    assemble_calendar,
    build_calendar,
    build_event,
    clean_text,
    item_zone_span,
    serialize_event,
    vtimezone,
    zone_spans,
)
from calendar_feeds.zones import timezone_component
from tests.calendar_feeds.fixtures import (
    ALL_DAY,
    KOLKATA_VISIT,
    LONG_EMOJI,
    NAME,
    NORWEGIAN,
    PRODID,
    TRICKY_ITEMS,
    UPDATED,
    WEEKLY,
    tricky_calendar,
)

pytestmark = pytest.mark.unit

HOUR = timedelta(hours=1)


def _icalendar_whole(refresh: timedelta | None) -> bytes:
    """Build the tricky calendar as one icalendar object, the slow way."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", icalendar.vText(NAME))
    calendar.add("name", icalendar.vText(NAME))
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(refresh))
    for zone, first, last in zone_spans(TRICKY_ITEMS):
        calendar.add_component(timezone_component(zone, first.year, last.year))
    for item in TRICKY_ITEMS:
        calendar.add_component(build_event(item))
    return calendar.to_ical()


@pytest.mark.parametrize("refresh", [HOUR, None], ids=["refresh", "no_refresh"])
def test_build_calendar_equals_the_icalendar_built_whole(
    refresh: timedelta | None,
) -> None:
    assert tricky_calendar(refresh=refresh) == _icalendar_whole(refresh)


def test_build_calendar_equals_assembling_serialised_events() -> None:
    assembled = assemble_calendar(
        [serialize_event(item) for item in TRICKY_ITEMS],
        zone_spans(TRICKY_ITEMS),
        name=NAME,
        prodid=PRODID,
        refresh=HOUR,
    )

    assert assembled == tricky_calendar(refresh=HOUR)


def test_per_item_spans_assemble_the_same_calendar() -> None:
    """A caller may keep each item's span beside its VEVENT bytes."""
    spans = [item_zone_span(item) for item in TRICKY_ITEMS]

    assembled = assemble_calendar(
        [serialize_event(item) for item in TRICKY_ITEMS],
        [span for span in spans if span is not None],
        name=NAME,
        prodid=PRODID,
        refresh=HOUR,
    )

    assert assembled == tricky_calendar(refresh=HOUR)
    assert spans.count(None) == 1  # the all-day item


def test_serialize_event_is_one_vevent_with_crlf_line_ends() -> None:
    data = serialize_event(NORWEGIAN)

    assert (data[:14], data[-12:]) == (b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert (data.count(b"BEGIN:"), data.count(b"END:")) == (1, 1)


@pytest.mark.parametrize("item", [NORWEGIAN, LONG_EMOJI], ids=["norwegian", "emoji"])
def test_lines_fold_at_75_octets_without_splitting_a_character(
    item: FeedItem,
) -> None:
    data = serialize_event(item)
    lines = data.split(b"\r\n")[:-1]

    too_long = [line for line in lines if len(line) > 75]
    # Each physical line must decode on its own: no UTF-8 sequence is cut.
    undecodable = []
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            undecodable.append(line)

    assert (too_long, undecodable) == ([], [])
    assert sum(line.startswith(b" ") for line in lines) > 3


def test_long_emoji_description_unfolds_to_the_same_text() -> None:
    [event] = icalendar.Calendar.from_ical(
        build_calendar([LONG_EMOJI], name=NAME, prodid=PRODID)
    ).walk("VEVENT")

    assert (len(LONG_EMOJI.description), str(event["DESCRIPTION"])) == (
        5000,
        LONG_EMOJI.description,
    )


def test_calendar_header_has_method_name_and_refresh() -> None:
    data = build_calendar([], name="Vertskap, offentlig", prodid=PRODID, refresh=HOUR)

    assert data == (
        b"BEGIN:VCALENDAR\r\n"
        b"VERSION:2.0\r\n"
        b"PRODID:-//Vertskap//Tricky fixture//EN\r\n"
        b"CALSCALE:GREGORIAN\r\n"
        b"METHOD:PUBLISH\r\n"
        b"NAME:Vertskap\\, offentlig\r\n"
        b"X-WR-CALNAME:Vertskap\\, offentlig\r\n"
        b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
        b"X-PUBLISHED-TTL:PT1H\r\n"
        b"END:VCALENDAR\r\n"
    )


def test_calendar_without_refresh_has_no_refresh_lines() -> None:
    data = build_calendar([], name="F", prodid=PRODID)

    assert (b"REFRESH-INTERVAL" in data, b"X-PUBLISHED-TTL" in data) == (False, False)


def test_refresh_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        build_calendar([], name="F", prodid=PRODID, refresh=timedelta(0))


def test_assemble_sorts_zones_merges_spans_and_keeps_event_order() -> None:
    events = [serialize_event(UPDATED), serialize_event(KOLKATA_VISIT)]
    zones = [
        ZoneSpan("Europe/Oslo", date(2027, 5, 1), date(2027, 6, 1)),
        ZoneSpan("Asia/Kolkata", date(2026, 11, 16), date(2026, 11, 16)),
        ZoneSpan("Europe/Oslo", date(2026, 4, 15), date(2026, 4, 15)),
    ]

    data = assemble_calendar(events, zones, name="F", prodid=PRODID, refresh=None)
    calendar = icalendar.Calendar.from_ical(data)

    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [
        "Asia/Kolkata",
        "Europe/Oslo",
    ]
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        UPDATED.uid,
        KOLKATA_VISIT.uid,
    ]
    # The merged Oslo span covers 2026 and 2027: four changes.
    oslo = vtimezone("Europe/Oslo", date(2026, 4, 15), date(2027, 6, 1))
    assert oslo in data
    assert [line for line in oslo.split(b"\r\n") if line[:7] == b"DTSTART"] == [
        b"DTSTART:20260101T000000",
        b"DTSTART:20260329T020000",
        b"DTSTART:20261025T030000",
        b"DTSTART:20270328T020000",
        b"DTSTART:20271031T030000",
    ]


def test_same_input_gives_the_same_bytes() -> None:
    assert tricky_calendar() == tricky_calendar()
    assert build_calendar(iter(TRICKY_ITEMS), name=NAME, prodid=PRODID) == (
        build_calendar(list(TRICKY_ITEMS), name=NAME, prodid=PRODID)
    )


def test_editing_one_item_changes_only_its_vevent() -> None:
    edited = replace(
        UPDATED,
        title="Nordisk plattform: styremøte (flyttet)",
        sequence=4,
        last_modified=datetime(2026, 4, 2, 10, 0, tzinfo=UTC),
    )
    before = [serialize_event(item) for item in TRICKY_ITEMS]
    after = [
        serialize_event(edited if item is UPDATED else item) for item in TRICKY_ITEMS
    ]

    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]

    assert changed == [TRICKY_ITEMS.index(UPDATED)]
    [event] = icalendar.Calendar.from_ical(
        build_calendar([edited], name=NAME, prodid=PRODID)
    ).walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"]), event["LAST-MODIFIED"].dt) == (
        UPDATED.uid,
        4,
        datetime(2026, 4, 2, 10, 0, tzinfo=UTC),
    )


def test_all_day_and_weekly_items_serialise_their_dates() -> None:
    all_day = serialize_event(ALL_DAY)
    weekly = serialize_event(WEEKLY)

    assert b"DTSTART;VALUE=DATE:20260516\r\n" in all_day
    assert b"DTEND;VALUE=DATE:20260519\r\n" in all_day
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20261110T225959Z;BYDAY=TU\r\n" in weekly
    assert b"EXDATE;TZID=Europe/Oslo:20260331T090000\r\n" in weekly


@pytest.mark.parametrize(
    ("dirty", "multiline", "clean"),
    [
        ("Møte\x85med\u2028ordføreren", False, "Møte med ordføreren"),
        ("Linje 1\u2029Linje 2\r\nLinje 3", True, "Linje 1\nLinje 2\nLinje 3"),
        ("C1 \x80\x9fkontroll", False, "C1 kontroll"),
        ("Lone \ud800surrogate", False, "Lone surrogate"),
        ("Ikke\ufffe\uffff tegn", False, "Ikke tegn"),
    ],
)
def test_clean_text_removes_control_characters(
    dirty: str, multiline: bool, clean: str
) -> None:
    assert clean_text(dirty, multiline=multiline) == clean


GOLDEN = Path(__file__).with_name("golden") / "tricky.ics"


def test_tricky_calendar_matches_its_golden_file() -> None:
    """Feed bytes (and so ETags) change only on purpose, an icalendar upgrade included.

    After a deliberate change, write the file anew with
    `python -c "from pathlib import Path; from tests.calendar_feeds.fixtures import tricky_calendar; Path('tests/calendar_feeds/golden/tricky.ics').write_bytes(tricky_calendar())"`
    and read the diff.
    """
    assert tricky_calendar() == GOLDEN.read_bytes()
