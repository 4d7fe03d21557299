"""UTCDateTime and the check constraints behave alike on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from app.calendar.models import Event
from app.core.db import UTCDateTime, db
from app.delegations.models import Delegation
from app.directory.models import City, CityRelation

pytestmark = pytest.mark.integration

KOLKATA = ZoneInfo("Asia/Kolkata")
OSLO = ZoneInfo("Europe/Oslo")


def wall(*fields: int) -> datetime:
    """Return a naive datetime: what the database holds, or the input the type refuses."""
    return datetime(*fields)  # noqa: DTZ001 -- see the docstring


def _stored_start(event_id: int) -> Any:
    """Return start_dt as the database holds it, read past the type decorator."""
    query = sa.text("SELECT start_dt FROM events WHERE id = :id").columns(
        start_dt=sa.DateTime
    )
    return db.session.execute(query, {"id": event_id}).scalar_one()


def test_utc_datetime_refuses_naive_value_on_insert(create_event: Any) -> None:
    with pytest.raises(StatementError) as excinfo:
        create_event(start=wall(2026, 12, 3, 9, 0))

    assert isinstance(excinfo.value.orig, ValueError)
    assert "naive datetime" in str(excinfo.value.orig)


def test_utc_datetime_refuses_naive_value_in_query(app: Any) -> None:
    query = sa.select(Event).where(Event.start_dt > wall(2026, 12, 3, 9, 0))

    with pytest.raises(StatementError) as excinfo:
        db.session.execute(query)

    assert isinstance(excinfo.value.orig, ValueError)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (datetime(2026, 12, 3, 9, 0, tzinfo=KOLKATA), wall(2026, 12, 3, 3, 30)),
        (datetime(2026, 7, 1, 10, 0, tzinfo=OSLO), wall(2026, 7, 1, 8, 0)),
        (
            datetime(2026, 12, 3, 9, 0, 0, 123456, tzinfo=UTC),
            wall(2026, 12, 3, 9, 0, 0, 123456),
        ),
        # The second 02:30 of the autumn fold in Oslo is 01:30 UTC, not 00:30.
        (
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=OSLO),
            wall(2026, 10, 25, 1, 30),
        ),
    ],
    ids=["kolkata", "oslo_summer", "microseconds", "oslo_second_fold"],
)
def test_utc_datetime_stores_naive_utc_and_returns_aware_utc(
    create_event: Any, given: datetime, stored: datetime
) -> None:
    event_id = create_event(start=given).id
    db.session.expunge_all()

    loaded = db.session.get(Event, event_id)

    assert _stored_start(event_id) == stored
    assert loaded is not None
    # Compared in UTC: Python never finds a fold=1 time equal across zones (PEP 495).
    assert (loaded.start_dt, loaded.start_dt.tzinfo) == (given.astimezone(UTC), UTC)


def test_utc_datetime_compares_aware_values_of_any_zone(create_event: Any) -> None:
    event_id = create_event(start=datetime(2026, 12, 3, 9, 0, tzinfo=UTC)).id

    found = db.session.scalars(
        sa.select(Event.id).where(
            Event.start_dt == datetime(2026, 12, 3, 14, 30, tzinfo=KOLKATA)
        )
    ).all()

    assert found == [event_id]


def test_utc_datetime_passes_none_through(app: Any) -> None:
    column_type = UTCDateTime()

    assert column_type.process_bind_param(None, db.engine.dialect) is None
    assert column_type.process_result_value(None, db.engine.dialect) is None


def _violated(excinfo: pytest.ExceptionInfo[IntegrityError], name: str) -> bool:
    return name in str(excinfo.value.orig)


def test_check_constraint_refuses_event_ending_before_it_starts(
    create_event: Any,
) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        create_event(hours=-1)
    db.session.rollback()

    assert _violated(excinfo, "ck_events_end_after_start")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_check_constraint_refuses_visit_leaving_before_it_arrives(
    create_delegation: Any,
) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        create_delegation(days=-1)
    db.session.rollback()

    assert _violated(excinfo, "ck_delegations_departure_after_arrival")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delegation)) == 0


def _city_outcome(relation: CityRelation, category: int | None) -> str:
    """Try to store a city; return "stored" or the name of the violated constraint."""
    db.session.add(
        City(
            name="Hamburg",
            country="DE",
            relation=relation,
            friendship_category=category,
        )
    )
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        return (
            "ck_cities_friendship_category"
            if "ck_cities_friendship_category" in str(error.orig)
            else str(error.orig)
        )
    db.session.execute(sa.delete(City))
    db.session.commit()
    return "stored"


@pytest.mark.usefixtures("app")
def test_check_constraint_enforces_friendship_category() -> None:
    cases = {
        ("friendship", 1): "stored",
        ("friendship", 4): "stored",
        ("partner", None): "stored",
        ("none", None): "stored",
        ("friendship", 5): "ck_cities_friendship_category",
        ("friendship", 0): "ck_cities_friendship_category",
        ("partner", 2): "ck_cities_friendship_category",
        ("none", 1): "ck_cities_friendship_category",
    }

    outcomes = {
        (relation, category): _city_outcome(CityRelation(relation), category)
        for relation, category in cases
    }

    assert outcomes == cases


@pytest.mark.usefixtures("app")
def test_check_constraint_refuses_friendship_city_without_category() -> None:
    assert (
        _city_outcome(CityRelation.friendship, None) == "ck_cities_friendship_category"
    )


def test_enum_check_constraint_refuses_unknown_value_in_raw_insert(app: Any) -> None:
    insert = sa.text(
        "INSERT INTO cities (name, country, relation) VALUES ('Hamburg', 'DE', 'twin')"
    )

    with pytest.raises(IntegrityError) as excinfo:
        db.session.execute(insert)
    db.session.rollback()

    assert _violated(excinfo, "ck_cities_relation")


def test_enum_check_constraint_refuses_unknown_visibility_in_raw_update(
    create_event: Any,
) -> None:
    event_id = create_event().id
    update = sa.text("UPDATE events SET visibility = 'secret' WHERE id = :id")

    with pytest.raises(IntegrityError) as excinfo:
        db.session.execute(update, {"id": event_id})
    db.session.rollback()

    assert _violated(excinfo, "ck_events_visibility")


def test_enum_column_refuses_unknown_value_before_the_database(
    create_event: Any,
) -> None:
    event = create_event()

    event.visibility = "secret"
    with pytest.raises(StatementError) as excinfo:
        db.session.flush()
    db.session.rollback()

    assert isinstance(excinfo.value.orig, LookupError)


def test_check_constraint_refuses_non_positive_delegation_size(
    create_delegation: Any,
) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        create_delegation(size=0)
    db.session.rollback()

    assert _violated(excinfo, "ck_delegations_size_positive")


def test_foreign_keys_are_enforced(create_event: Any) -> None:
    """SQLite leaves foreign keys off unless asked; the app turns them on."""
    with pytest.raises(IntegrityError):
        create_event(organiser_id=999_999)
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_event_round_trip_keeps_duration(create_event: Any) -> None:
    start = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # 01:00 in Oslo, before the fold
    event_id = create_event(start=start, hours=3).id
    db.session.expunge_all()

    event = db.session.get(Event, event_id)

    assert event is not None
    assert event.end_dt - event.start_dt == timedelta(hours=3)
