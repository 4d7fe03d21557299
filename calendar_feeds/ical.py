"""One feed item as an RFC 5545 VEVENT component.

The builder serves an event's own `.ics` file as well as the subscribable
feeds, so it knows nothing of models, requests or audiences: the caller maps
whatever it publishes to `FeedItem`s first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

from calendar_feeds.items import STATUSES, FeedItem, clean_text

__all__ = ["FeedItem", "build_event", "clean_text", "writes_tzid"]


def build_event(item: FeedItem) -> icalendar.Event:
    """Return the VEVENT of one item."""
    if item.status not in STATUSES:
        raise ValueError(f"unknown STATUS {item.status!r}")
    event = icalendar.Event()
    event.add("uid", clean_text(item.uid))
    # DTSTAMP is the last change, not the build time (RFC 5545 section 3.8.7.2
    # lets a published copy carry the time its information was revised): the
    # bytes and the feed's ETag then stay stable between changes.
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


def writes_tzid(item: FeedItem) -> bool:
    """Return whether the VEVENT of `item` names its zone in a TZID parameter.

    Such a VEVENT needs a VTIMEZONE (RFC 5545 section 3.2.19); an all-day item
    (VALUE=DATE) and times written in UTC need none.
    """
    if item.is_all_day or _is_utc(item.timezone):
        return False
    if item.exdates:
        return True
    zone = ZoneInfo(item.timezone)
    return not (
        _is_ambiguous(item.start_dt.astimezone(zone))
        and _is_ambiguous(item.end_dt.astimezone(zone))
    )


@lru_cache(maxsize=256)
def _is_utc(zone: str) -> bool:
    """Return whether icalendar writes times of `zone` in UTC ("Z", no TZID)."""
    probe = datetime(2000, 1, 1, tzinfo=ZoneInfo(zone))
    return "TZID" not in icalendar.vDDDTypes(probe).params


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
