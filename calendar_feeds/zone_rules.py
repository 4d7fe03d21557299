"""A zone's rules for every year after its listed changes, as yearly RRULEs.

A TZif file lists a zone's changes up to some year (2037 in Debian's files,
the last real change in the tzdata package's) and ends with a POSIX TZ string,
such as `CET-1CEST,M3.5.0,M10.5.0/3`, that zoneinfo applies to every later
instant. Each of its two changes, "the w-th (or last) weekday d of month m at
a local time", becomes an RRULE of a VTIMEZONE observance (RFC 5545 section
3.6.5), so the VTIMEZONE of a series without an end holds in any year.

The file is found and read, and the string parsed, by zoneinfo's own code, so
the rules are the ones zoneinfo applies; each RRULE is also checked against
zoneinfo, for 40 years, before it is used.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

# zoneinfo's loader and TZ string parser: the package has no public API for a
# zone's file or its footer. The parser module has no type stubs.
from zoneinfo import ZoneInfo, _common, _tzpath
from zoneinfo import _zoneinfo as _posix  # type: ignore[attr-defined]

from dateutil.rrule import rrulestr

#: RFC 5545 weekday codes in POSIX order (the `d` of `Mm.w.d`: 0 is Sunday).
_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
_DAY = 86400
#: The rules are checked against zoneinfo for this many years past the listed changes.
_CHECKED_YEARS = 40
#: Where the rules of a zone that lists no change start.
_EPOCH_YEAR = 1970
#: zoneinfo counts a rule's local times in seconds from this wall time.
_EPOCH = datetime.combine(date(1970, 1, 1), datetime.min.time())


class State(NamedTuple):
    """A zone's UTC offset, kind (STANDARD or DAYLIGHT) and name at some time."""

    offset: timedelta
    is_standard: bool
    name: str


class RuleChange(NamedTuple):
    """A change a zone makes every year: when, in local time before it, and to what."""

    #: RRULE value, such as FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU.
    rrule: str
    #: Time of day of the change, on the clock before it (TZOFFSETFROM).
    time: timedelta
    before: State
    after: State


class ZoneRules(NamedTuple):
    """The changes a zone repeats every year from 1 January of `since` on."""

    since: int
    #: Empty for a zone that keeps one offset.
    changes: tuple[RuleChange, ...]


def state_at(local: datetime) -> State:
    """Return the state of the zone of an aware `local` time."""
    offset = local.utcoffset()
    if offset is None:  # pragma: no cover - ZoneInfo always knows its offset
        raise ValueError(f"no UTC offset for {local!r}")
    return State(
        offset=offset,
        is_standard=not local.dst(),
        name=local.tzname() or offset_name(offset),
    )


def offset_name(offset: timedelta) -> str:
    """Return an offset as a name, such as +0530."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


@lru_cache(maxsize=512)
def zone_rules(zone: str) -> ZoneRules | None:
    """Return the yearly changes zoneinfo applies to `zone` after its listed ones.

    None when they cannot be written as RRULEs (a day-of-year rule, or a change
    whose day moves across the end of February) or when the RRULEs disagree
    with zoneinfo: the caller then lists changes instead.
    """
    tzinfo = ZoneInfo(zone)
    listed, footer = _tzif(zone)
    try:
        rules = _posix_rules(footer)
    except (ValueError, AttributeError, TypeError):
        # TypeError and AttributeError: zoneinfo's private parser has changed.
        return None
    # After its last listed instant, zoneinfo applies the TZ string alone.
    since = _local_year(listed[-1], tzinfo) + 1 if listed else _EPOCH_YEAR
    last = since + _CHECKED_YEARS - 1
    if not all(_written_right(rule, since, last) for rule in rules):
        return None
    if _changes_in(rules, tzinfo, since, last) is None:
        return None
    # Fat files (Debian's) also list the years the rules already cover, and
    # instants where nothing changes: start the rules where zoneinfo starts to
    # follow them, the same year with either kind of file.
    changed = [
        when for when in listed if _state(when - 1, tzinfo) != _state(when, tzinfo)
    ]
    while changed and since > _local_year(changed[0], tzinfo):
        year = since - 1
        predicted = _changes_in(rules, tzinfo, year, year)
        start, stop = _instant(year, tzinfo), _instant(year + 1, tzinfo)
        in_year = [when for when in changed if start <= when < stop]
        if predicted is None or [w for w in predicted if w <= listed[-1]] != in_year:
            break
        since = year
    return ZoneRules(
        since=since, changes=tuple(change for rule in rules for change in rule.changes)
    )


def onsets(change: RuleChange, first_year: int, last_year: int) -> list[datetime]:
    """Return the local times (before the change) of `change` in these years, in order."""
    start = new_year(first_year) + change.time
    rule = rrulestr(change.rrule, dtstart=start)
    return list(rule.between(start, new_year(last_year + 1), inc=True))


def new_year(year: int) -> datetime:
    """Return local midnight of 1 January `year`, naive, as a VTIMEZONE writes it."""
    return datetime.combine(date(year, 1, 1), datetime.min.time())


class _Rule(NamedTuple):
    """One change of a TZ string: zoneinfo's own rule and the RRULEs written for it."""

    #: zoneinfo's `Mm.w.d/time`; its `year_to_epoch(year)` is the local time
    #: before the change that year, in seconds since 1970-01-01 on that clock.
    posix: Any
    before: State
    after: State
    changes: tuple[RuleChange, ...]

    def local(self, year: int) -> int:
        return int(self.posix.year_to_epoch(year))


