"""Clash warnings: officials, venues, hosts, holidays, items outside their visit, queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.db import db
from app.delegations.models import DelegationStatus, Direction
from app.delegations.planner.clashes import (
    Clash,
    clashes_between,
    clashes_for_delegation,
    clashes_for_item,
)
from app.directory.models import Official, Venue
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)
#: Monday 30 November 2026, 08:00 in Oslo (UTC+1): a day with no holiday.
MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


@pytest.fixture
def english(app: Any) -> Iterator[None]:
    """Compute messages as for an English-speaking viewer in Oslo."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def norwegian(app: Any) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        yield


@pytest.fixture
def rita(app: Any) -> Official:
    official = Official(name="Rita Ottervik", title="Mayor")
    db.session.add(official)
    db.session.commit()
    return official


@pytest.fixture
def city_hall(app: Any) -> Venue:
    venue = Venue(name="City Hall")
    db.session.add(venue)
    db.session.commit()
    return venue


@pytest.fixture
def day_visit(create_delegation: Any) -> Any:
    """Return a function making a one-day visit on MONDAY (08:00-20:00 local)."""

    def _make(title: str = "Delegation from Hamburg", **kwargs: Any) -> Any:
        visit = create_delegation(title, arrival=MONDAY, days=0, **kwargs)
        visit.departure_dt = MONDAY + 12 * HOUR
        db.session.commit()
        return visit

    return _make


def _item(
    create_programme_item: Any, visit: Any, title: str, start: datetime, **kw: Any
) -> Any:
    return create_programme_item(title, delegation=visit, start=start, **kw)


def test_clashes_for_item_finds_official_at_overlapping_item(
    english: None, create_programme_item: Any, day_visit: Any, rita: Official
) -> None:
    hamburg, ntnu = day_visit(), day_visit("Delegation from NTNU's partners")
    meeting = _item(
        create_programme_item, hamburg, "Meeting", MONDAY + 3.5 * HOUR, officials=[rita]
    )
    _item(
        create_programme_item,
        ntnu,
        "Lunch with NTNU",
        MONDAY + 4 * HOUR,
        officials=[rita],
    )

    clashes = clashes_for_item(meeting)

    assert clashes == [
        Clash(
            "official",
            "Rita Ottervik is also at “Lunch with NTNU” (30 Nov 2026, 12:00–13:00).",
        )
    ]


def test_clashes_for_item_ignores_touching_items_and_other_officials(
    english: None, create_programme_item: Any, day_visit: Any, rita: Official
) -> None:
    deputy = Official(name="Deputy Mayor")
    db.session.add(deputy)
    visit = day_visit()
    meeting = _item(
        create_programme_item, visit, "Meeting", MONDAY + 3 * HOUR, officials=[rita]
    )
    # Starts when the meeting ends: touching is not overlapping.
    _item(create_programme_item, visit, "Lunch", MONDAY + 4 * HOUR, officials=[rita])
    # Overlaps, but with someone else.
    _item(create_programme_item, visit, "Tour", MONDAY + 3 * HOUR, officials=[deputy])

    assert clashes_for_item(meeting) == []


def test_clashes_for_item_ignores_cancelled_visits(
    english: None,
    create_programme_item: Any,
    day_visit: Any,
    rita: Official,
    city_hall: Venue,
) -> None:
    meeting = _item(
        create_programme_item,
        day_visit(),
        "Meeting",
        MONDAY + 3 * HOUR,
        officials=[rita],
        venue=city_hall,
    )
    cancelled = day_visit("Cancelled visit", status=DelegationStatus.cancelled)
    item = _item(
        create_programme_item,
        cancelled,
        "Lunch",
        MONDAY + 3 * HOUR,
        officials=[rita],
        venue=city_hall,
    )

    assert (clashes_for_item(meeting), clashes_for_item(item)) == ([], [])


