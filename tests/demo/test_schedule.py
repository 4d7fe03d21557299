"""Placement of demo items: real dates kept, relative ones on working days without clashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import pytest

from app.core.timezones import utc_to_local
from app.delegations.models import DelegationStatus
from app.demo import data
from app.demo.schedule import (
    all_day_span,
    event_span,
    item_days,
    programme_span,
    relative_day,
    visit_days,
)

pytestmark = pytest.mark.unit


def test_relative_day_skips_the_weekend():
    friday = date(2027, 3, 5)

    result = relative_day(1, today=friday)

    assert result == date(2027, 3, 8)


def test_relative_day_skips_the_christmas_week_and_new_year():
    wednesday = date(2026, 12, 23)

    result = relative_day(1, today=wednesday)

    assert result == date(2027, 1, 4)


def test_relative_day_of_a_past_item_stays_in_the_past():
    monday = date(2027, 3, 8)

    result = relative_day(-1, today=monday)

    assert result == date(2027, 3, 5)


def test_item_days_keeps_a_relative_visit_inside_one_working_week():
    thursday = date(2027, 3, 4)

    result = item_days(1, 2, today=thursday)

    assert result == [date(2027, 3, 8), date(2027, 3, 9)]


def test_item_days_of_a_real_date_are_consecutive_calendar_days():
    result = item_days(date(2011, 8, 16), 4, today=date(2027, 3, 4))

    assert result == [
        date(2011, 8, 16),
        date(2011, 8, 17),
        date(2011, 8, 18),
        date(2011, 8, 19),
    ]


def test_all_day_span_runs_from_local_midnight_to_the_next():
    result = all_day_span(date(2011, 4, 1), date(2011, 4, 1), "Europe/Oslo")

    assert result == (
        datetime(2011, 3, 31, 22, 0, tzinfo=UTC),
        datetime(2011, 4, 1, 22, 0, tzinfo=UTC),
    )


Placement = tuple[str, datetime, datetime, frozenset[str], str]
#: Every day of a year as "today", to catch weekends, Easter and Christmas.
A_YEAR = [date(2027, 1, 1) + timedelta(days=n) for n in range(365)]


@cache
def _placements(today: date) -> tuple[Placement, ...]:
    """Return (slug, start, end, venues-or-officials, zone) of every relative item that happens."""
    placed = []
    for spec in data.RELATIVE_EVENTS:
        start, end = event_span(spec, today=today)
        keys = frozenset({f"venue:{spec.venue}"} if spec.venue else ())
        placed.append((spec.slug, start, end, keys, spec.timezone))
    for visit in data.RELATIVE_DELEGATIONS:
        if visit.status is DelegationStatus.cancelled:
            continue
        days = visit_days(visit, today=today)
        for item in visit.programme:
            start, end = programme_span(item, days=days, zone=visit.timezone)
            keys = {f"official:{name}" for name in item.officials}
            if item.venue:
                keys.add(f"venue:{item.venue}")
            placed.append((item.slug, start, end, frozenset(keys), visit.timezone))
    return tuple(placed)


def _clashes(placed: tuple[Placement, ...]) -> list[tuple[str, str]]:
    found = []
    for index, (slug, start, end, keys, _) in enumerate(placed):
        for other, other_start, other_end, other_keys, _ in placed[index + 1 :]:
            if keys & other_keys and start < other_end and other_start < end:
                found.append((slug, other))
    return found


def test_relative_items_never_double_book_a_venue_or_an_official_on_any_day_of_a_year():
    clashes = {day: _clashes(_placements(day)) for day in A_YEAR}

    assert {day: found for day, found in clashes.items() if found} == {}


def test_relative_items_fall_on_working_days_in_working_hours_on_any_day_of_a_year():
    odd = []

    for today in A_YEAR:
        for slug, start, end, _, zone in _placements(today):
            local_start, local_end = utc_to_local(start, zone), utc_to_local(end, zone)
            all_day = local_start.time() == local_end.time() == time(0)
            in_hours = time(8) <= local_start.time() and local_end.time() <= time(
                21, 30
            )
            if local_start.weekday() > 4 or not (all_day or in_hours):
                odd.append((today, slug, local_start))

    assert odd == []
