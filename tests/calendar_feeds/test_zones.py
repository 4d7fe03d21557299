"""Which zones a feed needs, and VTIMEZONEs whose rules agree with zoneinfo."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from calendar_feeds import FeedItem, ZoneSpan, serialize_event, vtimezone, zone_spans
from calendar_feeds.ical import writes_tzid
from calendar_feeds.zone_rules import _posix_rules, zone_rules
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
        # From the first monthly meeting, without an end.
        ZoneSpan("Europe/Oslo", date(2026, 1, 5), date.max),
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


def test_endless_series_is_covered_without_an_end() -> None:
    endless = replace(WEEKLY, rrule="FREQ=WEEKLY;BYDAY=TU")

    assert zone_spans([endless]) == [
        ZoneSpan("Europe/Oslo", date(2026, 3, 17), date.max)
    ]


def test_endless_series_widens_the_span_of_its_zone() -> None:
    endless = replace(WEEKLY, uid="endless@vertskap.test", rrule="FREQ=WEEKLY;BYDAY=TU")

    assert zone_spans([replace(WEEKLY, exdates=()), endless]) == [
        ZoneSpan("Europe/Oslo", date(2026, 3, 17), date.max)
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


def _onsets(data: bytes, until: int = 9999) -> list[tuple[datetime, timedelta]]:
    """Return (UTC onset, offset after) of every observance, read as RFC 5545 says.

    An RRULE is expanded to the end of `until`.
    """
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
        if "RRULE" in observance:
            rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=starts[0])
            last = starts[0].replace(year=until, month=12, day=31)
            starts = list(rule.between(starts[0], last, inc=True))
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


def test_endless_vtimezone_gives_the_yearly_rules_as_rrules() -> None:
    """Last Sunday of March at 02:00 and of October at 03:00, in any year."""
    data = vtimezone("Europe/Oslo", date(2026, 1, 5), date.max)

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
        b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
        b"TZNAME:CEST\r\n"
        b"TZOFFSETFROM:+0100\r\n"
        b"TZOFFSETTO:+0200\r\n"
        b"END:DAYLIGHT\r\n"
        b"BEGIN:STANDARD\r\n"
        b"DTSTART:20261025T030000\r\n"
        b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
        b"TZNAME:CET\r\n"
        b"TZOFFSETFROM:+0200\r\n"
        b"TZOFFSETTO:+0100\r\n"
        b"END:STANDARD\r\n"
        b"END:VTIMEZONE\r\n"
    )


def test_endless_vtimezone_is_cached_per_zone_and_first_year() -> None:
    first = vtimezone("Europe/Oslo", date(2026, 1, 5), date.max)

    assert vtimezone("Europe/Oslo", date(2026, 9, 1), date.max) is first


def test_endless_vtimezone_lists_changes_until_the_rules_repeat() -> None:
    """Summer time in Oslo ended on the last Sunday of September until 1995."""
    data = vtimezone("Europe/Oslo", date(1994, 6, 1), date.max)
    [component] = icalendar.Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\n" + data + b"END:VCALENDAR\r\n"
    ).walk("VTIMEZONE")

    observances = [
        (
            observance["DTSTART"].dt.isoformat(),
            observance.get("RRULE", icalendar.vRecur()).to_ical().decode(),
        )
        for observance in component.walk()
        if observance.name in ("STANDARD", "DAYLIGHT")
    ]

    assert observances == [
        ("1994-01-01T00:00:00", ""),
        ("1994-03-27T02:00:00", ""),
        ("1994-09-25T03:00:00", ""),
        ("1995-03-26T02:00:00", ""),
        ("1995-09-24T03:00:00", ""),
        ("1996-03-31T02:00:00", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
        ("1996-10-27T03:00:00", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
    ]


@pytest.mark.parametrize(
    ("zone", "rrules"),
    [
        (
            "America/New_York",
            ["FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"],
        ),
        # 26:00 on the fourth Thursday of March: the Friday from the 23rd.
        (
            "Asia/Jerusalem",
            [
                "FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29",
                "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            ],
        ),
        # 24:00 on the last Thursday of October: a Friday, 1 November at times.
        (
            "Africa/Cairo",
            [
                "FREQ=YEARLY;BYMONTH=4;BYDAY=-1FR",
                "FREQ=YEARLY;BYMONTH=10;BYDAY=FR;BYMONTHDAY=26,27,28,29,30,31",
                "FREQ=YEARLY;BYMONTH=11;BYDAY=FR;BYMONTHDAY=1",
            ],
        ),
        # -1:00 on the last Sunday of March: the Saturday before, at 23:00.
        (
            "America/Nuuk",
            [
                "FREQ=YEARLY;BYMONTH=3;BYDAY=SA;BYMONTHDAY=24,25,26,27,28,29,30",
                "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            ],
        ),
        ("Asia/Kolkata", []),
    ],
)
def test_zone_rules_write_each_form_of_change(zone: str, rrules: list[str]) -> None:
    rules = zone_rules(zone)

    assert rules is not None
    assert [change.rrule for change in rules.changes] == rrules


@pytest.mark.parametrize(
    ("footer", "message"),
    [
        ("<+03>-3<+04>,J80/0,J264/0", "a day-of-year rule (Jn or n)"),
        # 72:00 on the fourth Sunday of February: a Wednesday from the 25th,
        # which some years is 1 March and some years 2 March.
        (
            "XST3XDT,M2.4.0/72,M10.5.0",
            "the change's days cross a month end of varying date",
        ),
    ],
)
def test_changes_that_rrules_cannot_hold_are_refused(footer: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _posix_rules(footer)


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/Oslo",
        "America/New_York",
        "Australia/Sydney",  # summer time across the new year
        "Asia/Jerusalem",
        "Africa/Cairo",
        "America/Nuuk",
        "Europe/Dublin",  # summer time is standard time, winter the "daylight"
        "America/Santiago",
        "Pacific/Chatham",  # 02:45, a change of 1 hour at +12:45
        "Africa/Casablanca",  # listed changes until 2087, then one offset
        "Asia/Kolkata",
    ],
)
def test_endless_vtimezone_offsets_agree_with_zoneinfo_in_any_year(zone: str) -> None:
    onsets = _onsets(vtimezone(zone, date(2026, 1, 1), date.max), until=2100)
    times = [onset for onset, _ in onsets]
    tzinfo = ZoneInfo(zone)

    wrong = []
    for year in (2026, 2037, 2038, 2039, 2061, 2088, 2099):
        # From 2 January: west of Greenwich, 1 January 2026 00:00 UTC is in 2025.
        instant = datetime(year, 1, 2, tzinfo=UTC)
        while instant.year == year:
            written = onsets[bisect.bisect_right(times, instant) - 1][1]
            if written != instant.astimezone(tzinfo).utcoffset():
                wrong.append(instant)
            instant += timedelta(hours=1)

    assert wrong == []
