"""VTIMEZONE components for the zones and years a feed uses (RFC 5545 section 3.6.5).

icalendar's own `Timezone.from_tzinfo` writes the onset of summer time at the
new local time (03:00 in Oslo), while the RFC reads DTSTART in the offset in
force before the change (TZOFFSETFROM: 02:00), so its VTIMEZONE puts the change
an hour late. The observances are therefore computed here from `zoneinfo`.

A span with an end lists each change. A series without one needs the zone's
rules for every year: its VTIMEZONE lists the changes up to the year from
which the zone repeats its yearly rules, then gives those as RRULEs
(`calendar_feeds.zone_rules`), so clients place its meetings right in 2038
and later too.
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
from calendar_feeds.zone_rules import RuleChange, State, onsets, state_at, zone_rules

#: The last date of the span of a series without an end: its VTIMEZONE holds
#: for every year.
ENDLESS = date.max
#: Should a zone's rules not be writable as RRULEs, an endless span lists its
#: changes this many years past its first year.
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
    """Return the VTIMEZONE of `zone` covering the whole years from `first` to `last`.

    `last` ENDLESS gives one that holds for every year from `first` on.
    """
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
    section 3.6.5, TZOFFSETFROM). Every listed onset is an observance of its
    own, without RDATE: ical.js 2 ignores DTSTART when an observance has an
    RDATE and reads only the first value of each RDATE line. With `last_year`
    that of ENDLESS, the zone's yearly changes follow as RRULEs from the year
    it starts to repeat them.
    """
    tzinfo = ZoneInfo(zone)
    start = datetime(first_year, 1, 1, tzinfo=tzinfo)
    endless = last_year >= ENDLESS.year
    rules = zone_rules(zone) if endless else None
    if rules is not None:
        repeat_from = max(first_year, rules.since)
        stop = datetime(repeat_from, 1, 1, tzinfo=tzinfo)
    elif endless:
        stop = datetime(first_year + ENDLESS_YEARS + 1, 1, 1, tzinfo=tzinfo)
    else:
        stop = datetime(last_year + 1, 1, 1, tzinfo=tzinfo)
    initial = state_at(start)
    # (offset before, state after, onset in local time before the change, RRULE)
    observances: list[tuple[timedelta, State, datetime, str]] = [
        (initial.offset, initial, start.replace(tzinfo=None), "")
    ]
    before = initial
    for onset in _changes(tzinfo, start, stop):
        after = state_at(onset.astimezone(tzinfo))
        local = (onset + before.offset).replace(tzinfo=None)
        observances.append((before.offset, after, local, ""))
        before = after
    if rules is not None:
        repeated = [_repeated(change, repeat_from) for change in rules.changes]
        observances += sorted(
            (observance for observance in repeated if observance is not None),
            key=lambda observance: observance[2],
        )
    component = icalendar.Timezone()
    component.add("tzid", clean_text(zone))
    for offset_from, state, onset, rrule in observances:
        observance = (
            icalendar.TimezoneStandard()
            if state.is_standard
            else icalendar.TimezoneDaylight()
        )
        observance.add("dtstart", onset)
        if rrule:
            observance.add("rrule", icalendar.vRecur.from_ical(rrule))
        observance.add("tzname", clean_text(state.name))
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", state.offset)
        component.add_component(observance)
    return component


def _repeated(
    change: RuleChange, year: int
) -> tuple[timedelta, State, datetime, str] | None:
    """Return the observance of a yearly change from its first onset in `year` or later.

    A change on a day some years lack (1 November, as the Friday after the
    last Thursday of October) still comes within 28 years.
    """
    first = onsets(change, year, min(year + 27, 9998))
    if not first:
        return None
    return (change.before.offset, change.after, first[0], change.rrule)


def _changes(tzinfo: ZoneInfo, start: datetime, stop: datetime) -> list[datetime]:
    """Return the UTC instants between `start` and `stop` where the zone's state changes."""
    changes = []
    low = int(start.timestamp())
    end = int(stop.timestamp())
    state = state_at(datetime.fromtimestamp(low, tzinfo))
    while low < end:
        high = min(low + _SAMPLE_SECONDS, end)
        if state_at(datetime.fromtimestamp(high, tzinfo)) != state:
            # Bisect to the first second of the new state.
            left, right = low, high
            while right - left > 1:
                middle = (left + right) // 2
                if state_at(datetime.fromtimestamp(middle, tzinfo)) == state:
                    left = middle
                else:
                    right = middle
            changes.append(datetime.fromtimestamp(right, UTC))
            state = state_at(datetime.fromtimestamp(right, tzinfo))
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
    # An endless series: its VTIMEZONE gives the zone's rules for every year.
    return ENDLESS
