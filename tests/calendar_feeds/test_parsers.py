"""The tricky feed parses right in icalendar, recurring_ical_events, ical.js and node-ical.

ical.js converts times with the feed's own VTIMEZONEs, so its UTC values check
our rules; node-ical and icalendar use the zone names. The two JavaScript
parsers run in `tests/js/parse.mjs`; install them with
`npm ci --prefix tests/js --no-audit --no-fund`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events

from calendar_feeds import build_calendar
from tests.calendar_feeds.fixtures import (
    HORIZON,
    LONG_DESCRIPTION,
    MONTHLY_ENDLESS,
    NORWEGIAN_DESCRIPTION,
    NORWEGIAN_LOCATION,
    NORWEGIAN_TITLE,
    OSLO,
    PRODID,
    TRICKY_ITEMS,
    WEEKLY,
    WEEKLY_DATES,
    tricky_calendar,
)
from tests.fixtures.js_parsers import JS_DIR, JS_PARSERS, run_js_parsers

pytestmark = pytest.mark.unit

Time = dict[str, str]


def _timed(local: str, zone: str, utc: str) -> Time:
    return {"local": local, "zone": zone, "utc": utc}


#: uid -> (summary, status, sequence, start, end) as every parser must read them.
EXPECTED: dict[str, tuple[str, str, int, Time, Time]] = {
    "tricky-weekly@vertskap.test": (
        "Arbeidsgruppe India: ukemøte",
        "CONFIRMED",
        0,
        _timed("2026-03-17T09:00:00", "Europe/Oslo", "2026-03-17T08:00:00.000Z"),
        _timed("2026-03-17T10:00:00", "Europe/Oslo", "2026-03-17T09:00:00.000Z"),
    ),
    "tricky-all-day@vertskap.test": (
        "Nasjonaldagsfeiring med vennskapsbyene",
        "TENTATIVE",
        0,
        {"date": "2026-05-16"},
        {"date": "2026-05-19"},
    ),
    "tricky-cancelled@vertskap.test": (
        "Mottak for delegasjonen fra Hamburg",
        "CANCELLED",
        2,
        _timed("2026-06-10T14:00:00", "Europe/Oslo", "2026-06-10T12:00:00.000Z"),
        _timed("2026-06-10T16:00:00", "Europe/Oslo", "2026-06-10T14:00:00.000Z"),
    ),
    "tricky-norwegian@vertskap.test": (
        NORWEGIAN_TITLE,
        "CONFIRMED",
        0,
        _timed("2026-09-03T10:00:00", "Europe/Oslo", "2026-09-03T08:00:00.000Z"),
        _timed("2026-09-03T12:00:00", "Europe/Oslo", "2026-09-03T10:00:00.000Z"),
    ),
    "tricky-emoji@vertskap.test": (
        "Sjømatkveld 🐟 med delegasjonen",
        "CONFIRMED",
        0,
        _timed("2026-08-20T18:00:00", "Europe/Oslo", "2026-08-20T16:00:00.000Z"),
        _timed("2026-08-20T21:30:00", "Europe/Oslo", "2026-08-20T19:30:00.000Z"),
    ),
    "tricky-kolkata@vertskap.test": (
        "Utgående besøk: næringslivsdelegasjon til Mumbai",
        "CONFIRMED",
        0,
        _timed("2026-11-16T10:00:00", "Asia/Kolkata", "2026-11-16T04:30:00.000Z"),
        _timed("2026-11-16T17:00:00", "Asia/Kolkata", "2026-11-16T11:30:00.000Z"),
    ),
    "tricky-updated@vertskap.test": (
        "Nordisk plattform: styremøte",
        "CONFIRMED",
        3,
        _timed("2026-04-15T13:00:00", "Europe/Oslo", "2026-04-15T11:00:00.000Z"),
        _timed("2026-04-15T15:00:00", "Europe/Oslo", "2026-04-15T13:00:00.000Z"),
    ),
    # The second 02:30 of 25 October is written in UTC; its end (03:30) is not
    # ambiguous and keeps its zone.
    "tricky-fold@vertskap.test": (
        "Nattlig overføring til Mumbai",
        "CONFIRMED",
        0,
        _timed("2026-10-25T01:30:00", "UTC", "2026-10-25T01:30:00.000Z"),
        _timed("2026-10-25T03:30:00", "Europe/Oslo", "2026-10-25T02:30:00.000Z"),
    ),
    "tricky-spring@vertskap.test": (
        "Tidlig avreise til Hamburg",
        "CONFIRMED",
        0,
        _timed("2026-03-29T03:30:00", "Europe/Oslo", "2026-03-29T01:30:00.000Z"),
        _timed("2026-03-29T04:30:00", "Europe/Oslo", "2026-03-29T02:30:00.000Z"),
    ),
    "tricky-monthly@vertskap.test": (
        "Forumets månedsmøte",
        "CONFIRMED",
        1,
        _timed("2026-01-05T12:00:00", "Europe/Oslo", "2026-01-05T11:00:00.000Z"),
        _timed("2026-01-05T13:00:00", "Europe/Oslo", "2026-01-05T12:00:00.000Z"),
    ),
}
SERIES = {WEEKLY.uid, MONTHLY_ENDLESS.uid}


def _weekly_utc_hour(day: date) -> int:
    """09:00 in Oslo is 08:00 UTC in winter time and 07:00 UTC in summer time."""
    return 7 if date(2026, 3, 29) < day < date(2026, 10, 25) else 8


#: Every meeting of the weekly series: 09:00 local on both sides of both changes.
EXPECTED_WEEKLY: list[Time] = [
    _timed(
        f"{day.isoformat()}T09:00:00",
        "Europe/Oslo",
        f"{day.isoformat()}T{_weekly_utc_hour(day):02d}:00:00.000Z",
    )
    for day in WEEKLY_DATES
]


def _first_mondays() -> list[date]:
    months = [(2026 + n // 12, n % 12 + 1) for n in range(24)]
    return [
        next(date(y, m, d) for d in range(1, 8) if date(y, m, d).weekday() == 0)
        for y, m in months
    ]


#: Every monthly meeting up to the horizon: 12:00 local, in 2027 too.
EXPECTED_MONTHLY: list[Time] = [
    _timed(
        f"{day.isoformat()}T12:00:00",
        "Europe/Oslo",
        datetime(day.year, day.month, day.day, 12, tzinfo=OSLO)
        .astimezone(UTC)
        .strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    )
    for day in _first_mondays()
]


def _time(value: date | datetime, tzid: str | None = None) -> Time:
    """Return a parsed Python value in the shape parse.mjs prints."""
    if not isinstance(value, datetime):
        return {"date": value.isoformat()}
    assert value.tzinfo is not None
    utc = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    zone = tzid or "UTC"
    return _timed(value.replace(tzinfo=None).isoformat(), zone, utc)


def _zone(time: Time) -> Time:
    """node-ical names UTC "Etc/UTC"; the parsers agree on everything else."""
    return {**time, "zone": "UTC"} if time.get("zone") == "Etc/UTC" else time


@pytest.fixture(scope="module")
def tricky_bytes() -> bytes:
    return tricky_calendar()


@pytest.fixture(scope="module")
def tricky_file(tricky_bytes: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feeds") / "tricky.ics"
    path.write_bytes(tricky_bytes)
    return path


def _run_js(path: Path) -> dict[str, Any]:
    return run_js_parsers([path], until=HORIZON)[path]


@pytest.fixture(scope="module")
def js_parsed(tricky_file: Path) -> dict[str, Any]:
    return _run_js(tricky_file)


def _by_uid(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {event["uid"]: event for event in events}


# icalendar


def test_icalendar_reads_every_tricky_item(tricky_bytes: bytes) -> None:
    calendar = icalendar.Calendar.from_ical(tricky_bytes)

    read = {
        str(event["UID"]): (
            str(event["SUMMARY"]),
            str(event["STATUS"]),
            int(event["SEQUENCE"]),
            _time(event["DTSTART"].dt, event["DTSTART"].params.get("TZID")),
            _time(event["DTEND"].dt, event["DTEND"].params.get("TZID")),
        )
        for event in calendar.walk("VEVENT")
    }

    assert read == EXPECTED
    assert calendar.get_missing_tzids() == set()


def test_icalendar_reads_text_back_unchanged(tricky_bytes: bytes) -> None:
    events = {
        str(e["UID"]): e
        for e in icalendar.Calendar.from_ical(tricky_bytes).walk("VEVENT")
    }
    norwegian = events["tricky-norwegian@vertskap.test"]

    assert (
        str(norwegian["LOCATION"]),
        str(norwegian["DESCRIPTION"]),
        [str(c) for c in norwegian["CATEGORIES"].cats],
        str(events["tricky-emoji@vertskap.test"]["DESCRIPTION"]),
        str(events["tricky-updated@vertskap.test"]["URL"]),
    ) == (
        NORWEGIAN_LOCATION,
        NORWEGIAN_DESCRIPTION,
        ["Næringsliv", "Utdanning og forskning", "Kultur, idrett og fritid"],
        LONG_DESCRIPTION,
        "https://vertskap.test/events/7?lang=nb&ref=feed",
    )


# recurring_ical_events


def test_recurring_ical_events_keeps_nine_local_across_both_changes(
    tricky_bytes: bytes,
) -> None:
    calendar = icalendar.Calendar.from_ical(tricky_bytes)

    occurrences = recurring_ical_events.of(calendar).between(date(2026, 1, 1), HORIZON)
    weekly = sorted(
        event["DTSTART"].dt for event in occurrences if event["UID"] == WEEKLY.uid
    )

    assert [_time(start, "Europe/Oslo") for start in weekly] == EXPECTED_WEEKLY
    assert all(start.tzinfo is not None for start in weekly)
    assert date(2026, 3, 31) not in [start.astimezone(OSLO).date() for start in weekly]


def test_recurring_ical_events_lists_each_single_item_once(tricky_bytes: bytes) -> None:
    calendar = icalendar.Calendar.from_ical(tricky_bytes)

    uids = sorted(
        str(event["UID"])
        for event in recurring_ical_events.of(calendar).between(
            date(2026, 1, 1), HORIZON
        )
        if event["UID"] not in SERIES
    )

    assert uids == sorted(set(EXPECTED) - SERIES)


def test_recurring_ical_events_expands_the_endless_series(tricky_bytes: bytes) -> None:
    calendar = icalendar.Calendar.from_ical(tricky_bytes)

    occurrences = recurring_ical_events.of(calendar).between(date(2026, 1, 1), HORIZON)
    monthly = sorted(
        event["DTSTART"].dt
        for event in occurrences
        if event["UID"] == MONTHLY_ENDLESS.uid
    )

    assert [_time(start, "Europe/Oslo") for start in monthly] == EXPECTED_MONTHLY


# ical.js and node-ical


@pytest.mark.parametrize("parser", JS_PARSERS)
def test_js_parser_reads_every_tricky_item(
    js_parsed: dict[str, Any], parser: str
) -> None:
    events = js_parsed[parser]["events"]

    read = {
        event["uid"]: (
            event["summary"],
            event["status"],
            event["sequence"],
            _zone(event["start"]),
            _zone(event["end"]),
        )
        for event in events
    }

    assert (len(events), read) == (len(TRICKY_ITEMS), EXPECTED)
    assert js_parsed[parser]["name"] == "Vertskap – forum"


@pytest.mark.parametrize("parser", JS_PARSERS)
def test_js_parser_expands_the_weekly_series_at_nine_local(
    js_parsed: dict[str, Any], parser: str
) -> None:
    weekly = _by_uid(js_parsed[parser]["events"])[WEEKLY.uid]

    assert weekly["occurrences"] == EXPECTED_WEEKLY


@pytest.mark.parametrize("parser", JS_PARSERS)
def test_js_parser_expands_the_endless_series_in_both_years(
    js_parsed: dict[str, Any], parser: str
) -> None:
    monthly = _by_uid(js_parsed[parser]["events"])[MONTHLY_ENDLESS.uid]

    assert monthly["occurrences"] == EXPECTED_MONTHLY


@pytest.mark.parametrize("parser", JS_PARSERS)
def test_js_parser_reads_text_back_unchanged(
    js_parsed: dict[str, Any], parser: str
) -> None:
    events = _by_uid(js_parsed[parser]["events"])
    norwegian = events["tricky-norwegian@vertskap.test"]

    assert (
        norwegian["location"],
        norwegian["description"],
        events["tricky-emoji@vertskap.test"]["description"],
        events["tricky-updated@vertskap.test"]["url"],
        events["tricky-updated@vertskap.test"]["categories"],
    ) == (
        NORWEGIAN_LOCATION,
        NORWEGIAN_DESCRIPTION,
        LONG_DESCRIPTION,
        "https://vertskap.test/events/7?lang=nb&ref=feed",
        ["Nordisk samarbeid"],
    )


def test_icaljs_uses_the_feeds_own_vtimezones(js_parsed: dict[str, Any]) -> None:
    assert js_parsed["icaljs"]["timezones"] == ["Asia/Kolkata", "Europe/Oslo"]


def test_icaljs_reads_an_escaped_comma_inside_a_category(
    js_parsed: dict[str, Any],
) -> None:
    norwegian = _by_uid(js_parsed["icaljs"]["events"])["tricky-norwegian@vertskap.test"]

    assert norwegian["categories"] == [
        "Næringsliv",
        "Utdanning og forskning",
        "Kultur, idrett og fritid",
    ]


def test_nodeical_splits_a_category_at_an_escaped_comma(
    js_parsed: dict[str, Any],
) -> None:
    """A known node-ical quirk, not ours: the bytes escape the comma (RFC 5545 3.3.11).

    Kept as a test so a node-ical upgrade that fixes it shows up here.
    """
    norwegian = _by_uid(js_parsed["nodeical"]["events"])[
        "tricky-norwegian@vertskap.test"
    ]

    assert norwegian["categories"] == [
        "Næringsliv",
        "Utdanning og forskning",
        "Kultur\\",
        "idrett og fritid",
    ]


def test_js_parsers_read_an_empty_calendar(tmp_path: Path) -> None:
    path = tmp_path / "empty.ics"
    path.write_bytes(build_calendar([], name="Tomt", prodid=PRODID))

    parsed = _run_js(path)

    assert (
        parsed["icaljs"]["events"],
        parsed["nodeical"]["events"],
        parsed["icaljs"]["name"],
    ) == ([], [], "Tomt")


def test_js_lockfile_pins_versions_without_registry_addresses() -> None:
    lock = json.loads((JS_DIR / "package-lock.json").read_text(encoding="utf-8"))
    packages = {path: entry for path, entry in lock["packages"].items() if path}

    assert [path for path, entry in packages.items() if "resolved" in entry] == []
    assert "://" not in json.dumps(lock)
    assert (
        packages["node_modules/ical.js"]["version"],
        packages["node_modules/node-ical"]["version"],
    ) == ("2.2.1", "0.25.6")
