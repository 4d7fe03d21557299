"""The upcoming list: order across kinds, the kind filter, pages, ended and cancelled items, queries."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import g

from app.auth.models import Role
from app.calendar.models import EventStatus
from app.core.db import db
from app.delegations.models import DelegationStatus
from app.directory.models import City, CityRelation, Venue
from tests.calendar.pages import ShownEntry, shown_count, shown_entries, shown_titles
from tests.fixtures.builders import NOW
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SMALL_PAGES = pytest.mark.parametrize(
    "app_settings", [{"PAGE_SIZE": 2}], ids=["page_size_2"]
)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """The views read the clock; pin it to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)


def _get(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_upcoming_orders_by_start_across_kinds(
    client: Any, create_event: Any, create_delegation: Any, create_programme_item: Any
) -> None:
    create_event("Event in three days", start=NOW + 3 * DAY)
    visit = create_delegation("Visit from tomorrow", arrival=NOW + DAY, days=4)
    create_programme_item("Item in two days", delegation=visit, start=NOW + 2 * DAY)
    create_event("Event tomorrow, later", start=NOW + DAY + HOUR)
    create_event("Event already running", start=NOW - HOUR, hours=2)

    titles = shown_titles(_get(client, "/upcoming"))

    assert titles == [
        "Event already running",
        "Visit from tomorrow",
        "Event tomorrow, later",
        "Item in two days",
        "Event in three days",
    ]


def test_upcoming_breaks_ties_by_kind_then_creation(
    client: Any, create_event: Any, create_delegation: Any, create_programme_item: Any
) -> None:
    start = NOW + DAY
    visit = create_delegation("Visit", arrival=start)
    create_programme_item("Item", delegation=visit, start=start)
    create_event("Second event", start=start)
    create_event("Third event", start=start)

    entries = shown_entries(_get(client, "/upcoming"))

    assert [(e.kind, e.title) for e in entries] == [
        ("event", "Second event"),
        ("event", "Third event"),
        ("programme", "Item"),
        ("visit", "Visit"),
    ]


@pytest.fixture
def one_of_each(
    create_event: Any, create_delegation: Any, create_programme_item: Any
) -> None:
    create_event("The event", start=NOW + DAY)
    visit = create_delegation("The visit", arrival=NOW + 2 * DAY)
    create_programme_item("The item", delegation=visit, start=NOW + 2 * DAY + HOUR)


#: Query string -> titles shown. Unknown kinds are ignored; when no known kind
#: is left, nothing is filtered.
KIND_FILTERS = {
    "": ["The event", "The visit", "The item"],
    "?kind=event": ["The event"],
    "?kind=programme": ["The item"],
    "?kind=visit": ["The visit"],
    "?kind=event&kind=programme": ["The event", "The item"],
    "?kind=visit&kind=event": ["The event", "The visit"],
    "?kind=event&kind=programme&kind=visit": ["The event", "The visit", "The item"],
    "?kind=event&kind=event": ["The event"],
    "?kind=": ["The event", "The visit", "The item"],
}


@pytest.mark.usefixtures("one_of_each")
def test_upcoming_filters_by_kind(client: Any) -> None:
    pages = {query: _get(client, "/upcoming" + query) for query in KIND_FILTERS}

    assert {query: shown_titles(html) for query, html in pages.items()} == KIND_FILTERS
    assert {query: shown_count(html) for query, html in pages.items()} == {
        query: len(titles) for query, titles in KIND_FILTERS.items()
    }


@pytest.mark.usefixtures("one_of_each")
@pytest.mark.parametrize(
    ("query", "value"),
    [("?kind=meeting", "meeting"), ("?kind=visit&kind=EVENT", "EVENT")],
)
def test_upcoming_refuses_an_unknown_kind(client: Any, query: str, value: str) -> None:
    response = client.get("/upcoming" + query, headers={"Accept-Language": "en"})

    assert response.status_code == 400
    message = f"No kind of entry matches “kind={value}”: use event, programme or visit."
    assert f"<p>{message}</p>" in response.get_data(as_text=True)
    assert shown_titles(response.get_data(as_text=True)) == []


@pytest.mark.usefixtures("one_of_each")
def test_upcoming_kind_filter_keeps_boxes_ticked(client: Any) -> None:
    html = _get(client, "/upcoming?kind=event&kind=visit")

    ticked = {
        kind
        for kind in ("event", "programme", "visit")
        if f'value="{kind}" checked' in html
    }
    assert ticked == {"event", "visit"}


@pytest.fixture
def five_events(create_event: Any) -> None:
    for n in range(1, 6):
        create_event(f"Event {n}", start=NOW + n * DAY)


#: Page parameter -> titles shown, with two items a page. Nonsense falls back
#: to the first page, anything past the end to the last.
PAGES = {
    "1": ["Event 1", "Event 2"],
    "2": ["Event 3", "Event 4"],
    "3": ["Event 5"],
    "0": ["Event 1", "Event 2"],
    "-4": ["Event 1", "Event 2"],
    "abc": ["Event 1", "Event 2"],
    "": ["Event 1", "Event 2"],
    "99": ["Event 5"],
    "99999999999999999999999": ["Event 5"],
}


@SMALL_PAGES
@pytest.mark.usefixtures("five_events")
def test_upcoming_pages_through_page_size_items(client: Any) -> None:
    pages = {number: _get(client, f"/upcoming?page={number}") for number in PAGES}

    assert {number: shown_titles(html) for number, html in pages.items()} == PAGES
    assert {shown_count(html) for html in pages.values()} == {5}


@SMALL_PAGES
@pytest.mark.usefixtures("five_events")
def test_upcoming_page_links_keep_the_kind_filter(client: Any) -> None:
    html = _get(client, "/upcoming?kind=event&page=2")

    assert 'rel="prev" href="/upcoming?page=1&amp;kind=event"' in html
    assert 'rel="next" href="/upcoming?page=3&amp;kind=event"' in html


@SMALL_PAGES
@pytest.mark.usefixtures("five_events")
def test_upcoming_first_and_last_page_have_one_link(client: Any) -> None:
    first = _get(client, "/upcoming")
    last = _get(client, "/upcoming?page=3")

    assert ('rel="prev"' in first, 'rel="next"' in first) == (False, True)
    assert ('rel="prev"' in last, 'rel="next"' in last) == (True, False)


def test_upcoming_leaves_out_ended_items(
    client: Any, create_event: Any, create_delegation: Any, create_programme_item: Any
) -> None:
    create_event("Ended event", start=NOW - 3 * HOUR, hours=2)
    create_event("Running event", start=NOW - HOUR, hours=2)
    create_event("Event ending now", start=NOW - HOUR, hours=1)
    past_visit = create_delegation("Past visit", arrival=NOW - 5 * DAY, days=2)
    create_programme_item(
        "Item of past visit", delegation=past_visit, start=NOW - 4 * DAY
    )
    running_visit = create_delegation("Running visit", arrival=NOW - DAY, days=2)
    create_programme_item("Ended item", delegation=running_visit, start=NOW - 2 * HOUR)
    create_programme_item("Coming item", delegation=running_visit, start=NOW + 2 * HOUR)

    titles = shown_titles(_get(client, "/upcoming"))

    assert titles == [
        "Running visit",
        "Running event",
        "Event ending now",
        "Coming item",
    ]


def test_upcoming_shows_cancelled_items_marked(
    client: Any, create_event: Any, create_delegation: Any, create_programme_item: Any
) -> None:
    create_event("Cancelled event", start=NOW + DAY, status=EventStatus.cancelled)
    create_event(
        "Tentative event", start=NOW + DAY + HOUR, status=EventStatus.tentative
    )
    cancelled = create_delegation(
        "Cancelled visit", arrival=NOW + 2 * DAY, status=DelegationStatus.cancelled
    )
    create_programme_item(
        "Item of cancelled visit", delegation=cancelled, start=NOW + 2 * DAY + HOUR
    )
    confirmed = create_delegation("Confirmed visit", arrival=NOW + 5 * DAY)
    create_programme_item(
        "Item of confirmed visit", delegation=confirmed, start=NOW + 5 * DAY + HOUR
    )

    html = _get(client, "/upcoming")

    assert shown_entries(html) == [
        ShownEntry("event", "Cancelled event", True),
        ShownEntry("event", "Tentative event", False),
        ShownEntry("visit", "Cancelled visit", True),
        ShownEntry("programme", "Item of cancelled visit", True),
        ShownEntry("visit", "Confirmed visit", False),
        ShownEntry("programme", "Item of confirmed visit", False),
    ]
    assert html.count('class="badge badge--cancelled"') == 3


@pytest.fixture
def fill_calendar(
    create_organisation: Any,
    create_event: Any,
    create_delegation: Any,
    create_programme_item: Any,
) -> Any:
    """Return a function adding `n` items of each kind, each with its organiser, venue or city."""

    def _fill(n: int) -> None:
        for i in range(n):
            create_event(
                f"Event {i}",
                start=NOW + DAY + i * HOUR,
                organiser=create_organisation(),
            )
            city = City(name=f"City {i}", country="DE", relation=CityRelation.partner)
            venue = Venue(name=f"Venue {i}")
            visit = create_delegation(
                f"Visit {i}", arrival=NOW + 2 * DAY + i * HOUR, city=city
            )
            create_programme_item(
                f"Item {i}",
                delegation=visit,
                start=visit.arrival_dt + HOUR,
                venue=venue,
            )

    return _fill


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("n", [1, 3])
def test_upcoming_query_count_does_not_grow_with_items(
    client: Any, login: Any, create_user: Any, fill_calendar: Any, role: str, n: int
) -> None:
    fill_calendar(n)
    if role != "anonymous":
        login(create_user(role=Role(role)))
    # Requests share the test's app context, hence its session and Flask-Login's
    # cached user in `g`: start cold, as a real request would.
    db.session.remove()
    g.pop("_login_user", None)

    with count_statements() as statements:
        html = _get(client, "/upcoming")

    assert len(shown_titles(html)) == 3 * n
    # recurring series + count + page + one per kind + organisers, visits of
    # items, venues, cities; an admin adds their own row and the header's count
    # of submissions waiting for moderation.
    assert len(statements) == (10 if role == "anonymous" else 12), statements


@pytest.mark.parametrize(
    "app_settings", [{"HOME_UPCOMING_LIMIT": 20}], ids=["home_limit_20"]
)
@pytest.mark.parametrize("n", [1, 3])
def test_home_query_count_does_not_grow_with_items(
    client: Any, fill_calendar: Any, n: int
) -> None:
    fill_calendar(n)
    db.session.remove()

    with count_statements() as statements:
        html = _get(client, "/")

    assert len(shown_titles(html)) == 3 * n
    assert len(statements) == 10, statements


def test_upcoming_lists_a_series_once_at_its_next_occurrence(
    client: Any, create_event: Any
) -> None:
    # Weekly on Thursdays at 12:00 Oslo from four weeks ago; NOW is a Thursday 10:00 Oslo.
    create_event(
        "Weekly lunch", start=NOW - 4 * 7 * DAY + 2 * HOUR, rrule="FREQ=WEEKLY"
    )
    create_event("Ended series", start=NOW - 60 * DAY, rrule="FREQ=WEEKLY;COUNT=2")
    create_event("Tomorrow", start=NOW + DAY)

    html = _get(client, "/upcoming")
    home = _get(client, "/")

    assert shown_titles(html) == ["Weekly lunch", "Tomorrow"]
    assert shown_count(html) == 2
    assert shown_titles(home) == ["Weekly lunch", "Tomorrow"]
    whens = re.findall(r'<p class="entry__when">([^<]*)</p>', html)
    assert whens[0].endswith(", 12:00–14:00")
    assert whens[0].startswith("26.")
