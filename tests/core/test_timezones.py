"""Local wall time to UTC and back, refusing what DST makes nonexistent or ambiguous."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfoNotFoundError

import pytest

from app.core.timezones import (
    LocalTimeError,
    all_timezones,
    is_valid_timezone,
    local_to_utc,
    utc_to_local,
)

pytestmark = pytest.mark.unit

OSLO = "Europe/Oslo"


def wall(*fields: int) -> datetime:
    """Return a wall-clock time: naive by definition, since its zone is given apart."""
    return datetime(*fields)  # noqa: DTZ001 -- see the docstring


@pytest.mark.parametrize(
    ("local", "zone", "expected"),
    [
        # Winter: UTC+1.
        (wall(2026, 1, 15, 10, 0), OSLO, datetime(2026, 1, 15, 9, 0, tzinfo=UTC)),
        # Summer: UTC+2.
        (wall(2026, 7, 1, 10, 0), OSLO, datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        # Either side of the spring gap and the autumn fold.
        (wall(2026, 3, 29, 1, 59), OSLO, datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
        (wall(2026, 3, 29, 3, 0), OSLO, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (
            wall(2026, 10, 25, 1, 59),
            OSLO,
            datetime(2026, 10, 24, 23, 59, tzinfo=UTC),
        ),
        (wall(2026, 10, 25, 3, 0), OSLO, datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        # An outgoing visit to Mumbai: UTC+5:30, no DST.
        (
            wall(2026, 3, 29, 2, 30),
            "Asia/Kolkata",
            datetime(2026, 3, 28, 21, 0, tzinfo=UTC),
        ),
        (
            wall(2026, 10, 25, 2, 30),
            "UTC",
            datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
        ),
    ],
)
def test_local_to_utc_converts_normal_times(
    local: datetime, zone: str, expected: datetime
) -> None:
    instant = local_to_utc(local, zone)

    assert (instant, instant.utcoffset()) == (expected, timedelta(0))


def test_local_to_utc_refuses_time_skipped_in_spring() -> None:
    with pytest.raises(LocalTimeError) as excinfo:
        local_to_utc(wall(2026, 3, 29, 2, 30), OSLO)

    assert excinfo.value.kind == "nonexistent"
    assert str(excinfo.value) == "2026-03-29 02:30 is nonexistent in Europe/Oslo"


def test_local_to_utc_refuses_time_repeated_in_autumn() -> None:
    with pytest.raises(LocalTimeError) as excinfo:
        local_to_utc(wall(2026, 10, 25, 2, 30), OSLO)

    assert excinfo.value.kind == "ambiguous"
    assert str(excinfo.value) == "2026-10-25 02:30 is ambiguous in Europe/Oslo"


@pytest.mark.parametrize(
    ("local", "kind"),
    [
        (wall(2026, 3, 29, 2, 0), "nonexistent"),
        (wall(2026, 3, 29, 2, 59), "nonexistent"),
        (wall(2026, 10, 25, 2, 0), "ambiguous"),
        (wall(2026, 10, 25, 2, 59), "ambiguous"),
    ],
)
def test_local_to_utc_refuses_whole_gap_and_fold(local: datetime, kind: str) -> None:
    with pytest.raises(LocalTimeError) as excinfo:
        local_to_utc(local, OSLO)

    assert excinfo.value.kind == kind


def test_local_time_error_is_a_value_error() -> None:
    """Forms and services that catch ValueError also catch the DST refusal."""
    assert issubclass(LocalTimeError, ValueError)


@pytest.mark.parametrize(
    "aware",
    [
        datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
        datetime(2026, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=5))),
    ],
    ids=["utc", "plus_five"],
)
def test_local_to_utc_refuses_aware_input(aware: datetime) -> None:
    """An aware value is not a wall time; re-reading it in another zone would move it silently."""
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(aware, OSLO)


def test_local_to_utc_refuses_unknown_zone() -> None:
    with pytest.raises(ZoneInfoNotFoundError, match="Mars/Olympus_Mons"):
        local_to_utc(wall(2026, 1, 15, 10, 0), "Mars/Olympus_Mons")


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        (datetime(2026, 1, 15, 9, 0, tzinfo=UTC), OSLO, wall(2026, 1, 15, 10, 0)),
        (datetime(2026, 7, 1, 8, 0, tzinfo=UTC), OSLO, wall(2026, 7, 1, 10, 0)),
        (
            datetime(2026, 3, 28, 21, 0, tzinfo=UTC),
            "Asia/Kolkata",
            wall(2026, 3, 29, 2, 30),
        ),
    ],
)
def test_utc_to_local_gives_wall_time_in_zone(
    instant: datetime, zone: str, expected: datetime
) -> None:
    local = utc_to_local(instant, zone)

    assert (local.replace(tzinfo=None), str(local.tzinfo)) == (expected, zone)


@pytest.mark.parametrize(
    "local",
    [
        wall(2026, 1, 15, 10, 0),
        wall(2026, 3, 29, 3, 0),
        wall(2026, 10, 25, 1, 59),
    ],
)
def test_local_to_utc_round_trips(local: datetime) -> None:
    assert utc_to_local(local_to_utc(local, OSLO), OSLO).replace(tzinfo=None) == local


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/Oslo", True),
        ("Asia/Kolkata", True),
        ("UTC", True),
        ("Europe/Trondheim", False),
        ("", False),
        ("europe/oslo", False),
    ],
)
def test_is_valid_timezone(name: str, expected: bool) -> None:
    assert is_valid_timezone(name) is expected


def test_all_timezones_is_sorted_and_complete() -> None:
    zones = all_timezones()

    assert list(zones) == sorted(zones)
    assert {"Europe/Oslo", "Asia/Kolkata", "America/Sao_Paulo"} <= set(zones)