def _tzif(zone: str) -> tuple[list[int], str]:
    """Return the zone's listed change instants (POSIX seconds) and its TZ string."""
    path = _tzpath.find_tzfile(zone)
    with open(path, "rb") if path else _common.load_tzdata(zone) as data:
        _, listed, _, _, _, footer = _common.load_data(data)
    return list(listed), (footer or b"").decode("ascii")


def _posix_rules(footer: str) -> tuple[_Rule, ...]:
    """Return the two yearly changes of a POSIX TZ string, or none for a fixed offset."""
    if not footer:
        raise ValueError("no TZ string")
    parsed = _posix._parse_tz_str(footer)
    if not hasattr(parsed, "start"):  # one offset all year
        return ()
    standard = State(parsed.std.utcoff, not parsed.std.dstoff, parsed.std.tzname)
    summer = State(parsed.dst.utcoff, not parsed.dst.dstoff, parsed.dst.tzname)
    return (
        _Rule(parsed.start, standard, summer, _yearly(parsed.start, standard, summer)),
        _Rule(parsed.end, summer, standard, _yearly(parsed.end, summer, standard)),
    )


def _yearly(rule: Any, before: State, after: State) -> tuple[RuleChange, ...]:
    """Return the RRULEs of one `Mm.w.d/time` change (one, or two across a month end)."""
    if not hasattr(rule, "w"):
        raise ValueError("a day-of-year rule (Jn or n)")
    days, seconds = divmod(rule.hour * 3600 + rule.minute * 60 + rule.second, _DAY)
    time = timedelta(seconds=seconds)
    weekday = _WEEKDAYS[(rule.d + days) % 7]
    if days == 0:
        nth = -1 if rule.w == 5 else rule.w
        by_day = f"FREQ=YEARLY;BYMONTH={rule.m};BYDAY={nth}{weekday}"
        return (RuleChange(by_day, time, before, after),)
    # A time past 24:00 or before 00:00 moves the change to another day, such
    # as 26:00 on the fourth Thursday (Jerusalem): the Friday of seven days
    # (23 to 29 March), written as BYMONTHDAY. Those days may reach into the
    # month before or after; each month then gets an RRULE of its own.
    from_end = rule.w == 5
    first = -7 if from_end else 7 * (rule.w - 1) + 1
    months: dict[int, list[int]] = {}
    for day in range(first + days, first + days + 7):
        month, month_day = _month_day(rule.m, day, from_end=from_end)
        months.setdefault(month, []).append(month_day)
    return tuple(
        RuleChange(
            f"FREQ=YEARLY;BYMONTH={month};BYDAY={weekday};"
            f"BYMONTHDAY={','.join(str(day) for day in sorted(month_days))}",
            time,
            before,
            after,
        )
        for month, month_days in sorted(months.items())
    )


def _month_day(month: int, day: int, *, from_end: bool) -> tuple[int, int]:
    """Return the month and RRULE month day of `day` counted in `month`.

    Counted from its end, -1 is the month's last day and 0 the next month's
    first; counted from its start, 0 is the last day of the month before.
    Days are written from the month's start where its length is fixed:
    ical.js 2 misreads negative BYMONTHDAY lists in a yearly rule.
    """
    following, preceding = month % 12 + 1, (month - 2) % 12 + 1
    length = calendar.monthrange(2001, month)[1]  # February: 28, see below
    if from_end and day >= 0:
        return following, day + 1
    if from_end:
        day = day if month == 2 else length + 1 + day
    if day <= 0 and not from_end:
        return _month_day(preceding, day - 1, from_end=True)
    if -28 <= day <= 28 or (month != 2 and 0 < day <= length):
        return month, day
    if month != 2 and day > length:
        return following, day - length
    raise ValueError("the change's days cross a month end of varying date")


def _written_right(rule: _Rule, first_year: int, last_year: int) -> bool:
    """Return whether the RRULEs give zoneinfo's date and time of the change every year."""
    written = sorted(
        onset
        for change in rule.changes
        for onset in onsets(change, first_year - 1, last_year + 1)
    )
    expected = [
        _EPOCH + timedelta(seconds=rule.local(year))
        for year in range(first_year - 1, last_year + 2)
    ]
    return written == expected


def _changes_in(
    rules: tuple[_Rule, ...], tzinfo: ZoneInfo, first_year: int, last_year: int
) -> list[int] | None:
    """Return the instants of the rules' changes in these local years, in order.

    None when zoneinfo's state on either side of one of them is not the rule's.
    """
    start, stop = _instant(first_year, tzinfo), _instant(last_year + 1, tzinfo)
    instants = []
    for rule in rules:
        for year in range(first_year - 1, last_year + 2):
            when = rule.local(year) - int(rule.before.offset.total_seconds())
            if not start <= when < stop:
                continue
            if (_state(when - 1, tzinfo), _state(when, tzinfo)) != (
                rule.before,
                rule.after,
            ):
                return None
            instants.append(when)
    return sorted(instants)


def _instant(year: int, tzinfo: ZoneInfo) -> int:
    return int(datetime(year, 1, 1, tzinfo=tzinfo).timestamp())


def _local_year(when: int, tzinfo: ZoneInfo) -> int:
    return datetime.fromtimestamp(when, tzinfo).year


def _state(when: int, tzinfo: ZoneInfo) -> State:
    return state_at(datetime.fromtimestamp(when, tzinfo))
