"""Plain feed items in, RFC 5545 iCalendar bytes out.

The builder serves an event's own `.ics` file as well as the subscribable
feeds, so it knows nothing of models, requests or audiences: the caller maps
whatever it publishes to `FeedItem`s first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

#: RFC 5545 section 3.8.1.11 STATUS values of a VEVENT.
STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})

#: Control characters other than tab and newline. icalendar writes them raw, and
#: inside a property they make the line unreadable when parsed again.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")

#: How far past the last date VTIMEZONE rules are written for an endless series.
_ENDLESS_YEARS = 5


@dataclass(frozen=True)
class FeedItem:
    """One calendar entry to publish, as plain values.

    `start_dt` and `end_dt` are aware UTC instants of the first occurrence; an
    all-day item runs from local midnight of its first day to local midnight
    after its last day, in `timezone`. `exdates` are the naive local start
    times of cancelled occurrences.
    """

    uid: str
    title: str
    start_dt: datetime
    end_dt: datetime
    #: Written as DTSTAMP and LAST-MODIFIED, so the bytes change only with the item.
    last_modified: datetime
    sequence: int = 0
    #: Plain text; Markdown must be turned into text by the caller.
    description: str = ""
    is_all_day: bool = False
    timezone: str = "UTC"
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"
    categories: tuple[str, ...] = ()
    #: RRULE value without the "RRULE:" prefix; UNTIL may be naive local time.
    rrule: str = ""
    exdates: tuple[datetime, ...] = ()
    created: datetime | None = None


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Return `value` without control characters; single-line unless `multiline`.

    Newlines are escaped properly by icalendar in text values, but a URI value
    with CR or LF raises, and a title is one line anyway.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = _LINE_BREAKS.sub(" ", text).strip()
    return _CONTROL.sub("", text)


def build_calendar(items: Iterable[FeedItem], *, name: str, prodid: str) -> bytes:
    """Return an iCalendar file with one VEVENT per item and the VTIMEZONEs they use.

    The output depends only on the items, `name` and `prodid`, never on the
    clock, so equal input gives equal bytes (and ETags).
    """
    calendar = icalendar.Calendar()
    # RFC 5545 section 3.7.3: PRODID identifies the product; clients use it to
    # de-duplicate, so every feed keeps one.
    calendar.add("prodid", clean_text(prodid))
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", clean_text(name))
    first: date | None = None
    last: date | None = None
    for item in items:
        calendar.add_component(build_event(item))
        start, end = item.start_dt.date(), item.end_dt.date()
        if item.rrule:
            end = end.replace(year=min(end.year + _ENDLESS_YEARS, 9999))
        first = start if first is None else min(first, start)
        last = end if last is None else max(last, end)
    if first is not None and last is not None:
        # VTIMEZONE components for the range used only (RFC 5545 section 3.6.5).
        calendar.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=2)
        )
    return calendar.to_ical()


def build_event(item: FeedItem) -> icalendar.Event:
    """Return the VEVENT of one item."""
    if item.status not in STATUSES:
        raise ValueError(f"unknown STATUS {item.status!r}")
    event = icalendar.Event()
    event.add("uid", clean_text(item.uid))
    # Feeds carry no METHOD, so DTSTAMP may be the last change (RFC 5545
    # section 3.8.7.2); the bytes then stay stable between changes.
    event.add("dtstamp", item.last_modified.astimezone(UTC))
    event.add("last-modified", item.last_modified.astimezone(UTC))
    if item.created is not None:
        event.add("created", item.created.astimezone(UTC))
    event.add("sequence", item.sequence)
    event.add("status", item.status)
    event.add("summary", clean_text(item.title))
    zone = ZoneInfo(item.timezone)
    if item.is_all_day:
        event.add("dtstart", item.start_dt.astimezone(zone).date())
        event.add("dtend", item.end_dt.astimezone(zone).date())
    else:
        event.add("dtstart", _local(item.start_dt, zone))
        event.add("dtend", _local(item.end_dt, zone))
    if item.rrule:
        event.add("rrule", _recurrence(item, zone))
    if item.exdates:
        event.add("exdate", [_exdate(value, item, zone) for value in item.exdates])
    categories = [clean_text(value) for value in item.categories if value.strip()]
    if categories:
        event.add("categories", categories)
    if item.location.strip():
        event.add("location", clean_text(item.location))
    if item.url.strip():
        event.add("url", clean_text(item.url))
    if item.description.strip():
        event.add("description", clean_text(item.description, multiline=True))
    return event


def _is_ambiguous(local: datetime) -> bool:
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    """Return an instant on the clock of `zone`, written with its TZID.

    icalendar writes the second pass of an autumn-fold time as the first (an
    hour early), so such an instant is written in UTC instead.
    """
    local = instant.astimezone(zone)
    if _is_ambiguous(local):
        return instant.astimezone(UTC)
    return local


def _exdate(value: datetime, item: FeedItem, zone: ZoneInfo) -> date | datetime:
    if item.is_all_day:
        return value.date()
    # The same local time as the occurrence it cancels (the first pass in a fold,
    # as the recurrence expansion places it).
    return value.replace(tzinfo=zone, fold=0)


def _recurrence(item: FeedItem, zone: ZoneInfo) -> icalendar.vRecur:
    """Return the RRULE, with UNTIL in the form RFC 5545 section 3.3.10 asks.

    UNTIL must be a DATE when DTSTART is one, and a UTC time when DTSTART has
    a TZID; the app keeps it as naive local time.
    """
    parts = []
    for part in clean_text(item.rrule).removeprefix("RRULE:").split(";"):
        key, _, value = part.partition("=")
        if not key:
            continue
        if key.upper() == "UNTIL":
            value = _until(value, item, zone)
        parts.append(f"{key.upper()}={value}")
    return icalendar.vRecur.from_ical(";".join(parts))


def _until(value: str, item: FeedItem, zone: ZoneInfo) -> str:
    text = value.strip().upper()
    if item.is_all_day:
        return text[:8]
    if text.endswith("Z"):
        return text
    if len(text) == 8:
        text += "T235959"
    local = datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
