"""What the feeds publish: edits, cancellations, the window, filters, recurrence, queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import sqlalchemy as sa

from app.calendar.models import EventStatus
from app.calendar.services import CalendarFilters, EntryKind
from app.core.calendar_object import PRODID
from app.core.db import db
from app.core.visibility import Audience, Visibility
from app.delegations.models import DelegationStatus, Direction, Participant
from app.directory.models import City, CityRelation, Initiative, Theme, Venue
from app.feeds.services import (
    FeedContent,
    assemble_feed,
    collect_feed,
    feed_bytes,
    feed_items,
)
from calendar_feeds import ZoneSpan, build_calendar
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

OSLO = ZoneInfo("Europe/Oslo")
KEEP = timedelta(days=30)
WINDOW_START = NOW - timedelta(days=90)
#: The zone an empty feed carries.
OSLO_SPAN = ZoneSpan("Europe/Oslo", NOW.date(), NOW.date())


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> Any:
    """The views and the sequence listener read the clock; pin it to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


def _blocks(body: bytes) -> dict[str, bytes]:
    """Return each VEVENT block of a feed by its UID, as served."""
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", body, flags=re.DOTALL)
    result = {}
    for block in blocks:
        event = icalendar.Event.from_ical(block)
        result[str(event["UID"])] = block
    return result


def _events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _uids(audience: Audience = Audience.public, **filters: Any) -> set[str]:
    return {
        item.uid
        for item in feed_items(
            audience,
            filters=CalendarFilters(**filters),
            window_start=WINDOW_START,
            now=NOW,
            language="en",
            keep_cancelled=KEEP,
        )
    }


def test_editing_an_event_raises_sequence_and_last_modified_and_changes_nothing_else(
    client, create_event, clock
):
    edited = create_event("Forum meeting")
    other = create_event("Consuls' lunch", start=NOW + timedelta(days=3))
    before = client.get("/feeds/public.ics").data
    clock.move_to(NOW + timedelta(hours=5), tick=False)

    edited.start_dt += timedelta(hours=1)
    edited.end_dt += timedelta(hours=1)
    db.session.commit()
    after = client.get("/feeds/public.ics").data

    old, new = _events(before)[edited.uid], _events(after)[edited.uid]
    assert (int(old["SEQUENCE"]), int(new["SEQUENCE"])) == (0, 1)
    assert old["LAST-MODIFIED"].dt == NOW
    assert new["LAST-MODIFIED"].dt == NOW + timedelta(hours=5)
    assert new["DTSTART"].dt == datetime(2026, 12, 3, 11, 0, tzinfo=OSLO)
    assert _blocks(after)[other.uid] == _blocks(before)[other.uid]
    assert set(_blocks(after)) == {edited.uid, other.uid}


