"""Dates of demo items: real dates as given, relative ones on working days around today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import holidays

from app.core.timezones import local_to_utc

if TYPE_CHECKING:
    from app.demo.data import DelegationSpec, EventSpec, ProgrammeSpec

#: Norwegian public holidays; the calendar is Trondheim's even for trips abroad.
_HOLIDAYS = holidays.country_holidays("NO")
#: Tries before a multi-day visit gives up on fitting into one working week.
_MAX_TRIES = 14


def is_working_day(day: date) -> bool:
    """Return whether nobody would mind a meeting on `day`: a weekday, no holiday, no Christmas week."""
    christmas_week = day.month == 12 and day.day >= 24
    return day.weekday() < 5 and day not in _HOLIDAYS and not christmas_week


def shift_to_working_day(day: date, step: int) -> date:
    """Return `day`, or the first working day from it going `step` (+1 or -1) days at a time."""
    while not is_working_day(day):
        day += timedelta(days=step)
    return day


def item_days(when: date | int, count: int, *, today: date) -> list[date]:
    """Return the `count` days an item spans.

    A real date spans consecutive calendar days. A relative item (`when` days
    from today) spans working days without a gap, moved away from today (later
    for a future item, earlier for a past one) until it fits, so upcoming items
    stay upcoming and past ones stay past.
    """
    if isinstance(when, date):
        return days_from(when, count, working=False)
    step = -1 if when < 0 else 1
    first = relative_day(when, today=today)
    days = days_from(first, count, working=True)
    for _ in range(_MAX_TRIES):
        if (days[-1] - days[0]).days == count - 1:
            break
        first = shift_to_working_day(first + timedelta(days=step), step)
        days = days_from(first, count, working=True)
    return days


def days_from(first: date, count: int, *, working: bool) -> list[date]:
    """Return `first` and the days after it, `count` in all; only working days if `working`."""
    days = [first]
    while len(days) < count:
        following = days[-1] + timedelta(days=1)
        days.append(shift_to_working_day(following, 1) if working else following)
    return days


def relative_day(offset: int, *, today: date) -> date:
    """Return the working day about `offset` calendar days from today (never today).

    The offset is turned into a count of working days (five in seven) and that
    many are walked, so items spread evenly and never pile up after a holiday.
    """
    step = -1 if offset < 0 else 1
    remaining = max(round(abs(offset) * 5 / 7), 1)
    day = today
    while remaining:
        day = shift_to_working_day(day + timedelta(days=step), step)
        remaining -= 1
    return day


def deadline_day(when: date | int, *, today: date) -> date:
    """Return a real deadline as given, or the working day about `when` days from today."""
    return when if isinstance(when, date) else relative_day(when, today=today)


def at(day: date, wall_time: time, zone: str) -> datetime:
    """Return the UTC instant of a wall time on `day` in `zone`."""
    return local_to_utc(datetime.combine(day, wall_time), zone)


def all_day_span(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """Return local midnight of `first` and of the day after `last`, in UTC (app/calendar/models.py)."""
    return at(first, time(0), zone), at(last + timedelta(days=1), time(0), zone)


def event_span(spec: EventSpec, *, today: date) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a demo event; all-day events span local midnights."""
    days = item_days(spec.when, spec.days, today=today)
    if spec.start is None or spec.end is None:
        return all_day_span(days[0], days[-1], spec.timezone)
    return at(days[0], spec.start, spec.timezone), at(days[0], spec.end, spec.timezone)


def visit_days(spec: DelegationSpec, *, today: date) -> list[date]:
    """Return the local days a demo visit spans."""
    return item_days(spec.when, spec.days, today=today)


def programme_span(
    item: ProgrammeSpec, *, days: list[date], zone: str
) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a programme item on its visit's days."""
    day = days[item.day]
    return at(day, item.start, zone), at(day, item.end, zone)


_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def event_rule(spec: EventSpec, first_day: date) -> str:
    """Return the RRULE of a repeating demo event that starts on `first_day`.

    A monthly meeting keeps its weekday: the meeting on the second Tuesday
    is on the second Tuesday every month (the last one if it is the fifth).
    """
    if not spec.repeat:
        return ""
    code = _WEEKDAY_CODES[first_day.weekday()]
    count = f";COUNT={spec.count}" if spec.count else ""
    if spec.repeat == "weekly":
        return f"FREQ=WEEKLY;BYDAY={code}{count}"
    nth = (first_day.day - 1) // 7 + 1
    return f"FREQ=MONTHLY;BYDAY={-1 if nth == 5 else nth}{code}{count}"
