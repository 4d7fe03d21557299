"""What an event's page offers beyond the event itself.

The way back to the calendar as the reader left it, the date of a series the
calendar linked to, add-to-calendar links for Google Calendar and Outlook on
the web, a map link, the page's description for search engines and its
schema.org data. Links to other sites are plain links: no script of theirs
runs on our pages.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from werkzeug.exceptions import HTTPException

from app.calendar.models import Event
from app.calendar.recurrence import Occurrence, parse_exdates
from app.core.markdown import markdown_to_text
from app.core.security import safe_next_url
from app.core.timezones import utc_to_local

#: The calendar pages a "back" link may lead to.
RETURN_ENDPOINTS = frozenset({"calendar.show_calendar", "calendar.upcoming"})
#: Query keys of those pages that a "back" link keeps: the view, the date, the
#: filters, the search and the page; anything else is dropped.
RETURN_KEYS = frozenset(
    {"view", "date", "initiative", "organisation", "theme", "kind", "q", "page"}
)
#: Longest "back" value considered; a longer one is no link of ours.
MAX_RETURN_LENGTH = 2000

GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR_URL = "https://outlook.office.com/calendar/0/deeplink/compose"
OPENSTREETMAP_SEARCH_URL = "https://www.openstreetmap.org/search"

#: Characters of a description put into an add-to-calendar link: browsers and
#: Outlook refuse addresses much beyond 2,000 characters.
LINK_DETAILS_LENGTH = 800
#: Characters of a page's meta description (search engines show about 155).
META_DESCRIPTION_LENGTH = 160

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


# ---- the way back ------------------------------------------------------------


def calendar_return_path(value: str | None) -> str | None:
    """Return `value` as a path of our calendar pages with its known parameters, else None.

    Only a local path (never another site, `//host` or a scheme) whose route is
    one of RETURN_ENDPOINTS is accepted; its query keeps RETURN_KEYS only.
    """
    if not value or len(value) > MAX_RETURN_LENGTH:
        return None
    target = safe_next_url(value)
    if target is None:
        return None
    parts = urlsplit(target)
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(parts.path, method="GET")
    except HTTPException:
        return None
    if endpoint not in RETURN_ENDPOINTS:
        return None
    kept = [
        (key, item)
        for key, item in parse_qsl(parts.query, keep_blank_values=False)
        if key in RETURN_KEYS
    ]
    return parts.path + (f"?{urlencode(kept)}" if kept else "")


def referred_calendar_path(referrer: str | None, host: str) -> str | None:
    """Return the calendar page of a Referer on our own host, else None."""
    if not referrer or len(referrer) > MAX_RETURN_LENGTH:
        return None
    parts = urlsplit(referrer)
    if parts.scheme not in {"http", "https"} or parts.netloc != host:
        return None
    return calendar_return_path(parts.path + (f"?{parts.query}" if parts.query else ""))


# ---- the date shown ----------------------------------------------------------


def occurrence_name(start_dt: datetime, zone: str) -> str:
    """Return the local start that names an occurrence in links (`2026-12-08T09:00`)."""
    local = utc_to_local(start_dt, zone).replace(tzinfo=None)
    return local.isoformat(timespec="minutes")


def _parse_local(raw: str | None) -> datetime | None:
    if not raw or len(raw) > 40:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if value.tzinfo is not None or not 1900 <= value.year <= 2199:
        return None
    return value


@dataclass(frozen=True)
class ChosenDate:
    """The date of a series the reader came for: an occurrence, or a cancelled date."""

    local_start: datetime
    occurrence: Occurrence | None


def choose_occurrence(event: Event, raw: str | None) -> ChosenDate | None:
    """Return the date of `event` named by `raw` (a local start), or None if it names none.

    A date cancelled from the series is returned without an occurrence, so the
    page can say that this date is cancelled.
    """
    local = _parse_local(raw)
    if local is None or not event.is_recurring:
        return None
    if local in parse_exdates(event.exdates or ""):
        return ChosenDate(local, None)
    around = local.replace(tzinfo=ZoneInfo(event.timezone)).astimezone(UTC)
    for found in event.occurrences_between(
        around - timedelta(days=1), around + timedelta(days=1)
    ):
        if found.local_start == local:
            return ChosenDate(local, found)
    return None


# ---- add to calendar, map ----------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One stretch of time of an event, as add-to-calendar links and schema.org take it."""

    start_dt: datetime
    end_dt: datetime
    is_all_day: bool
    timezone: str

    def local_days(self) -> tuple[datetime, datetime]:
        """Return the first day and the day after the last, at local midnight."""
        return (
            utc_to_local(self.start_dt, self.timezone),
            utc_to_local(self.end_dt, self.timezone),
        )


