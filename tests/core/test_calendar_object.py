"""UID, sequence and updated_dt of every calendar object (app.core.calendar_object)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.calendar.models import Event, EventStatus
from app.core.db import db
from app.delegations.models import Delegation, DelegationStatus, ProgrammeItem
from app.directory.models import City, CityRelation, Venue

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
KINDS = ["event", "visit", "programme"]


@pytest.fixture
def make(
    create_event: Any, create_delegation: Any, create_programme_item: Any
) -> Callable[[str], Any]:
    """Return a function creating a committed calendar object of a kind."""
    builders = {
        "event": create_event,
        "visit": create_delegation,
        "programme": create_programme_item,
    }
    return lambda kind: builders[kind]()


def _venue(name: str) -> Venue:
    venue = Venue(name=name)
    db.session.add(venue)
    return venue


def _city(name: str) -> City:
    city = City(name=name, country="DE", relation=CityRelation.partner)
    db.session.add(city)
    return city


#: Changes of time, place or status, per kind: each must raise `sequence` by one.
SEQUENCE_CHANGES: list[tuple[str, str, Callable[[Any], None]]] = [
    ("event", "start", lambda e: setattr(e, "start_dt", e.start_dt - HOUR)),
    ("event", "end", lambda e: setattr(e, "end_dt", e.end_dt + HOUR)),
    ("event", "all_day", lambda e: setattr(e, "is_all_day", True)),
    (
        "event",
        "location",
        lambda e: setattr(e, "location", "Storsalen, Trondheim City Hall"),
    ),
    ("event", "status", lambda e: setattr(e, "status", EventStatus.cancelled)),
    ("event", "rrule", lambda e: setattr(e, "rrule", "FREQ=WEEKLY;COUNT=3")),
    ("visit", "arrival", lambda d: setattr(d, "arrival_dt", d.arrival_dt - HOUR)),
    ("visit", "departure", lambda d: setattr(d, "departure_dt", d.departure_dt + HOUR)),
    ("visit", "city", lambda d: setattr(d, "city", _city("Hamburg"))),
    ("visit", "status", lambda d: setattr(d, "status", DelegationStatus.cancelled)),
    ("programme", "start", lambda i: setattr(i, "start_dt", i.start_dt - HOUR)),
    ("programme", "end", lambda i: setattr(i, "end_dt", i.end_dt + HOUR)),
    ("programme", "location", lambda i: setattr(i, "location", "Trondheim harbour")),
    ("programme", "venue", lambda i: setattr(i, "venue", _venue("Nidarosdomen"))),
]


@pytest.mark.parametrize("kind", KINDS)
def test_new_calendar_object_gets_uid_of_its_kind(make: Any, kind: str) -> None:
    obj = make(kind)

    assert re.fullmatch(rf"{kind}-[0-9a-f]{{32}}@vertskap\.test", obj.uid), obj.uid
    assert obj.sequence == 0


def test_new_calendar_objects_get_distinct_uids(create_event: Any) -> None:
    uids = {create_event(f"Event {n}").uid for n in range(3)}

    assert len(uids) == 3


def _changes_of(kind: str) -> list[Callable[[Any], None]]:
    return [change for k, _, change in SEQUENCE_CHANGES if k == kind]


@pytest.mark.parametrize("kind", KINDS)
def test_uid_never_changes_on_update(make: Any, kind: str) -> None:
    obj = make(kind)
    uid = obj.uid

    for change in _changes_of(kind):
        change(obj)
    obj.title = "Renamed"
    db.session.commit()
    db.session.expire_all()

    assert obj.uid == uid


@pytest.mark.parametrize("kind", KINDS)
def test_sequence_rises_by_one_on_each_time_place_or_status_change(
    make: Any, kind: str
) -> None:
    obj = make(kind)
    fields = [(field, change) for k, field, change in SEQUENCE_CHANGES if k == kind]

    sequences = {}
    for field, change in fields:
        change(obj)
        db.session.flush()
        sequences[field] = obj.sequence

    assert sequences == {field: n for n, (field, _) in enumerate(fields, start=1)}


@pytest.mark.parametrize("kind", KINDS)
def test_sequence_rises_once_per_flush_whatever_changed(make: Any, kind: str) -> None:
    obj = make(kind)
    model, object_id = type(obj), obj.id
    changes = _changes_of(kind)

    for change in changes:
        change(obj)
    db.session.flush()
    after_one_flush = obj.sequence
    changes[0](obj)
    db.session.flush()
    db.session.flush()
    db.session.commit()
    db.session.expunge_all()

    assert (after_one_flush, db.session.get(model, object_id).sequence) == (1, 2)


def _age_updated_dt(obj: Any) -> None:
    """Set updated_dt far back in SQL, behind the ORM, so a new stamp is visible."""
    table = type(obj).__table__
    db.session.execute(
        sa.update(table).where(table.c.id == obj.id).values(updated_dt=LONG_AGO)
    )
    db.session.commit()
    db.session.expire_all()


@pytest.mark.parametrize("kind", KINDS)
def test_title_change_keeps_sequence_but_stamps_updated_dt(
    make: Any, kind: str
) -> None:
    obj = make(kind)
    _age_updated_dt(obj)
    before = datetime.now(UTC)

    obj.title = "A better title"
    db.session.flush()

    assert obj.sequence == 0
    assert obj.updated_dt >= before


@pytest.mark.parametrize("kind", KINDS)
def test_time_place_or_status_change_stamps_updated_dt(make: Any, kind: str) -> None:
    obj = make(kind)
    _age_updated_dt(obj)
    before = datetime.now(UTC)

    _changes_of(kind)[0](obj)
    db.session.flush()

    assert obj.updated_dt >= before


@pytest.mark.parametrize("kind", KINDS)
def test_setting_same_values_changes_nothing(make: Any, kind: str) -> None:
    obj = make(kind)
    _age_updated_dt(obj)
    start = "arrival_dt" if kind == "visit" else "start_dt"

    setattr(obj, start, getattr(obj, start))
    obj.title = obj.title
    db.session.flush()

    assert (obj.sequence, obj.updated_dt) == (0, LONG_AGO)


def test_moving_programme_item_to_the_same_venue_keeps_sequence(
    create_programme_item: Any,
) -> None:
    venue = _venue("Storsalen")
    item = create_programme_item(venue=venue)
    db.session.expire_all()

    item.venue = db.session.get(Venue, venue.id)
    db.session.flush()

    assert item.sequence == 0


@pytest.mark.parametrize("new_venue", ["other", "none"])
def test_moving_programme_item_to_another_or_no_venue_raises_sequence(
    create_programme_item: Any, new_venue: str
) -> None:
    item = create_programme_item(venue=_venue("Storsalen"))
    other = _venue("Erkebispegården")
    db.session.commit()
    db.session.expire_all()

    item.venue = other if new_venue == "other" else None
    db.session.flush()

    assert item.sequence == 1


def test_visit_status_change_raises_sequence_of_its_programme_items(
    create_delegation: Any, create_programme_item: Any
) -> None:
    """Items show their visit's status (cancelled in feeds), so clients must refetch them."""
    visit = create_delegation()
    first = create_programme_item("Lunch", delegation=visit)
    second = create_programme_item("Dinner", delegation=visit)
    _age_updated_dt(second)

    first.location = "The harbour"  # changed in the same flush: still one step
    visit.status = DelegationStatus.cancelled
    db.session.flush()

    assert (visit.sequence, first.sequence, second.sequence) == (1, 1, 1)
    assert second.updated_dt > LONG_AGO


def test_visit_title_change_leaves_programme_items_alone(
    create_delegation: Any, create_programme_item: Any
) -> None:
    visit = create_delegation()
    item = create_programme_item(delegation=visit)

    visit.title = "Delegation from Hamburg and Bremen"
    db.session.flush()

    assert (visit.sequence, item.sequence) == (0, 0)


@pytest.mark.parametrize("model", [Event, Delegation, ProgrammeItem])
def test_calendar_models_declare_their_uid_kind_and_sequence_fields(
    model: type,
) -> None:
    columns = set(sa.inspect(model).attrs.keys())

    assert set(model.sequence_fields) <= columns
    assert model.uid_kind in KINDS
