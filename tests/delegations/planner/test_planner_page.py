"""The planner page: the window's visits and items by day, clash warnings, navigation, access."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import g

from app.auth.models import Role
from app.core.db import db
from app.delegations.models import DelegationStatus
from app.directory.models import Official, Venue
from tests.delegations.planner.pages import ShownDay, read_planner
from tests.fixtures.builders import NOW
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)
#: Monday 30 November 2026, 08:00 in Oslo: within the default window from NOW.
MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """The planner's default window starts today: pin it to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(create_user: Any, login: Any) -> Any:
    user = create_user(role=Role.mayors_office, locale="en")
    login(user)
    return user


@pytest.fixture
def day_visit(create_delegation: Any) -> Any:
    def _make(title: str, start: datetime = MONDAY, **kwargs: Any) -> Any:
        visit = create_delegation(title, arrival=start, days=0, **kwargs)
        visit.departure_dt = start + 12 * HOUR
        db.session.commit()
        return visit

    return _make


def _get(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_show_planner_lists_window_by_day_with_clashes(
    client: Any,
    staff: Any,
    day_visit: Any,
    create_programme_item: Any,
    create_organisation: Any,
) -> None:
    rita = Official(name="Rita Ottervik")
    ntnu = create_organisation("NTNU", name="NTNU")
    hamburg = day_visit("Delegation from Hamburg", host_organisation=ntnu)
    pune = day_visit("Delegation from Pune", host_organisation=ntnu)
    create_programme_item(
        "Meeting", delegation=hamburg, start=MONDAY + 3 * HOUR, officials=[rita]
    )
    create_programme_item(
        "Lunch with NTNU", delegation=pune, start=MONDAY + 3.5 * HOUR, officials=[rita]
    )
    later = day_visit("Spring delegation", start=datetime(2027, 2, 1, 8, tzinfo=UTC))
    create_programme_item("Spring meeting", delegation=later)
    day_visit("Cancelled delegation", status=DelegationStatus.cancelled)

    page = read_planner(_get(client, "/planner/"))

    assert page.count == "2 clashes in these weeks"
    assert page.visits == ["Delegation from Hamburg", "Delegation from Pune"]
    assert page.days == [
        ShownDay(
            "Monday, 30 November 2026",
            [
                "Arrival: Delegation from Hamburg",
                "Arrival: Delegation from Pune",
                "Meeting",
                "Lunch with NTNU",
                "Departure: Delegation from Hamburg",
                "Departure: Delegation from Pune",
            ],
        )
    ]
    assert page.clashes == {
        "Delegation from Hamburg": [
            "Clash: “Delegation from Pune” (30 Nov 2026, 08:00–20:00) has the same host organisation, NTNU."
        ],
        "Delegation from Pune": [
            "Clash: “Delegation from Hamburg” (30 Nov 2026, 08:00–20:00) has the same host organisation, NTNU."
        ],
        "Meeting": [
            "Clash: Rita Ottervik is also at “Lunch with NTNU” (30 Nov 2026, 11:30–12:30)."
        ],
        "Lunch with NTNU": [
            "Clash: Rita Ottervik is also at “Meeting” (30 Nov 2026, 11:00–12:00)."
        ],
    }


def test_show_planner_links_visits_to_their_pages(
    client: Any, staff: Any, day_visit: Any
) -> None:
    visit = day_visit("Delegation from Hamburg")

    html = _get(client, "/planner/")

    assert (
        html.count(f'href="/visits/{visit.id}"') == 3
    )  # the visit, its arrival and departure


def test_show_planner_shows_requested_weeks_with_previous_and_next(
    client: Any, staff: Any, day_visit: Any, create_programme_item: Any
) -> None:
    day_visit("Delegation from Hamburg")
    later = day_visit("Spring delegation", start=datetime(2027, 2, 1, 8, tzinfo=UTC))
    create_programme_item("Spring meeting", delegation=later)

    page = read_planner(_get(client, "/planner/?from=2027-02-01&weeks=2"))

    assert page.visits == ["Spring delegation"]
    assert [d.entries for d in page.days] == [
        ["Arrival: Spring delegation", "Spring meeting", "Departure: Spring delegation"]
    ]
    assert page.count == "0 clashes in these weeks"
    assert page.links == {
        "prev": "/planner/?from=2027-01-18&weeks=2",
        "next": "/planner/?from=2027-02-15&weeks=2",
    }


def test_show_planner_falls_back_on_bad_parameters(client: Any, staff: Any) -> None:
    page = read_planner(_get(client, "/planner/?from=not-a-date&weeks=99"))

    # Today (26 November 2026) and the most weeks allowed, 12.
    assert page.links == {
        "prev": "/planner/?from=2026-09-03&weeks=12",
        "next": "/planner/?from=2027-02-18&weeks=12",
    }
    assert page.days == []


def test_show_planner_groups_by_day_in_viewer_zone(
    client: Any,
    create_user: Any,
    login: Any,
    day_visit: Any,
    create_programme_item: Any,
) -> None:
    login(create_user(role=Role.admin, locale="en", timezone="Asia/Kolkata"))
    visit = day_visit("Delegation from Pune")
    # 20:00 UTC on Monday is 01:30 on Tuesday in Kolkata.
    create_programme_item("Late call", delegation=visit, start=MONDAY + 13 * HOUR)
    visit.departure_dt = MONDAY + 14 * HOUR
    db.session.commit()

    html = _get(client, "/planner/")
    page = read_planner(html)

    assert page.days == [
        ShownDay("Monday, 30 November 2026", ["Arrival: Delegation from Pune"]),
        ShownDay(
            "Tuesday, 1 December 2026",
            ["Late call", "Departure: Delegation from Pune"],
        ),
    ]
    assert re.findall(r'class="planner__when">([^<]*)<', html) == [
        "12:30",
        "01:30–02:30",
        "02:30",
    ]


def test_show_planner_refuses_members(
    client: Any, create_user: Any, login: Any
) -> None:
    login(create_user(role=Role.member, locale="en"))

    response = client.get("/planner/")

    assert response.status_code == 403


def test_show_planner_sends_anonymous_to_login(client: Any) -> None:
    response = client.get("/planner/")

    assert (response.status_code, response.location.split("?")[0]) == (302, "/login")


@pytest.mark.parametrize("n", [1, 3])
def test_show_planner_query_count_does_not_grow_with_items(
    client: Any, staff: Any, day_visit: Any, create_programme_item: Any, n: int
) -> None:
    rita, venue = Official(name="Rita Ottervik"), Venue(name="City Hall")
    for i in range(n):
        visit = day_visit(f"Visit {i}", start=MONDAY + i * timedelta(days=1))
        create_programme_item(
            f"Item {i}", delegation=visit, officials=[rita], venue=venue
        )
    # Requests share the test's app context: start cold, as a real request would.
    db.session.remove()
    g.pop("_login_user", None)

    with count_statements() as statements:
        page = read_planner(_get(client, "/planner/"))

    assert len(page.days) == n
    # The user, items (with visits and venues), officials, visits, three pair queries.
    assert len(statements) == 7, statements
