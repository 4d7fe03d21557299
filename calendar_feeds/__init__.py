"""Pure RFC 5545 code: plain feed items in, iCalendar bytes out.

Nothing here imports Flask or `app`; a test enforces it.
"""

from calendar_feeds.uids import make_uid

__all__ = ["make_uid"]
