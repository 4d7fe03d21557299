"""Pure RFC 5545 code: plain feed items in, iCalendar bytes out.

Nothing here imports Flask or `app`; a test enforces it.
"""

from calendar_feeds.ical import build_event
from calendar_feeds.items import FeedItem, clean_text
from calendar_feeds.serialize import assemble_calendar, build_calendar, serialize_event
from calendar_feeds.uids import make_uid
from calendar_feeds.zones import ZoneSpan, item_zone_span, vtimezone, zone_spans

__all__ = [
    "FeedItem",
    "ZoneSpan",
    "assemble_calendar",
    "build_calendar",
    "build_event",
    "clean_text",
    "item_zone_span",
    "make_uid",
    "serialize_event",
    "vtimezone",
    "zone_spans",
]
