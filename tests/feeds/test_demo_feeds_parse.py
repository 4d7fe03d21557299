"""Every demo feed reads the same in icalendar, recurring-ical-events, ical.js and node-ical.

The feeds are the public one, two filtered public ones, each demo role's
private feed, and as admin every visit programme and every event. All of them
go through one node run (tests/js/parse.mjs), since node start-up costs ~0.3 s.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import sqlalchemy as sa

from app.auth.models import Role, User
from app.calendar.models import Event
from app.core.db import db
from app.delegations.models import Delegation
from app.demo.data import USERS
from app.directory.models import Initiative
from app.feeds.tokens import create_feed_token
from tests.fixtures.builders import NOW
from tests.fixtures.js_parsers import JS_PARSERS, run_js_parsers

pytestmark = pytest.mark.integration

#: Recurring events are expanded up to here, past the end of both demo series.
UNTIL = date(2027, 12, 31)
#: The forum's monthly meeting (ten times) and the India working group's weekly
#: meeting (eight times, the third cancelled by an EXDATE).
FORUM_MONTHLY = "event-demo-forum-mote-1@vertskap.test"
INDIA_WEEKLY = "event-demo-india-arbeidsgruppe@vertskap.test"

#: What every parser must agree on for one VEVENT: summary, status, start.
Read = tuple[str, str | None, str]


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> Any:
    """The views read the clock; pin it to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


def _user(role: Role) -> User:
    email = next(spec.email for spec in USERS if spec.role == role)
    return db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()


def _demo_paths() -> dict[str, str]:
    """Return the URL of every feed of the demo data, by a readable name."""
    india = db.session.execute(
        sa.select(Initiative.id).filter_by(slug="india-2011")
    ).scalar_one()
    paths = {
        "public": "/feeds/public.ics",
        "public-visits-programme": "/feeds/public.ics?kind=visit&kind=programme",
        "public-india": f"/feeds/public.ics?initiative={india}",
    }
    for role in (Role.member, Role.mayors_office, Role.admin):
        _token, raw = create_feed_token(_user(role), label="Laptop", now=NOW)
        paths[f"private-{role}"] = f"/feeds/{raw}.ics"
    db.session.commit()
    return paths


def _admin_paths() -> dict[str, str]:
    visits = db.session.scalars(sa.select(Delegation.id).order_by(Delegation.id))
    events = db.session.scalars(sa.select(Event.id).order_by(Event.id))
    return {f"visit-{i}": f"/visits/{i}/programme.ics" for i in visits} | {
        f"event-{i}": f"/events/{i}.ics" for i in events
    }


@pytest.fixture
def demo_feeds(client: Any, demo_data: None, tmp_path: Path) -> dict[str, Path]:
    """Write every demo feed to a file; return the files by name."""
    paths = _demo_paths()
    admin = next(spec for spec in USERS if spec.role == Role.admin)
    bodies = {name: client.get(url) for name, url in paths.items()}
    login = client.post(
        "/login", data={"email": admin.email, "password": admin.password}
    )
    assert login.status_code == 302
    bodies |= {name: client.get(url) for name, url in _admin_paths().items()}

    files = {}
    for name, response in bodies.items():
        assert (name, response.status_code) == (name, 200)
        files[name] = tmp_path / f"{name}.ics"
        files[name].write_bytes(response.data)
    return files


def _utc(value: date | datetime) -> str:
    """Return a start as parse.mjs prints it: the UTC instant, or the date."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value.isoformat()


def _js_start(time: dict[str, str]) -> str:
    # Compare instants: ical.js and node-ical name zones differently (`_zone`
    # in tests/calendar_feeds/test_parsers.py).
    return time.get("utc") or time["date"]


def _icalendar_reads(calendar: icalendar.Calendar) -> list[tuple[str, Read]]:
    return sorted(
        (
            str(event["UID"]),
            (
                str(event["SUMMARY"]),
                str(event["STATUS"]) if "STATUS" in event else None,
                _utc(event["DTSTART"].dt),
            ),
        )
        for event in calendar.walk("VEVENT")
    )


def _js_reads(parsed: dict[str, Any]) -> list[tuple[str, Read]]:
    return sorted(
        (
            event["uid"],
            (event["summary"], event.get("status"), _js_start(event["start"])),
        )
        for event in parsed["events"]
    )


def _series_occurrences(calendar: icalendar.Calendar) -> dict[str, list[str]]:
    """Return the UTC starts of each recurring event, by recurring-ical-events."""
    series = {str(e["UID"]) for e in calendar.walk("VEVENT") if "RRULE" in e}
    occurrences: dict[str, list[str]] = {uid: [] for uid in series}
    if not series:  # expanding takes time; most feeds have no series
        return occurrences
    window = recurring_ical_events.of(calendar).between(
        NOW - timedelta(days=365), UNTIL + timedelta(days=1)
    )
    for event in window:
        if str(event["UID"]) in series:
            occurrences[str(event["UID"])].append(_utc(event["DTSTART"].dt))
    return {uid: sorted(starts) for uid, starts in occurrences.items()}


def _js_series(parsed: dict[str, Any], series: set[str]) -> dict[str, list[str]]:
    """Return the UTC starts of each recurring event, as a JS parser expanded it."""
    since = _utc(NOW - timedelta(days=365))
    return {
        event["uid"]: sorted(
            start for start in map(_js_start, event["occurrences"]) if start >= since
        )
        for event in parsed["events"]
        if event["uid"] in series
    }


def test_every_demo_feed_reads_alike_in_every_parser(
    demo_feeds: dict[str, Path],
) -> None:
    """Read events and series expansions alike; one test, as loading the demo is slow."""
    calendars = {
        name: icalendar.Calendar.from_ical(path.read_bytes())
        for name, path in demo_feeds.items()
    }

    js = run_js_parsers(list(demo_feeds.values()), until=UNTIL)

    events = {name: _icalendar_reads(cal) for name, cal in calendars.items()}
    series = {name: _series_occurrences(cal) for name, cal in calendars.items()}
    for (name, path), parser in itertools.product(demo_feeds.items(), JS_PARSERS):
        parsed = js[path][parser]
        assert (name, parser, _js_reads(parsed)) == (name, parser, events[name])
        assert (name, parser, _js_series(parsed, set(series[name]))) == (
            name,
            parser,
            series[name],
        )
    counts = {name: len(reads) for name, reads in events.items()}
    assert (
        0
        < counts["public"]
        < counts["private-member"]
        < counts["private-mayors_office"]
        == counts["private-admin"]
    ), counts
    assert counts["public-visits-programme"] > 0
    assert counts["public-india"] > 0
    # Seven weekly meetings: the EXDATE of the third is honoured everywhere.
    admin = series["private-admin"]
    assert (sorted(admin), len(admin[FORUM_MONTHLY]), len(admin[INDIA_WEEKLY])) == (
        [FORUM_MONTHLY, INDIA_WEEKLY],
        10,
        7,
    )
