"""The planner's window: visits and programme items of the coming weeks, day by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.delegations.models import Delegation, ProgrammeItem
from app.delegations.planner.clashes import (
    Clash,
    WindowClashes,
    clashes_among,
    load_window,
)

#: The planner shows whole weeks: 6 by default, never more than 12.
DEFAULT_WEEKS = 6
MAX_WEEKS = 12


@dataclass(frozen=True)
class PlannerEntry:
    """One line of a day: a visit arriving or leaving, or a programme item."""

    kind: str  # "arrival", "item" or "departure"
    at: datetime
    delegation: Delegation
    item: ProgrammeItem | None
    clashes: list[Clash]


@dataclass(frozen=True)
class PlannerDay:
    """A day of the window (in the viewer's zone) with its entries in time order."""

    day: date
    entries: list[PlannerEntry]


@dataclass(frozen=True)
class Planner:
    """What the planner page shows."""

    first_day: date
    weeks: int
    start: datetime
    end: datetime
    visits: list[Delegation]
    days: list[PlannerDay]
    clashes: WindowClashes


def local_midnight(day: date, zone: str) -> datetime:
    """Return the UTC instant a local day starts (zoneinfo resolves a midnight DST gap)."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def build_planner(first_day: date, *, weeks: int, zone: str) -> Planner:
    """Return the visits, items and clashes of `weeks` weeks from `first_day` in `zone`."""
    start = local_midnight(first_day, zone)
    end = local_midnight(first_day + timedelta(weeks=weeks), zone)
    visits, items = load_window(start, end)
    clashes = clashes_among(visits, items)
    entries = [
        PlannerEntry("item", i.start_dt, i.delegation, i, clashes.by_item.get(i.id, []))
        for i in items
    ]
    for visit in visits:
        for kind, at in (
            ("arrival", visit.arrival_dt),
            ("departure", visit.departure_dt),
        ):
            if start <= at < end:
                entries.append(PlannerEntry(kind, at, visit, None, []))
    order = {"arrival": 0, "item": 1, "departure": 2}
    entries.sort(key=lambda e: (e.at, order[e.kind], e.item.id if e.item else 0))
    by_day: dict[date, list[PlannerEntry]] = {}
    tz = ZoneInfo(zone)
    for entry in entries:
        # An item already running when the window opens is listed on its first day.
        by_day.setdefault(max(entry.at, start).astimezone(tz).date(), []).append(entry)
    return Planner(
        first_day=first_day,
        weeks=weeks,
        start=start,
        end=end,
        visits=visits,
        days=[PlannerDay(day, day_entries) for day, day_entries in by_day.items()],
        clashes=clashes,
    )
