"""VTIMEZONE components for the zones and years a feed uses (RFC 5545 section 3.6.5).

icalendar's own `Timezone.from_tzinfo` writes the onset of summer time at the
new local time (03:00 in Oslo), while the RFC reads DTSTART in the offset in
force before the change (TZOFFSETFROM: 02:00), so its VTIMEZONE puts the change
an hour late. The observances are therefore computed here from `zoneinfo`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from calendar_feeds.ical import writes_tzid
from calendar_feeds.items import FeedItem, clean_text

#: How many years past its start or last change an endless series is covered.
ENDLESS_YEARS = 10
#: A series with more occurrences than this is treated as endless (not expanded).
_MAX_COUNT = 5000
#: Offsets are sampled this often and each change located to the second.
_SAMPLE_SECONDS = 6 * 3600


class ZoneSpan(NamedTuple):
    """A zone and the local dates its VTIMEZONE must cover."""

    zone: str
    first: date
    last: date


class _State(NamedTuple):
    offset: timedelta
    is_standard: bool
    name: str


def zone_spans(items: Iterable[FeedItem]) -> list[ZoneSpan]:
    """Return one span per zone the items name in a TZID, sorted by zone name.

    All-day items (VALUE=DATE) and times written in UTC need no VTIMEZONE.
    This costs some microseconds per item: a caller that keeps each item's
    VEVENT bytes can keep its `item_zone_span` beside them and hand those to
    `assemble_calendar`, which merges spans of the same zone.
    """
    spans: dict[str, tuple[date, date]] = {}
    for item in items:
        span = item_zone_span(item)
        if span is None:
            continue
        zone, first, last = span
        if zone in spans:
            first, last = min(first, spans[zone][0]), max(last, spans[zone][1])
        spans[zone] = (first, last)
    return [ZoneSpan(zone, *spans[zone]) for zone in sorted(spans)]


def item_zone_span(item: FeedItem) -> ZoneSpan | None:
    """Return the zone and local dates one item needs a VTIMEZONE for, if any."""
    if not writes_tzid(item):
        return None
    zone = ZoneInfo(item.timezone)
    return ZoneSpan(
        item.timezone, item.start_dt.astimezone(zone).date(), _last_date(item, zone)
    )


def vtimezone(zone: str, first: date, last: date) -> bytes:
    """Return the VTIMEZONE of `zone` covering the whole years from `first` to `last`."""
    return _vtimezone(zone, first.year, max(first.year, last.year))


@lru_cache(maxsize=512)
def _vtimezone(zone: str, first_year: int, last_year: int) -> bytes:
    return timezone_component(zone, first_year, last_year).to_ical()


def timezone_component(
    zone: str, first_year: int, last_year: int
) -> icalendar.Timezone:
    """Return the VTIMEZONE of `zone` from 1 January `first_year` to the end of `last_year`.

    The first observance starts at local midnight of 1 January; each later one
    starts at its onset written in the local time before the change (RFC 5545
    section 3.6.5, TZOFFSETFROM). Every onset is an observance of its own,
    without RDATE: ical.js 2 ignores DTSTART when an observance has an RDATE
    and reads only the first value of each RDATE line.
    """
    tzinfo = ZoneInfo(zone)
    start = datetime(first_year, 1, 1, tzinfo=tzinfo)
    stop = (
        datetime(last_year + 1, 1, 1, tzinfo=tzinfo)
        if last_year < 9999
        else datetime(9999, 12, 31, tzinfo=tzinfo)
    )
    initial = _state(start)
    # (offset before, state after, onset in local time before the change)
    observances = [(initial.offset, initial, start.replace(tzinfo=None))]
    before = initial
    for onset in _changes(tzinfo, start, stop):
        after = _state(onset.astimezone(tzinfo))
        observances.append(
            (before.offset, after, (onset + before.offset).replace(tzinfo=None))
        )
        before = after
    component = icalendar.Timezone()
    component.add("tzid", clean_text(zone))
    for offset_from, state, onset in observances:
        observance = (
            icalendar.TimezoneStandard()
            if state.is_standard
            else icalendar.TimezoneDaylight()
        )
        observance.add("dtstart", onset)
        observance.add("tzname", clean_text(state.name))
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", state.offset)
        component.add_component(observance)
    return component


def _state(local: datetime) -> _State:
    offset = local.utcoffset()
    if offset is None:  # pragma: no cover - ZoneInfo always knows its offset
        raise ValueError(f"no UTC offset for {local!r}")
    return _State(
        offset=offset,
        is_standard=not local.dst(),
        name=local.tzname() or _offset_name(offset),
    )


def _offset_name(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _changes(tzinfo: ZoneInfo, start: datetime, stop: datetime) -> list[datetime]:
    """Return the UTC instants between `start` and `stop` where the zone's state changes."""
    changes = []
    low = int(start.timestamp())
    end = int(stop.timestamp())
    state = _state(datetime.fromtimestamp(low, tzinfo))
    while low < end:
        high = min(low + _SAMPLE_SECONDS, end)
        if _state(datetime.fromtimestamp(high, tzinfo)) != state:
            # Bisect to the first second of the new state.
            left, right = low, high
            while right - left > 1:
                middle = (left + right) // 2
                if _state(datetime.fromtimestamp(middle, tzinfo)) == state:
                    left = middle
                else:
                    right = middle
            changes.append(datetime.fromtimestamp(right, UTC))
            state = _state(datetime.fromtimestamp(right, tzinfo))
            high = right
        low = high
    return changes


def _last_date(item: FeedItem, zone: ZoneInfo) -> date:
    """Return the local date of the item's last moment, its series included."""
    start = item.start_dt.astimezone(zone)
    end = item.end_dt.astimezone(zone)
    if not item.rrule:
        return end.date()
    rule = clean_text(item.rrule).removeprefix("RRULE:").upper()
    parts = {}
    for part in rule.split(";"):
        key, _, value = part.partition("=")
        parts[key] = value
    if "UNTIL" in parts:
        until = date.fromisoformat(parts["UNTIL"][:8])
        return max(end.date(), until + (end.date() - start.date()) + timedelta(days=1))
    if parts.get("COUNT", "").isdigit() and int(parts["COUNT"]) <= _MAX_COUNT:
        occurrences = list(rrulestr(rule, dtstart=start.replace(tzinfo=None)))
        if occurrences:
            return max(end.date(), (occurrences[-1] + (end - start)).date())
    # An endless series: cover a fixed time past its start or last change, so
    # the bytes still depend only on the item.
    latest = max(end.date(), item.last_modified.astimezone(zone).date())
    return date(min(latest.year + ENDLESS_YEARS, 9999), 12, 31)