def test_cancelling_an_event_emits_status_cancelled_and_changes_nothing_else(
    client, create_event, clock
):
    cancelled = create_event("Forum meeting")
    other = create_event("Consuls' lunch", start=NOW + timedelta(days=3))
    before = client.get("/feeds/public.ics").data
    clock.move_to(NOW + timedelta(hours=1), tick=False)

    cancelled.status = EventStatus.cancelled
    db.session.commit()
    after = client.get("/feeds/public.ics").data

    event = _events(after)[cancelled.uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert _blocks(after)[other.uid] == _blocks(before)[other.uid]


def test_cancelled_item_stays_thirty_days_after_its_last_change_then_leaves(
    client, create_event, clock
):
    event = create_event("Forum meeting", start=NOW + timedelta(days=60))
    event.status = EventStatus.cancelled
    db.session.commit()

    clock.move_to(NOW + timedelta(days=29), tick=False)
    day_29 = _events(client.get("/feeds/public.ics").data)
    clock.move_to(NOW + timedelta(days=31), tick=False)
    day_31 = client.get("/feeds/public.ics")

    assert str(day_29[event.uid]["STATUS"]) == "CANCELLED"
    assert _events(day_31.data) == {}
    # The removal moved Last-Modified forward: If-Modified-Since clients refetch.
    assert day_31.last_modified == NOW + timedelta(days=30)


def test_item_leaving_the_window_moves_last_modified_to_when_it_left(
    client, create_event, clock
):
    clock.move_to(NOW - timedelta(days=200), tick=False)
    kept = create_event("Still ahead", start=NOW + timedelta(days=7))
    create_event("Ended 100 days ago", start=NOW - timedelta(days=100), hours=2)
    clock.move_to(NOW, tick=False)

    response = client.get("/feeds/public.ics")

    assert set(_events(response.data)) == {kept.uid}
    assert response.last_modified == NOW - timedelta(days=10) + timedelta(hours=2)


def test_cancelled_visit_takes_its_programme_items_as_cancelled_for_thirty_days(
    create_delegation, create_programme_item, clock
):
    visit = create_delegation("Delegation from Hamburg")
    item = create_programme_item("Welcome at City Hall", delegation=visit)
    visit.status = DelegationStatus.cancelled
    db.session.commit()

    statuses = {
        i.uid: i.status
        for i in feed_items(
            Audience.public,
            filters=CalendarFilters(),
            window_start=WINDOW_START,
            now=NOW + timedelta(days=29),
            language="en",
            keep_cancelled=KEEP,
        )
    }
    later = feed_items(
        Audience.public,
        filters=CalendarFilters(),
        window_start=WINDOW_START,
        now=NOW + timedelta(days=31),
        language="en",
        keep_cancelled=KEEP,
    )

    assert statuses == {visit.uid: "CANCELLED", item.uid: "CANCELLED"}
    assert later == []


def test_feed_window_starts_ninety_days_back_and_reaches_all_future(create_event):
    create_event("Too old", start=NOW - timedelta(days=91), hours=2)
    recent = create_event("Recent", start=NOW - timedelta(days=89))
    far = create_event("Far ahead", start=NOW + timedelta(days=3 * 365))
    series = create_event(
        "Weekly since last year",
        start=NOW - timedelta(days=400),
        rrule="FREQ=WEEKLY",
    )
    create_event(
        "Series that ended",
        start=NOW - timedelta(days=400),
        rrule="FREQ=WEEKLY;COUNT=3",
    )

    uids = _uids()

    assert uids == {recent.uid, far.uid, series.uid}


def test_recurring_series_is_published_whole_with_its_rule_and_exceptions(
    create_event,
):
    start = datetime(2026, 9, 3, 7, 0, tzinfo=UTC)
    series = create_event(
        "Forum breakfast",
        start=start,
        rrule="FREQ=WEEKLY",
        exdates="2026-09-10T09:00",
    )

    [item] = feed_items(
        Audience.public,
        filters=CalendarFilters(),
        window_start=WINDOW_START,
        now=NOW,
        language="en",
        keep_cancelled=KEEP,
    )

    assert (item.uid, item.start_dt, item.rrule) == (series.uid, start, "FREQ=WEEKLY")
    assert item.exdates == (
        datetime(2026, 9, 10, 9, 0, tzinfo=OSLO).replace(tzinfo=None),
    )


def test_weekly_oslo_series_stays_at_nine_across_the_october_change(
    client, create_event
):
    series = create_event(
        "Forum breakfast",
        start=datetime(2026, 10, 15, 7, 0, tzinfo=UTC),  # 09:00 in Oslo (CEST)
        rrule="FREQ=WEEKLY",
    )
    calendar = icalendar.Calendar.from_ical(client.get("/feeds/public.ics").data)

    found = recurring_ical_events.of(calendar).between(
        date(2026, 10, 15), date(2026, 11, 6)
    )

    assert [(o["UID"], o["DTSTART"].dt) for o in found] == [
        (series.uid, datetime.combine(day, time(9, 0), tzinfo=OSLO))
        for day in (
            date(2026, 10, 15),
            date(2026, 10, 22),
            date(2026, 10, 29),
            date(2026, 11, 5),
        )
    ]
    assert [o["DTSTART"].dt.utcoffset() for o in found] == [
        timedelta(hours=2),
        timedelta(hours=2),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


@pytest.fixture
def directory(app, create_organisation) -> dict[str, Any]:
    india = Initiative(slug="india", title="India 2011", programme_period="2011")
    china = Initiative(slug="china", title="China follow-up", programme_period="2011")
    energy = Theme(slug="energy", name_nb="Energi", name_en="Energy")
    culture = Theme(slug="culture", name_nb="Kultur", name_en="Culture")
    db.session.add_all([india, china, energy, culture])
    db.session.commit()
    return {
        "india": india,
        "china": china,
        "energy": energy,
        "culture": culture,
        "ntnu": create_organisation("NTNU"),
        "sintef": create_organisation("SINTEF"),
    }


@pytest.fixture
def filtered(
    directory, create_event, create_delegation, create_programme_item
) -> dict[str, Any]:
    d = directory
    made = {
        "india_event": create_event(
            "India event",
            initiative_id=d["india"].id,
            organiser_id=d["ntnu"].id,
            themes=[d["energy"]],
        ),
        "china_event": create_event(
            "China event",
            initiative_id=d["china"].id,
            organiser_id=d["sintef"].id,
            themes=[d["culture"]],
        ),
        "plain_event": create_event("Plain event"),
    }
    visit = create_delegation(
        "India visit",
        initiative_id=d["india"].id,
        host_organisation_id=d["sintef"].id,
        themes=[d["energy"]],
    )
    made["india_visit"] = visit
    made["india_item"] = create_programme_item(
        "India item", delegation=visit, responsible_organisation_id=d["ntnu"].id
    )
    return made


def _expect(filtered: dict[str, Any], *names: str) -> set[str]:
    return {filtered[name].uid for name in names}


def test_feed_filters_by_initiative_repeatably(directory, filtered):
    india, china = directory["india"].id, directory["china"].id

    assert _uids(initiative_ids=frozenset({india})) == _expect(
        filtered, "india_event", "india_visit", "india_item"
    )
    assert _uids(initiative_ids=frozenset({india, china})) == _expect(
        filtered, "india_event", "china_event", "india_visit", "india_item"
    )


def test_feed_filters_by_organisation_repeatably(directory, filtered):
    ntnu, sintef = directory["ntnu"].id, directory["sintef"].id

    assert _uids(organisation_ids=frozenset({ntnu})) == _expect(
        filtered, "india_event", "india_item"
    )
    assert _uids(organisation_ids=frozenset({ntnu, sintef})) == _expect(
        filtered, "india_event", "china_event", "india_visit", "india_item"
    )


def test_feed_filters_by_theme_repeatably(directory, filtered):
    energy, culture = directory["energy"].id, directory["culture"].id

    assert _uids(theme_ids=frozenset({culture})) == _expect(filtered, "china_event")
    assert _uids(theme_ids=frozenset({energy, culture})) == _expect(
        filtered, "india_event", "china_event", "india_visit", "india_item"
    )


def test_feed_filters_by_kind_repeatably(filtered):
    assert _uids(kinds=frozenset({EntryKind.visit})) == _expect(filtered, "india_visit")
    assert _uids(kinds=frozenset({EntryKind.event, EntryKind.programme})) == _expect(
        filtered, "india_event", "china_event", "plain_event", "india_item"
    )


def test_feed_url_query_parameters_filter_like_the_calendar_page(
    client, directory, filtered
):
    india, energy = directory["india"].id, directory["energy"].id

    body = client.get(
        f"/feeds/public.ics?initiative={india}&theme={energy}&kind=event&kind=visit"
    ).data

    assert set(_events(body)) == _expect(filtered, "india_event", "india_visit")


def test_programme_item_publishes_place_zone_status_and_public_description_only(
    app, create_delegation, create_programme_item
):
    venue = Venue(name="Storsal", address="Munkegata 1")
    city = City(name="Mumbai", country="IN", relation=CityRelation.none)
    db.session.add_all([venue, city])
    visit = create_delegation(
        "Outgoing visit to Mumbai",
        direction=Direction.outgoing,
        timezone="Asia/Kolkata",
        status=DelegationStatus.tentative,
        city=city,
        country="IN",
        notes="Internal note Qwertyx",
        head_of_delegation="Ms Head Plinkett",
    )
    item = create_programme_item(
        "Port visit",
        delegation=visit,
        venue=venue,
        location="Pier 4",
        description="Tour of the port.",
        responsible_person="Ms Responsible Vrooman",
    )
    db.session.add(Participant(delegation=visit, name="Zebulon Quixworth"))
    db.session.commit()

    items = {
        i.uid: i
        for i in feed_items(
            Audience.staff,
            filters=CalendarFilters(),
            window_start=WINDOW_START,
            now=NOW,
            language="en",
            keep_cancelled=KEEP,
        )
    }

    published = items[item.uid]
    assert (
        published.title,
        published.location,
        published.timezone,
        published.status,
        published.description,
        published.categories,
        published.url,
    ) == (
        "Port visit",
        "Storsal, Munkegata 1, Pier 4",
        "Asia/Kolkata",
        "TENTATIVE",
        "Tour of the port.",
        ("Visit programme",),
        f"http://vertskap.test/visits/{visit.id}#item-{item.id}",
    )
    span = items[visit.uid]
    assert (span.location, span.timezone, span.status, span.description) == (
        "Mumbai, India",
        "Asia/Kolkata",
        "TENTATIVE",
        "",
    )
    text = repr(list(items.values()))
    for secret in ("Qwertyx", "Plinkett", "Vrooman", "Quixworth"):
        assert secret not in text


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (DelegationStatus.enquiry, "TENTATIVE"),
        (DelegationStatus.tentative, "TENTATIVE"),
        (DelegationStatus.confirmed, "CONFIRMED"),
        (DelegationStatus.completed, "CONFIRMED"),
        (DelegationStatus.cancelled, "CANCELLED"),
    ],
)
def test_programme_item_status_follows_its_visit(
    create_programme_item, create_delegation, status, expected
):
    item = create_programme_item(delegation=create_delegation(status=status))

    statuses = {
        i.uid: i.status
        for i in feed_items(
            Audience.public,
            filters=CalendarFilters(kinds=frozenset({EntryKind.programme})),
            window_start=WINDOW_START,
            now=NOW,
            language="en",
            keep_cancelled=KEEP,
        )
    }

    assert statuses == {item.uid: expected}


