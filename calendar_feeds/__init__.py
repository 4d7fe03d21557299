"""Pure RFC 5545 code: plain feed items in, iCalendar bytes out.

Nothing here imports Flask or `app`; a test enforces it.
"""

from calendar_feeds.ical import FeedItem, build_calendar, build_event, clean_text
from calendar_feeds.uids import make_uid

__all__ = ["FeedItem", "build_calendar", "build_event", "clean_text", "make_uid"]
