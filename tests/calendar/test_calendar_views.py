"""The calendar page's day and three-day views, its folded filters, and search on every date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.visibility import Visibility
from tests.calendar.pages import shown_titles
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """ "Today" is the builders' NOW: Thursday 26 November 2026, 10:00 in Oslo."""
    time_machine.move_to(NOW, tick=False)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _get(client: Any, url: str) -> str:
    response = client.get(url, headers=ENGLISH)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture
def days(create_event: Any) -> None:
    """One public event at noon on each of 25 to 30 November 2026."""
    for day in range(25, 31):
        create_event(f"Noon {day} November", start=_utc(2026, 11, day, 11))


@pytest.mark.usefixtures("days")
@pytest.mark.parametrize(
    ("query", "titles", "previous", "following"),
    [
        ("view=day&date=2026-11-27", ["Noon 27 November"], "2026-11-26", "2026-11-28"),
        (
            "view=3days&date=2026-11-27",
            ["Noon 27 November", "Noon 28 November", "Noon 29 November"],
            "2026-11-24",
            "2026-11-30",
        ),
        ("view=day", ["Noon 26 November"], "2026-11-25", "2026-11-27"),
    ],
)
def test_day_and_three_day_views_list_their_days_and_step_by_them(
    client: Any, query: str, titles: list[str], previous: str, following: str
) -> None:
    html = _get(client, f"/calendar?{query}")

    prev = re.search(r'<a rel="prev" href="[^"]*date=([\d-]+)', html)
    nxt = re.search(r'<a rel="next" href="[^"]*date=([\d-]+)', html)
    assert shown_titles(html) == titles
    assert (prev and prev.group(1), nxt and nxt.group(1)) == (previous, following)


def test_a_view_the_calendar_does_not_have_is_refused_in_words(client: Any) -> None:
    response = client.get("/calendar?view=year", headers=ENGLISH)

    assert response.status_code == 400
    assert (
        "<p>“view=year” is not a view of the calendar: use month, week, 3days, day, "
        "list.</p>"
    ) in response.get_data(as_text=True)


@pytest.mark.usefixtures("days")
def test_the_grid_settings_say_which_view_and_whether_the_reader_chose_it(
    client: Any,
) -> None:
    default = _get(client, "/calendar")
    chosen = _get(client, "/calendar?view=3days&date=2026-11-27")

    assert 'data-view="month"' in default
    assert 'data-view-chosen="0"' in default
    assert 'data-view="3days"' in chosen
    assert 'data-view-chosen="1"' in chosen
    # FullCalendar is loaded by calendar.js only where a grid is drawn.
    assert 'index.global.min.js"></script>' not in default


# ---- folded filters ----------------------------------------------------------


def test_filters_are_folded_and_say_how_many_are_on(
    client: Any, create_organisation: Any
) -> None:
    ntnu = create_organisation("NTNU")

    plain = _get(client, "/calendar")
    narrowed = _get(client, f"/calendar?kind=event&organisation={ntnu.id}")
    every_kind = _get(client, "/calendar?kind=event&kind=programme&kind=visit")

    assert '<details class="calendar-filters-fold">' in plain
    assert "<summary>Filters and search</summary>" in plain
    assert "<summary>Filters and search (2 on)</summary>" in narrowed
    assert "<summary>Filters and search</summary>" in every_kind
    # No kind chosen is every kind: every box shows ticked.
    assert len(re.findall(r'name="kind" value="\w+" checked', plain)) == 3


@pytest.mark.usefixtures("days")
def test_unticking_every_kind_shows_nothing_and_says_why(client: Any) -> None:
    html = _get(client, "/calendar?view=month&date=2026-11-26&kinds=chosen")

    assert shown_titles(html) == []
    assert "Every kind of entry is unticked, so nothing is shown." in html
    assert '<details class="calendar-filters-fold" open>' in html
    assert re.findall(r'name="kind" value="\w+" checked', html) == []


@pytest.mark.usefixtures("days")
def test_a_link_without_kinds_still_shows_every_kind(client: Any) -> None:
    html = _get(client, "/calendar?view=day&date=2026-11-27")

    assert shown_titles(html) == ["Noon 27 November"]