def test_event_item_links_to_its_own_page(create_event):
    event = create_event("Forum meeting", url="https://example.org/meeting")

    [item] = feed_items(
        Audience.public,
        filters=CalendarFilters(),
        window_start=WINDOW_START,
        now=NOW,
        language="en",
        keep_cancelled=KEEP,
    )

    assert item.url == f"http://vertskap.test/events/{event.id}"


def _count_queries(run: Any) -> int:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def _seed(
    ids: range, directory, create_event, create_delegation, create_programme_item
):
    for i in ids:
        create_event(
            f"Event {i}",
            themes=[directory["energy"], directory["culture"]],
            organiser_id=directory["ntnu"].id,
        )
        visit = create_delegation(
            f"Visit {i}", city=City(name=f"City {i}", country="DE")
        )
        create_programme_item(f"Item {i}", delegation=visit, venue=Venue(name=f"V{i}"))
    db.session.expire_all()


def test_feed_queries_do_not_grow_with_the_number_of_items(
    directory, create_event, create_delegation, create_programme_item
):
    def run() -> None:
        collect_feed(
            Audience.staff,
            filters=CalendarFilters(),
            window_start=WINDOW_START,
            now=NOW,
            language="en",
            keep_cancelled=KEEP,
        )

    _seed(range(1), directory, create_event, create_delegation, create_programme_item)
    one = _count_queries(run)
    _seed(
        range(1, 3), directory, create_event, create_delegation, create_programme_item
    )
    three = _count_queries(run)

    assert one == three


