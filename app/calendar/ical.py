"""Events as plain feed items for `calendar_feeds`, and one event's own .ics file."""

from __future__ import annotations

from app.calendar.models import Event
from app.calendar.recurrence import parse_exdates
from app.core.calendar_object import PRODID
from app.core.forms import is_web_link
from app.core.markdown import markdown_to_text
from calendar_feeds import FeedItem, build_calendar


def event_feed_item(event: Event, *, language: str) -> FeedItem:
    """Return the feed item of an event; theme names are written in `language`."""
    return FeedItem(
        uid=event.uid,
        sequence=event.sequence or 0,
        title=event.title,
        description=markdown_to_text(event.description),
        start_dt=event.start_dt,
        end_dt=event.end_dt,
        is_all_day=event.is_all_day,
        timezone=event.timezone,
        location=event.location,
        url=event.url if is_web_link(event.url) else "",
        status=event.status.value.upper(),
        categories=tuple(theme.name(language) for theme in event.themes),
        rrule=event.rrule or "",
        exdates=tuple(sorted(parse_exdates(event.exdates or ""))),
        last_modified=event.updated_dt,
        created=event.created_dt,
    )


def event_ics(event: Event, *, language: str) -> bytes:
    """Return the iCalendar file of one event."""
    return build_calendar(
        [event_feed_item(event, language=language)], name=event.title, prodid=PRODID
    )
