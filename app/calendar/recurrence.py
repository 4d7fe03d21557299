"""Occurrences of recurring events, expanded in local wall time.

A weekly meeting at 09:00 in Europe/Oslo stays at 09:00 local time across the
daylight-saving changes, so its UTC instant moves by an hour twice a year. The
rule is therefore expanded on naive local times (python-dateutil does the RFC
5545 arithmetic) and each occurrence is placed in its zone afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

#: The frequencies the event form offers (the forum's meetings are weekly or monthly).
SUPPORTED_FREQUENCIES = ("WEEKLY", "MONTHLY")

#: A series is never expanded past this many occurrences in one window.
MAX_OCCURRENCES = 1000


class RecurrenceError(ValueError):
    """A recurrence rule we cannot or will not expand."""


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event, as UTC instants."""

    start_dt: datetime
    end_dt: datetime
    #: The local start time that names this occurrence (RFC 5545 RECURRENCE-ID).
    local_start: datetime


def parse_rule(rule: str, local_start: datetime) -> rrule:
    """Return the dateutil rule of an RRULE value anchored at a naive local start.

    Raises RecurrenceError for a rule that does not parse, or one whose
    frequency the product does not offer.
    """
    if local_start.tzinfo is not None:
        raise ValueError("parse_rule needs a naive local start")
    text = rule.strip().removeprefix("RRULE:")
    parts = dict(part.split("=", 1) for part in text.upper().split(";") if "=" in part)
    if parts.get("FREQ") not in SUPPORTED_FREQUENCIES:
        raise RecurrenceError(f"unsupported frequency in {rule!r}")
    until = parts.get("UNTIL")
    if until and until.endswith("Z"):
        # RFC 5545 writes UNTIL in UTC when DTSTART has a zone; dateutil wants it
        # naive like our local start, so compare on the local calendar day.
        parts["UNTIL"] = until.removesuffix("Z")
        text = ";".join(f"{key}={value}" for key, value in parts.items())
    try:
        parsed = rrulestr(text, dtstart=local_start)
    except (ValueError, TypeError) as error:
        raise RecurrenceError(str(error)) from error
    if not isinstance(parsed, rrule):  # an RRULE line never yields an rruleset
        raise RecurrenceError(f"not a single rule: {rule!r}")
    return parsed


def parse_exdates(text: str) -> set[datetime]:
    """Return the naive local start times listed in an event's `exdates` column."""
    result = set()
    for part in text.split(","):
        if part.strip():
            result.add(datetime.fromisoformat(part.strip()).replace(tzinfo=None))
    return result


def format_exdates(values: set[datetime] | list[datetime]) -> str:
    """Return the `exdates` column text for naive local start times."""
    return ",".join(value.isoformat(timespec="minutes") for value in sorted(values))


def _place(local: datetime, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of a local time, moving a skipped time forward.

    An occurrence that falls into the spring gap (02:30 on the last Sunday of
    March in Europe/Oslo) happens at the same elapsed time after midnight, as
    RFC 5545 section 3.3.5 asks; one in the autumn fold takes the first pass.
    """
    aware = local.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC)


def occurrences(
    *,
    start_dt: datetime,
    end_dt: datetime,
    timezone: str,
    rule: str,
    exdates: str,
    window_start: datetime,
    window_end: datetime,
) -> list[Occurrence]:
    """Return the occurrences of an event that overlap [window_start, window_end).

    `start_dt` and `end_dt` are the UTC instants of the first occurrence; an
    event without a rule has that one occurrence. Every occurrence keeps the
    first one's local start time and its duration in local wall time, so an
    all-day event stays on whole local days.
    """
    zone = ZoneInfo(timezone)
    local_start = start_dt.astimezone(zone).replace(tzinfo=None)
    local_end = end_dt.astimezone(zone).replace(tzinfo=None)
    duration = local_end - local_start
    if not rule:
        if start_dt < window_end and end_dt > window_start:
            return [Occurrence(start_dt, end_dt, local_start)]
        return []
    excluded = parse_exdates(exdates)
    # Expand from a little before the window, in local time, so an occurrence that
    # started before the window but overlaps it is found.
    search_from = (
        window_start.astimezone(zone) - duration - timedelta(days=1)
    ).replace(tzinfo=None)
    search_to = window_end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    found: list[Occurrence] = []
    for local in _between(parse_rule(rule, local_start), search_from, search_to):
        if local in excluded:
            continue
        start = _place(local, zone)
        end = _place(local + duration, zone)
        if start < window_end and end > window_start:
            found.append(Occurrence(start, end, local))
        if len(found) >= MAX_OCCURRENCES:
            break
    return found


def _between(rule: rrule, after: datetime, before: datetime) -> Iterator[datetime]:
    for value in rule.xafter(after, inc=True):
        if value >= before:
            return
        yield value


def series_end(
    *, start_dt: datetime, end_dt: datetime, timezone: str, rule: str, exdates: str
) -> datetime | None:
    """Return the end of the last occurrence, or None for an endless series.

    Stored as `Event.series_end_dt`, so a query can select the events that may
    overlap a window without expanding any rule.
    """
    if not rule:
        return end_dt
    zone = ZoneInfo(timezone)
    local_start = start_dt.astimezone(zone).replace(tzinfo=None)
    duration = end_dt.astimezone(zone).replace(tzinfo=None) - local_start
    parsed = parse_rule(rule, local_start)
    if parsed._count is None and parsed._until is None:
        return None
    excluded = parse_exdates(exdates)
    last = None
    for local in parsed:
        if local not in excluded:
            last = local
    if last is None:
        return end_dt
    return _place(last + duration, zone)