def test_forum_item_never_reaches_the_public_feed_through_a_public_item_of_a_forum_visit(
    create_delegation, create_programme_item
):
    visit = create_delegation(visibility=Visibility.forum)
    item = create_programme_item(delegation=visit, visibility=Visibility.public)

    assert item.uid not in _uids(Audience.public)
    assert _uids(Audience.forum) == {visit.uid, item.uid}


def _staff_content(language: str = "nb") -> FeedContent:
    return collect_feed(
        Audience.staff,
        filters=CalendarFilters(),
        window_start=WINDOW_START,
        now=NOW,
        language=language,
        keep_cancelled=KEEP,
    )


def test_feed_bytes_from_kept_entries_equal_a_fresh_build(
    create_event, create_programme_item, create_delegation
):
    create_event("Forum breakfast", rrule="FREQ=WEEKLY", exdates="2026-12-10T10:00")
    create_event("All day", is_all_day=True, hours=48)
    create_programme_item(
        delegation=create_delegation(timezone="Asia/Kolkata", country="IN")
    )
    built = _staff_content()
    kept = _staff_content()
    expected = build_calendar(
        built.items, name="Vertskap", prodid=PRODID, refresh=timedelta(hours=1)
    )

    first = feed_bytes(
        built.entries,
        name="Vertskap",
        prodid=PRODID,
        refresh=timedelta(hours=1),
        empty_zone=OSLO_SPAN,
    )
    again = feed_bytes(
        kept.entries,
        name="Vertskap",
        prodid=PRODID,
        refresh=timedelta(hours=1),
        empty_zone=OSLO_SPAN,
    )

    assert first == again == expected
    assert len(kept.entries) == 4
    # The second build serialised nothing: it reused every entry.
    assert all(a is b for a, b in zip(built.entries, kept.entries, strict=True))


