"""Pure RFC 5545 code: plain feed items in, iCalendar bytes out.

Nothing here imports Flask or `app`; a test enforces it.
"""

from calendar_feeds.ical import build_event
from calendar_feeds.items import FeedItem, clean_text
from calendar_feeds.serialize import (
    CALENDAR_END,
    assemble_calendar,
    build_calendar,
    calendar_head,
    serialize_event,
)
from calendar_feeds.uids import make_uid
from calendar_feeds.zones import ZoneSpan, item_zone_span, vtimezone, zone_spans

__all__ = [
    "CALENDAR_END",
    "FeedItem",
    "ZoneSpan",
    "assemble_calendar",
    "build_calendar",
    "build_event",
    "calendar_head",
    "clean_text",
    "item_zone_span",
    "make_uid",
    "serialize_event",
    "vtimezone",
    "zone_spans",
]