def test_clashes_for_item_finds_double_booked_venue(
    english: None, create_programme_item: Any, day_visit: Any, city_hall: Venue
) -> None:
    other = Venue(name="Britannia Hotel")
    db.session.add(other)
    meeting = _item(
        create_programme_item,
        day_visit(),
        "Meeting",
        MONDAY + 3 * HOUR,
        venue=city_hall,
    )
    _item(
        create_programme_item,
        day_visit("Visit B"),
        "Lunch with NTNU",
        MONDAY + 3.5 * HOUR,
        venue=city_hall,
    )
    _item(
        create_programme_item,
        day_visit("Visit C"),
        "Dinner",
        MONDAY + 3 * HOUR,
        venue=other,
    )
    _item(
        create_programme_item,
        day_visit("Visit D"),
        "Reception",
        MONDAY + 4 * HOUR,
        venue=city_hall,
    )

    clashes = clashes_for_item(meeting)

    assert clashes == [
        Clash(
            "venue",
            "City Hall is also booked for “Lunch with NTNU” (30 Nov 2026, 11:30–12:30).",
        )
    ]


def test_clashes_for_delegation_finds_visit_with_same_host_organisation(
    english: None, day_visit: Any, create_organisation: Any
) -> None:
    ntnu = create_organisation("NTNU", name="NTNU")
    hamburg = day_visit(host_organisation=ntnu)
    day_visit("Delegation from Pune", host_organisation=ntnu)
    # Neighbours: an outgoing visit, a visit that starts when ours ends, another host.
    day_visit("Trip to Hamburg", host_organisation=ntnu, direction=Direction.outgoing)
    later = day_visit("Later delegation", host_organisation=ntnu)
    later.arrival_dt, later.departure_dt = MONDAY + 12 * HOUR, MONDAY + 20 * HOUR
    day_visit("Other host", host_organisation=create_organisation())
    db.session.commit()

    clashes = clashes_for_delegation(hamburg)

    assert clashes == [
        Clash(
            "host_overlap",
            "“Delegation from Pune” (30 Nov 2026, 08:00–20:00) has the same host organisation, NTNU.",
        )
    ]


def test_clashes_for_delegation_finds_visit_with_same_host_contact(
    english: None, day_visit: Any, create_user: Any
) -> None:
    kari = create_user(name="Kari Nordmann")
    hamburg = day_visit(host_contact=kari)
    day_visit("Delegation from Pune", host_contact=kari)
    day_visit(
        "Cancelled delegation", host_contact=kari, status=DelegationStatus.cancelled
    )

    clashes = clashes_for_delegation(hamburg)

    assert clashes == [
        Clash(
            "host_overlap",
            "“Delegation from Pune” (30 Nov 2026, 08:00–20:00) has the same host contact, Kari Nordmann.",
        )
    ]


def test_clashes_for_delegation_warns_of_arrival_on_constitution_day(
    english: None, create_delegation: Any
) -> None:
    visit = create_delegation(arrival=datetime(2027, 5, 17, 8, 0, tzinfo=UTC))

    assert clashes_for_delegation(visit) == [
        Clash(
            "holiday",
            "The visit arrives on a public holiday: Constitution Day; Pentecost Monday (17 May 2027).",
        )
    ]


def test_clashes_for_item_dates_holiday_in_visit_zone(
    english: None, create_delegation: Any, create_programme_item: Any
) -> None:
    visit = create_delegation(arrival=datetime(2026, 12, 24, 12, 0, tzinfo=UTC), days=3)
    # 23:30 UTC on 24 December is 00:30 on Christmas Day in Oslo.
    christmas = _item(
        create_programme_item,
        visit,
        "Night walk",
        datetime(2026, 12, 24, 23, 30, tzinfo=UTC),
    )
    # 22:30 UTC is 23:30 on Christmas Eve, not a public holiday.
    eve = _item(
        create_programme_item,
        visit,
        "Evening walk",
        datetime(2026, 12, 24, 21, 30, tzinfo=UTC),
    )

    assert (clashes_for_item(christmas), clashes_for_item(eve)) == (
        [
            Clash(
                "holiday",
                "“Night walk” is on a public holiday: Christmas Day (25 Dec 2026).",
            )
        ],
        [],
    )


def test_clashes_for_item_names_holiday_in_norwegian(
    norwegian: None, create_delegation: Any, create_programme_item: Any
) -> None:
    visit = create_delegation(arrival=datetime(2026, 12, 24, 12, 0, tzinfo=UTC), days=3)
    item = _item(
        create_programme_item,
        visit,
        "Nattvandring",
        datetime(2026, 12, 24, 23, 30, tzinfo=UTC),
    )

    assert [c.kind for c in clashes_for_item(item)] == ["holiday"]
    assert "Første juledag" in clashes_for_item(item)[0].message