def test_a_rebuild_after_one_edit_serialises_that_item_only(create_event, clock):
    edited = create_event("Forum breakfast")
    other = create_event("Forum lunch", start=NOW + timedelta(days=3))
    before = {e.uid: e for e in _staff_content().entries}
    clock.move_to(NOW + timedelta(minutes=5), tick=False)

    edited.title = "Forum breakfast, moved upstairs"
    db.session.commit()
    after = {e.uid: e for e in _staff_content().entries}

    assert after[other.uid] is before[other.uid]
    assert after[edited.uid] is not before[edited.uid]
    assert after[edited.uid].item.title == "Forum breakfast, moved upstairs"
    assert b"SUMMARY:Forum breakfast\\, moved upstairs" in after[edited.uid].vevent


def test_a_visit_change_reaches_the_kept_entries_of_its_programme(
    create_delegation, create_programme_item, clock
):
    visit = create_delegation(status=DelegationStatus.confirmed)
    item = create_programme_item(delegation=visit)
    assert _by_uid(_staff_content())[item.uid].status == "CONFIRMED"
    clock.move_to(NOW + timedelta(minutes=5), tick=False)

    visit.status = DelegationStatus.cancelled
    db.session.commit()

    assert _by_uid(_staff_content())[item.uid].status == "CANCELLED"


def test_renaming_a_venue_theme_or_city_reaches_kept_entries(
    create_event, create_delegation, create_programme_item
):
    venue = Venue(name="Rådhuset", address="Munkegata 1")
    city = City(name="Darmstadt", country="DE", relation=CityRelation.partner)
    theme = Theme(slug="energy", name_nb="Energi", name_en="Energy")
    visit = create_delegation(city=city)
    item = create_programme_item(delegation=visit, venue=venue)
    event = create_event("Energy seminar")
    event.themes = [theme]
    db.session.commit()
    _staff_content()

    venue.name = "Bystyresalen"
    city.name = "Darmstadt (Hessen)"
    theme.name_nb = "Fornybar energi"
    db.session.commit()
    shown = _by_uid(_staff_content())

    assert shown[item.uid].location.startswith("Bystyresalen")
    # An incoming delegation's own city is where it comes from: told in words.
    assert shown[visit.uid].description == "Fra Darmstadt (Hessen), Tyskland"
    assert shown[event.uid].categories == ("Fornybar energi",)


def test_each_language_keeps_its_own_entries(create_delegation):
    visit = create_delegation(country="DE")

    nb = _by_uid(_staff_content("nb"))[visit.uid]
    en = _by_uid(_staff_content("en"))[visit.uid]

    # An incoming visit takes place in the host city; its origin is described.
    assert (nb.location, nb.description, nb.categories) == (
        "Trondheim, Norge",
        "Fra Tyskland",
        ("Besøk",),
    )
    assert (en.location, en.description, en.categories) == (
        "Trondheim, Norway",
        "From Germany",
        ("Visit",),
    )


def _by_uid(content: FeedContent) -> dict[str, Any]:
    return {item.uid: item for item in content.items}


def test_a_feed_tag_changes_exactly_when_its_bytes_do(create_event, clock):
    event = create_event("Forum breakfast")
    create_event("Forum lunch", start=NOW + timedelta(days=3))

    def assembled(name: str = "Vertskap") -> tuple[bytes, str]:
        return assemble_feed(
            _staff_content().entries,
            name=name,
            prodid=PRODID,
            refresh=None,
            empty_zone=OSLO_SPAN,
        )

    first, again, renamed = assembled(), assembled(), assembled("Vertskap (en)")
    clock.move_to(NOW + timedelta(minutes=5), tick=False)
    event.title = "Forum breakfast, moved"
    db.session.commit()
    edited = assembled()

    assert first == again
    assert len({first[1], renamed[1], edited[1]}) == 3
    assert len({first[0], renamed[0], edited[0]}) == 3
