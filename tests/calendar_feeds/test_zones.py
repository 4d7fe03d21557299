"""Which zones a feed needs, and VTIMEZONEs whose rules agree with zoneinfo."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from calendar_feeds import FeedItem, ZoneSpan, serialize_event, vtimezone, zone_spans
from calendar_feeds.ical import writes_tzid
from tests.calendar_feeds.fixtures import (
    ALL_DAY,
    AUTUMN_FOLD,
    KOLKATA_VISIT,
    TRICKY_ITEMS,
    WEEKLY,
)

pytestmark = pytest.mark.unit

_TZID = re.compile(rb"TZID=([^:;]+)")


def test_zone_spans_of_the_tricky_items() -> None:
    assert zone_spans(TRICKY_ITEMS) == [
        ZoneSpan("Asia/Kolkata", date(2026, 11, 16), date(2026, 11, 16)),
        # From the first monthly meeting, ten years past its start (no end).
        ZoneSpan("Europe/Oslo", date(2026, 1, 5), date(2036, 12, 31)),
    ]


@pytest.mark.parametrize("item", TRICKY_ITEMS, ids=lambda item: item.uid)
def test_zone_is_needed_exactly_when_the_vevent_names_it(item: FeedItem) -> None:
    named = {match.decode() for match in _TZID.findall(serialize_event(item))}

    assert named == ({item.timezone} if writes_tzid(item) else set())


@pytest.mark.parametrize(
    "item",
    [
        ALL_DAY,
        replace(KOLKATA_VISIT, timezone="UTC"),
        replace(KOLKATA_VISIT, timezone="Etc/UTC"),
        # 02:10 to 02:50 on the second pass of 25 October: both written in UTC.
        replace(
            AUTUMN_FOLD,
            start_dt=datetime(2026, 10, 25, 1, 10, tzinfo=UTC),
            end_dt=datetime(2026, 10, 25, 1, 50, tzinfo=UTC),
        ),
    ],
    ids=["all_day", "utc", "etc_utc", "inside_the_fold"],
)
def test_items_without_tzid_need_no_vtimezone(item: FeedItem) -> None:
    assert zone_spans([item]) == []


def test_series_with_until_is_covered_to_its_last_day() -> None:
    assert zone_spans([WEEKLY]) == [
        ZoneSpan("Europe/Oslo", date(2026, 3, 17), date(2026, 11, 11))
    ]


def test_endless_series_is_covered_ten_years_past_its_start() -> None:
    endless = replace(WEEKLY, rrule="FREQ=WEEKLY;BYDAY=TU")

    assert zone_spans([endless]) == [
        ZoneSpan("Europe/Oslo", date(2026, 3, 17), date(2036, 12, 31))
    ]


def test_counted_series_is_covered_to_its_last_occurrence() -> None:
    counted = replace(WEEKLY, rrule="FREQ=WEEKLY;COUNT=3", exdates=())

    assert zone_spans([counted]) == [
        ZoneSpan("Europe/Oslo", date(2026, 3, 17), date(2026, 3, 31))
    ]


def test_vtimezone_is_cached_per_zone_and_years() -> None:
    first = vtimezone("Europe/Oslo", date(2026, 1, 5), date(2026, 12, 1))

    assert vtimezone("Europe/Oslo", date(2026, 6, 1), date(2026, 7, 1)) is first
    assert vtimezone("Europe/Oslo", date(2026, 6, 1), date(2027, 7, 1)) is not first


def test_spring_onset_is_written_in_the_time_before_the_change() -> None:
    """RFC 5545 section 3.6.5: DTSTART is local time in TZOFFSETFROM (02:00, not 03:00)."""
    data = vtimezone("Europe/Oslo", date(2026, 1, 1), date(2026, 12, 31))

    assert data == (
        b"BEGIN:VTIMEZONE\r\n"
        b"TZID:Europe/Oslo\r\n"
        b"BEGIN:STANDARD\r\n"
        b"DTSTART:20260101T000000\r\n"
        b"TZNAME:CET\r\n"
        b"TZOFFSETFROM:+0100\r\n"
        b"TZOFFSETTO:+0100\r\n"
        b"END:STANDARD\r\n"
        b"BEGIN:DAYLIGHT\r\n"
        b"DTSTART:20260329T020000\r\n"
        b"TZNAME:CEST\r\n"
        b"TZOFFSETFROM:+0100\r\n"
        b"TZOFFSETTO:+0200\r\n"
        b"END:DAYLIGHT\r\n"
        b"BEGIN:STANDARD\r\n"
        b"DTSTART:20261025T030000\r\n"
        b"TZNAME:CET\r\n"
        b"TZOFFSETFROM:+0200\r\n"
        b"TZOFFSETTO:+0100\r\n"
        b"END:STANDARD\r\n"
        b"END:VTIMEZONE\r\n"
    )


def _onsets(data: bytes) -> list[tuple[datetime, timedelta]]:
    """Return (UTC onset, offset after) of every observance, read as RFC 5545 says."""
    [component] = icalendar.Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\n" + data + b"END:VCALENDAR\r\n"
    ).walk("VTIMEZONE")
    onsets = []
    for observance in component.walk():
        if observance.name not in ("STANDARD", "DAYLIGHT"):
            continue
        offset_from = observance["TZOFFSETFROM"].td
        offset_to = observance["TZOFFSETTO"].td
        rdates = observance.get("RDATE", [])
        rdates = rdates if isinstance(rdates, list) else [rdates]
        starts = [observance["DTSTART"].dt] + [
            value.dt for rdate in rdates for value in rdate.dts
        ]
        onsets += [
            ((start - offset_from).replace(tzinfo=UTC), offset_to) for start in starts
        ]
    return sorted(onsets)


@pytest.mark.parametrize(
    ("zone", "first_year", "last_year"),
    [
        ("Europe/Oslo", 2026, 2028),
        ("Asia/Kolkata", 2026, 2026),
        ("America/Sao_Paulo", 2017, 2020),  # changes at midnight, then none at all
        ("Australia/Lord_Howe", 2026, 2027),  # a half-hour change
        ("America/St_Johns", 2026, 2026),
        ("Pacific/Apia", 2011, 2012),  # skipped 30 December 2011
    ],
)
def test_vtimezone_offsets_agree_with_zoneinfo_every_hour(
    zone: str, first_year: int, last_year: int
) -> None:
    onsets = _onsets(vtimezone(zone, date(first_year, 1, 1), date(last_year, 1, 1)))
    tzinfo = ZoneInfo(zone)
    instant = datetime(first_year, 1, 1, 12, tzinfo=UTC)
    stop = datetime(last_year, 12, 31, tzinfo=UTC)

    wrong = []
    while instant < stop:
        written = [offset for onset, offset in onsets if onset <= instant][-1]
        if written != instant.astimezone(tzinfo).utcoffset():
            wrong.append(instant)
        instant += timedelta(minutes=30)

    assert wrong == []


def test_vtimezone_writes_every_change_as_its_own_observance() -> None:
    """ical.js 2 skips DTSTART of an observance with RDATE, and reads one RDATE value."""
    data = vtimezone("Europe/Oslo", date(2026, 1, 1), date(2036, 12, 31))

    assert (b"RDATE" in data, data.count(b"BEGIN:DAYLIGHT")) == (False, 11)
