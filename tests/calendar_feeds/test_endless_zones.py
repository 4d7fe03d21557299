"""A series without an end is placed right in every year, by each parser.

Its VTIMEZONE carries the zone's yearly rules (RRULEs), not a list of changes
that stops some years ahead: ical.js converts times with the feed's own
VTIMEZONEs, so a list that ends in 2036 put July 2038 an hour late.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from calendar_feeds import FeedItem, build_calendar
from tests.calendar_feeds.fixtures import CHANGED, PRODID, local
from tests.fixtures.js_parsers import run_js_parsers

pytestmark = pytest.mark.unit

#: ical.js and node-ical expand the series this far.
UNTIL = date(2038, 12, 31)

#: Every Tuesday at 09:00 in Oslo from 6 January 2026, without an end.
ENDLESS_WEEKLY = FeedItem(
    uid="endless-weekly@vertskap.test",
    title="Arbeidsgruppe India: ukemøte",
    start_dt=local(2026, 1, 6, 9),
    end_dt=local(2026, 1, 6, 10),
    last_modified=CHANGED,
    timezone="Europe/Oslo",
    rrule="FREQ=WEEKLY;BYDAY=TU",
)

#: Zones whose rules take each form a tzdata footer uses, at 09:00 local every
#: Tuesday. Cairo changes at 24:00 on the last Thursday of October (a Friday
#: that may fall on 1 November), Jerusalem at 26:00 on the fourth Thursday of
#: March, Nuuk at 23:00 on the Saturday before the last Sunday (-1:00), Dublin
#: has its summer time as standard time, Lord Howe changes by half an hour.
ZONES = [
    "Europe/Oslo",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Jerusalem",
    "Africa/Cairo",
    "America/Nuuk",
    "Europe/Dublin",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]


def _series(zone: str) -> FeedItem:
    tzinfo = ZoneInfo(zone)
    start = datetime(2026, 1, 6, 9, tzinfo=tzinfo).astimezone(UTC)
    return replace(
        ENDLESS_WEEKLY,
        uid=f"endless-{zone.replace('/', '-').lower()}@vertskap.test",
        start_dt=start,
        end_dt=start + timedelta(hours=1),
        timezone=zone,
    )


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _tuesdays(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _expected(zone: str) -> list[dict[str, str]]:
    """Every meeting to the end of 2038 at 09:00 local, its UTC instant from zoneinfo."""
    tzinfo = ZoneInfo(zone)
    return [
        {
            "local": f"{day.isoformat()}T09:00:00",
            "zone": zone,
            "utc": _utc(datetime(day.year, day.month, day.day, 9, tzinfo=tzinfo)),
        }
        for day in _tuesdays(date(2026, 1, 6), UNTIL)
    ]


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("endless")
    paths = {}
    for zone in ZONES:
        path = folder / f"{zone.replace('/', '-')}.ics"
        path.write_bytes(build_calendar([_series(zone)], name=zone, prodid=PRODID))
        paths[zone] = path
    return paths


@pytest.fixture(scope="module")
def js_parsed(feeds: dict[str, Path]) -> dict[str, dict[str, Any]]:
    parsed = run_js_parsers(list(feeds.values()), until=UNTIL)
    return {zone: parsed[path] for zone, path in feeds.items()}


def _oslo_feed() -> bytes:
    return build_calendar([ENDLESS_WEEKLY], name="Forum", prodid=PRODID)


def test_icaljs_places_endless_oslo_meetings_right_in_2038(
    js_parsed: dict[str, dict[str, Any]],
) -> None:
    [event] = js_parsed["Europe/Oslo"]["icaljs"]["events"]
    by_day = {time["local"][:10]: time["utc"] for time in event["occurrences"]}

    # 09:00 CET is 08:00 UTC in January, 09:00 CEST 07:00 UTC in July.
    assert (by_day["2038-01-05"], by_day["2038-07-06"]) == (
        "2038-01-05T08:00:00.000Z",
        "2038-07-06T07:00:00.000Z",
    )


@pytest.mark.parametrize("zone", ZONES)
def test_icaljs_places_every_meeting_of_an_endless_series_right(
    js_parsed: dict[str, dict[str, Any]], zone: str
) -> None:
    [event] = js_parsed[zone]["icaljs"]["events"]

    assert event["occurrences"] == _expected(zone)


@pytest.mark.parametrize("zone", ZONES)
def test_nodeical_places_every_meeting_of_an_endless_series_right(
    js_parsed: dict[str, dict[str, Any]], zone: str
) -> None:
    [event] = js_parsed[zone]["nodeical"]["events"]

    assert event["occurrences"] == _expected(zone)


def test_icalendar_reads_the_feeds_own_rules_for_2038() -> None:
    """The VTIMEZONE as a time zone of its own, not looked up by its TZID."""
    [component] = icalendar.Calendar.from_ical(_oslo_feed()).walk("VTIMEZONE")
    tzinfo = component.to_tz(lookup_tzid=False)

    assert [
        datetime(2038, 1, 5, 9, tzinfo=tzinfo).astimezone(UTC),
        datetime(2038, 7, 6, 9, tzinfo=tzinfo).astimezone(UTC),
        datetime(2099, 7, 7, 9, tzinfo=tzinfo).astimezone(UTC),
    ] == [
        datetime(2038, 1, 5, 8, tzinfo=UTC),
        datetime(2038, 7, 6, 7, tzinfo=UTC),
        datetime(2099, 7, 7, 7, tzinfo=UTC),
    ]


def test_recurring_ical_events_places_endless_meetings_right_in_2038() -> None:
    calendar = icalendar.Calendar.from_ical(_oslo_feed())

    starts = sorted(
        event["DTSTART"].dt
        for event in recurring_ical_events.of(calendar).between(
            date(2038, 1, 1), date(2039, 1, 1)
        )
    )

    assert [_utc(start) for start in starts] == [
        time["utc"] for time in _expected("Europe/Oslo") if time["local"] >= "2038"
    ]
    assert (_utc(starts[0]), _utc(starts[26])) == (
        "2038-01-05T08:00:00.000Z",
        "2038-07-06T07:00:00.000Z",
    )