# ---- search on every date ------------------------------------------------------


@pytest.fixture
def harbour(
    create_event: Any, create_delegation: Any, create_programme_item: Any
) -> dict[str, Any]:
    """Harbour entries on dates far apart, one of them for staff only, one a series."""
    create_event("Harbour day 2025", start=_utc(2025, 6, 1, 10))
    create_event("Harbour talk last week", start=NOW - timedelta(days=7))
    create_event("Harbour walk tomorrow", start=NOW + timedelta(days=1))
    create_event("Harbour fair 2028", start=_utc(2028, 3, 1, 10))
    create_event(
        "Harbour budget", start=NOW + timedelta(days=2), visibility=Visibility.internal
    )
    create_event(
        "Monthly HARBOUR forum",
        start=_utc(2026, 1, 5, 10),
        rrule="FREQ=MONTHLY;BYMONTHDAY=5",
    )
    create_event("Choir evening", start=NOW + timedelta(days=3))
    visit = create_delegation(
        "Delegation from Hamburg",
        arrival=NOW + timedelta(days=10),
        visibility=Visibility.public,
        foreign_organisations="Hamburg Port Authority",
    )
    create_programme_item(
        "Boat trip",
        delegation=visit,
        start=NOW + timedelta(days=10, hours=2),
        location="Harbour quay",
    )
    return {"visit": visit}


@pytest.mark.usefixtures("harbour")
def test_search_finds_matches_on_every_date_nearest_first(client: Any) -> None:
    html = _get(client, "/calendar?view=month&date=2026-11-26&q=harbour")

    coming, _, earlier = html.partition("Earlier, latest first")
    assert shown_titles(coming) == [
        "Harbour walk tomorrow",
        "Monthly HARBOUR forum",
        "Boat trip",
        "Harbour fair 2028",
    ]
    assert shown_titles(earlier) == ["Harbour talk last week", "Harbour day 2025"]
    assert "<h1>Search the calendar</h1>" in html
    assert "6 items found" in html
    assert "Harbour budget" not in html
    assert "Choir evening" not in html
    assert 'id="calendar-app"' not in html


@pytest.mark.usefixtures("harbour")
def test_search_shows_a_series_at_its_next_date_and_staff_their_own_entries(
    client: Any, create_user: Any, login: Any
) -> None:
    from app.auth.models import Role  # noqa: PLC0415 -- only this test logs in

    login(create_user(role=Role.mayors_office, locale="en"))
    html = _get(client, "/calendar?q=harbour&kind=event")

    assert "Harbour budget" in html
    assert "Boat trip" not in html
    # The monthly series meets on the 5th: the next one after 26 November 2026.
    series = html[
        html.index("Monthly HARBOUR forum") - 600 : html.index("Monthly HARBOUR forum")
    ]
    assert "5 Dec 2026" in series


@pytest.mark.usefixtures("harbour")
def test_search_that_finds_nothing_says_so(client: Any) -> None:
    html = _get(client, "/calendar?q=nowhere+at+all")

    assert "0 items found" in html
    assert "Nothing in the calendar matches, on any date." in html


def test_organisations_are_named_once_and_sorted_as_people_sort(
    client: Any, create_organisation: Any
) -> None:
    create_organisation("NTNU", name="Norges teknisk-naturvitenskapelige universitet")
    create_organisation("SINTEF", name="SINTEF")
    create_organisation("ÅK", name="Ålesund kommune")
    create_organisation("NiT", name="Næringsforeningen i Trondheimsregionen")
    create_organisation("IN", name="Innovasjon Norge")

    html = _get(client, "/calendar")
    picker = html[html.index('id="filter-organisation"') :]
    picker = picker[: picker.index("</select>")]

    assert re.findall(r'<option value="\d+" >([^<]*)</option>', picker) == [
        "IN – Innovasjon Norge",
        "NiT – Næringsforeningen i Trondheimsregionen",
        "NTNU – Norges teknisk-naturvitenskapelige universitet",
        "SINTEF",
        "ÅK – Ålesund kommune",
    ]