def _encode(params: dict[str, str]) -> str:
    # %20 for spaces rather than "+": Outlook shows a "+" as it is.
    return urlencode({k: v for k, v in params.items() if v}, quote_via=quote)


def link_details(description: str, page_url: str) -> str:
    """Return the plain text an add-to-calendar link carries: the description, shortened, and the page."""
    text = _shorten(markdown_to_text(description), LINK_DETAILS_LENGTH)
    return f"{text}\n\n{page_url}" if text else page_url


def google_calendar_url(slot: Slot, *, title: str, details: str, location: str) -> str:
    """Return a Google Calendar "add event" link.

    Timed events go in UTC (`20261201T080000Z`); all-day events as dates, the
    end being the day after the last, as Google (and RFC 5545) want it.
    """
    if slot.is_all_day:
        first, after = slot.local_days()
        dates = f"{first:%Y%m%d}/{after:%Y%m%d}"
        zone = ""
    else:
        start, end = slot.start_dt.astimezone(UTC), slot.end_dt.astimezone(UTC)
        dates = f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"
        zone = slot.timezone
    query = _encode(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": dates,
            "ctz": zone,
            "details": details,
            "location": location,
        }
    )
    return f"{GOOGLE_CALENDAR_URL}?{query}"


def outlook_calendar_url(slot: Slot, *, title: str, details: str, location: str) -> str:
    """Return an Outlook on the web "new event" link, with ISO 8601 times.

    Timed events go in UTC with `Z`; all-day events as dates with `allday=true`,
    the end being the day after the last.
    """
    if slot.is_all_day:
        first, after = slot.local_days()
        start, end = f"{first:%Y-%m-%d}", f"{after:%Y-%m-%d}"
    else:
        start = f"{slot.start_dt.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        end = f"{slot.end_dt.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    query = _encode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title,
            "startdt": start,
            "enddt": end,
            "allday": "true" if slot.is_all_day else "false",
            "body": details,
            "location": location,
        }
    )
    return f"{OUTLOOK_CALENDAR_URL}?{query}"


def map_url(place: str) -> str:
    """Return an OpenStreetMap search for a place, or "" for none."""
    place = " ".join(place.split())
    if not place:
        return ""
    return f"{OPENSTREETMAP_SEARCH_URL}?{_encode({'query': place})}"


# ---- description and schema.org ----------------------------------------------


def _shorten(text: str, width: int) -> str:
    """Return `text` with its spaces collapsed, cut at a word end to at most `width`."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    short = textwrap.shorten(text, width=width, placeholder=" …")
    if short == "…":  # the first word alone is longer than `width`
        short = text[: width - 1] + "…"
    return short


def first_sentence(markdown: str) -> str:
    """Return the first sentence of limited Markdown, as plain text."""
    text = " ".join(markdown_to_text(markdown).split())
    return _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""


def meta_description(*parts: str) -> str:
    """Return the parts that are not empty, joined, cut at a word to META_DESCRIPTION_LENGTH."""
    return _shorten(
        " – ".join(p.strip() for p in parts if p.strip()), META_DESCRIPTION_LENGTH
    )


def _schema_time(instant: datetime, slot: Slot, *, end: bool = False) -> str:
    if slot.is_all_day:
        # schema.org dates an all-day event by its days: the end is the last day.
        day = utc_to_local(instant, slot.timezone) - (
            timedelta(days=1) if end else timedelta()
        )
        return f"{day:%Y-%m-%d}"
    return utc_to_local(instant, slot.timezone).isoformat(timespec="minutes")


def event_json_ld(
    event: Event,
    slots: Sequence[Slot],
    *,
    page_url: str,
    organiser_url: str,
) -> list[dict[str, Any]]:
    """Return schema.org `Event` objects for the slots shown, for a JSON-LD block.

    One object per date: search engines list each date of a series on its own.
    Times carry their UTC offset; a cancelled event says so.
    """
    status = (
        "https://schema.org/EventCancelled"
        if event.is_cancelled
        else "https://schema.org/EventScheduled"
    )
    common: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": page_url,
        "eventStatus": status,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
    }
    description = markdown_to_text(event.description)
    if description:
        common["description"] = _shorten(description, LINK_DETAILS_LENGTH)
    if event.location.strip():
        common["location"] = {
            "@type": "Place",
            "name": event.location,
            "address": event.location,
        }
    if event.organiser_label:
        organizer = {"@type": "Organization", "name": event.organiser_label}
        if organiser_url:
            organizer["url"] = organiser_url
        common["organizer"] = organizer
    return [
        {
            **common,
            "startDate": _schema_time(slot.start_dt, slot),
            "endDate": _schema_time(slot.end_dt, slot, end=True),
        }
        for slot in slots
    ]