def test_clashes_for_item_warns_when_outside_visit(
    english: None, create_programme_item: Any, day_visit: Any
) -> None:
    visit = day_visit()
    early = _item(
        create_programme_item, visit, "Airport pick-up", MONDAY - HOUR, hours=1.5
    )
    # From arrival to departure exactly: inside.
    whole = _item(create_programme_item, visit, "Whole day", MONDAY, hours=12)

    assert (clashes_for_item(early), clashes_for_item(whole)) == (
        [
            Clash(
                "outside_visit",
                "“Airport pick-up” (30 Nov 2026, 07:00–08:30) is outside the visit (30 Nov 2026, 08:00–20:00).",
            )
        ],
        [],
    )


def test_clashes_for_delegation_reports_pair_within_visit_once(
    english: None, create_programme_item: Any, day_visit: Any, rita: Official
) -> None:
    visit = day_visit()
    _item(create_programme_item, visit, "Meeting", MONDAY + 3 * HOUR, officials=[rita])
    _item(create_programme_item, visit, "Lunch", MONDAY + 3.5 * HOUR, officials=[rita])

    clashes = clashes_for_delegation(visit)

    assert clashes == [
        Clash(
            "official", "Rita Ottervik is also at “Lunch” (30 Nov 2026, 11:30–12:30)."
        )
    ]


def test_clashes_between_shows_pair_on_both_items_and_counts_it_once(
    english: None, create_programme_item: Any, day_visit: Any, rita: Official
) -> None:
    meeting = _item(
        create_programme_item,
        day_visit(),
        "Meeting",
        MONDAY + 3 * HOUR,
        officials=[rita],
    )
    lunch = _item(
        create_programme_item,
        day_visit("Visit B"),
        "Lunch",
        MONDAY + 3.5 * HOUR,
        officials=[rita],
    )
    early = _item(create_programme_item, day_visit("Visit C"), "Pick-up", MONDAY - HOUR)

    result = clashes_between(MONDAY - 2 * HOUR, MONDAY + 24 * HOUR)

    assert result.count == 2
    assert {k: [c.kind for c in v] for k, v in result.by_item.items()} == {
        meeting.id: ["official"],
        lunch.id: ["official"],
        early.id: ["outside_visit"],
    }
    assert result.by_delegation == {}


@pytest.mark.parametrize("n", [1, 3])
def test_clashes_between_query_count_does_not_grow_with_items(
    english: None,
    create_programme_item: Any,
    day_visit: Any,
    create_organisation: Any,
    rita: Official,
    city_hall: Venue,
    n: int,
) -> None:
    host = create_organisation()
    for i in range(n):
        visit = day_visit(f"Visit {i}", host_organisation=host)
        _item(
            create_programme_item,
            visit,
            f"Item {i}",
            MONDAY + i * HOUR,
            officials=[rita],
            venue=city_hall,
            hours=1.5,
        )
    db.session.expire_all()

    with count_statements() as statements:
        result = clashes_between(MONDAY, MONDAY + 24 * HOUR)

    # Each item overlaps its neighbours (official and venue); every visit shares the host.
    assert result.count == 2 * (n - 1) + n * (n - 1) // 2
    # Items (with visits, venues), officials, visits, then official, venue and host pairs.
    assert len(statements) == 6, statements


def test_clashes_for_item_dates_holiday_in_visit_own_zone(
    english: None, create_delegation: Any, create_programme_item: Any
) -> None:
    visit = create_delegation(
        "Trip to Mumbai",
        arrival=datetime(2026, 12, 24, 6, 0, tzinfo=UTC),
        days=3,
        direction=Direction.outgoing,
        timezone="Asia/Kolkata",
    )
    # 19:00 UTC on 24 December: 20:00 in Oslo, but 00:30 on Christmas Day in Mumbai.
    item = _item(
        create_programme_item,
        visit,
        "Midnight reception",
        datetime(2026, 12, 24, 19, 0, tzinfo=UTC),
    )

    assert clashes_for_item(item) == [
        Clash(
            "holiday",
            "“Midnight reception” is on a public holiday: Christmas Day (25 Dec 2026).",
        )
    ]
