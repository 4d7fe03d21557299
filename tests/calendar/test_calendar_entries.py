"""The calendar's JSON source for FullCalendar: bounds, fields, recurrence, filters, caching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.auth.models import Role
from app.core.visibility import Visibility
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
URL = "/calendar/entries.json"


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


#: start/end pairs refused with 400: missing, unreadable, reversed, empty or too wide.
BAD_BOUNDS = [
    "",
    "?start=2026-11-01",
    "?end=2026-12-01",
    "?start=yesterday&end=today",
    "?start=2026-11-01&end=2026-13-01",
    "?start=2026-12-01&end=2026-11-01",
    "?start=2026-11-01&end=2026-11-01",
    "?start=2026-01-01&end=2026-12-31",
    "?start=0001-01-01&end=0001-02-01",
    "?start=%00&end=%00",
    "?start=2026-11-01T00:00:00%2B25:00&end=2026-12-01",
]


@pytest.mark.parametrize("query", BAD_BOUNDS)
def test_entries_refuse_missing_or_unbounded_windows(client: Any, query: str) -> None:
    response = client.get(URL + query)

    assert response.status_code == 400
    assert response.is_json
    assert set(response.json) == {"error"}


#: What FullCalendar sends (with and without offsets, with its timeZone) and a plain date.
GOOD_BOUNDS = [
    "?start=2026-11-01&end=2026-12-01",
    "?start=2026-10-26T00:00:00&end=2026-12-07T00:00:00&timeZone=Europe%2FOslo",
    "?start=2026-10-31T23:00:00Z&end=2026-12-01T00:00:00%2B01:00",
    "?start=2026-11-01T00:00:00+01:00&end=2026-12-01T00:00:00+01:00",
]


@pytest.mark.parametrize("query", GOOD_BOUNDS)
def test_entries_accept_what_fullcalendar_sends(
    client: Any, create_event: Any, query: str
) -> None:
    create_event("In November", start=NOW + DAY)

    response = client.get(URL + query)

    assert response.status_code == 200
    assert [e["title"] for e in response.json] == ["In November"]


def test_entries_describe_each_kind_for_fullcalendar(
    client: Any,
    create_event: Any,
    create_delegation: Any,
    create_programme_item: Any,
    create_organisation: Any,
) -> None:
    event = create_event(
        "Forum meeting",
        start=_utc(2026, 11, 27, 8),
        location="Rådhuset",
        organiser=create_organisation("NTNU"),
    )
    visit = create_delegation(
        "Hamburg visit", arrival=_utc(2026, 11, 28, 9), visibility=Visibility.public
    )
    item = create_programme_item(
        "Welcome", delegation=visit, start=_utc(2026, 11, 28, 11), location="Torvet"
    )

    feed = client.get(URL + "?start=2026-11-01&end=2026-12-01").json

    assert feed == [
        {
            "id": f"event-{event.id}-2026-11-27T08:00:00+00:00",
            "title": "Forum meeting",
            "start": "2026-11-27T09:00",
            "end": "2026-11-27T11:00",
            "allDay": False,
            "url": f"/events/{event.id}",
            "classNames": ["fc-entry--event"],
            "extendedProps": {
                "kind": "event",
                "kindLabel": "Arrangement",
                "location": "Rådhuset",
                "context": "NTNU",
                "visibility": "public",
                "cancelled": False,
                "recurring": False,
            },
        },
        {
            "id": f"visit-{visit.id}-2026-11-28T09:00:00+00:00",
            "title": "Hamburg visit",
            # Over several days: in the all-day row, over the days it touches.
            "start": "2026-11-28",
            "end": "2026-12-01",
            "allDay": True,
            "url": f"/visits/{visit.id}",
            "classNames": ["fc-entry--visit"],
            "extendedProps": {
                "kind": "visit",
                "kindLabel": feed[1]["extendedProps"]["kindLabel"],
                # An incoming delegation visits the host city, not its own (DE).
                "location": "Trondheim",
                "context": "incoming",
                "visibility": "public",
                "cancelled": False,
                "recurring": False,
            },
        },
        {
            "id": f"programme-{item.id}-2026-11-28T11:00:00+00:00",
            "title": "Welcome",
            "start": "2026-11-28T12:00",
            "end": "2026-11-28T13:00",
            "allDay": False,
            "url": f"/visits/{visit.id}#item-{item.id}",
            "classNames": ["fc-entry--programme"],
            "extendedProps": {
                "kind": "programme",
                "kindLabel": feed[2]["extendedProps"]["kindLabel"],
                "location": "Torvet",
                "context": "Hamburg visit",
                "visibility": "public",
                "cancelled": False,
                "recurring": False,
            },
        },
    ]


def test_entries_give_all_day_events_as_dates(client: Any, create_event: Any) -> None:
    # 1-2 December in Oslo: local midnight to the midnight after the last day.
    create_event(
        "Two-day fair",
        start=_utc(2026, 11, 30, 23),
        hours=48,
        is_all_day=True,
    )

    feed = client.get(URL + "?start=2026-11-30&end=2026-12-07").json

    assert [(e["start"], e["end"], e["allDay"]) for e in feed] == [
        ("2026-12-01", "2026-12-03", True)
    ]


def test_entries_expand_series_with_exceptions_and_an_end(
    client: Any, create_event: Any
) -> None:
    # Monthly on the first Monday at 18:00 Oslo, three times, the second skipped.
    create_event(
        "Monthly board",
        start=_utc(2026, 11, 2, 17),
        rrule="FREQ=MONTHLY;BYDAY=1MO;COUNT=3",
        exdates="2026-12-07T18:00",
    )

    feed = client.get(URL + "?start=2026-10-26&end=2027-02-01").json

    assert [(e["start"], e["extendedProps"]["recurring"]) for e in feed] == [
        ("2026-11-02T18:00", True),
        ("2027-01-04T18:00", True),
    ]
    assert len({e["id"] for e in feed}) == 2


def test_entries_expand_an_endless_series_in_any_later_window(
    client: Any, create_event: Any
) -> None:
    create_event("Weekly", start=_utc(2026, 1, 6, 8), rrule="FREQ=WEEKLY")

    feed = client.get(URL + "?start=2030-06-01&end=2030-06-15").json

    # 09:00 Oslo winter time when it began, still 09:00 in summer.
    assert [e["start"] for e in feed] == ["2030-06-04T09:00", "2030-06-11T09:00"]


def test_entries_follow_the_viewers_time_zone(
    client: Any, login: Any, create_user: Any, create_event: Any
) -> None:
    create_event("Call", start=_utc(2026, 11, 27, 8), visibility=Visibility.forum)
    login(create_user(role=Role.member, timezone="Asia/Kolkata"))

    feed = client.get(URL + "?start=2026-11-27&end=2026-11-28").json

    assert [(e["start"], e["end"]) for e in feed] == [
        ("2026-11-27T13:30", "2026-11-27T15:30")
    ]


def test_entries_apply_the_filters_of_the_url(
    client: Any, create_event: Any, create_delegation: Any
) -> None:
    create_event("Language café", start=NOW + DAY)
    create_event("Board meeting", start=NOW + DAY + HOUR)
    create_delegation("Café owners from Lyon", arrival=NOW + 2 * DAY)

    shown = {
        query: [e["title"] for e in client.get(URL + query).json]
        for query in (
            "?start=2026-11-01&end=2026-12-01&q=CAFÉ",
            "?start=2026-11-01&end=2026-12-01&q=café&kind=event",
            "?start=2026-11-01&end=2026-12-01&kind=visit",
        )
    }

    assert shown == {
        "?start=2026-11-01&end=2026-12-01&q=CAFÉ": [
            "Language café",
            "Café owners from Lyon",
        ],
        "?start=2026-11-01&end=2026-12-01&q=café&kind=event": ["Language café"],
        "?start=2026-11-01&end=2026-12-01&kind=visit": ["Café owners from Lyon"],
    }


def test_entries_are_never_cached_for_other_viewers(
    client: Any, create_event: Any
) -> None:
    response = client.get(URL + "?start=2026-11-01&end=2026-12-01")

    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response.headers["Vary"]
