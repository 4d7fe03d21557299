"""The plain values a feed publishes, and the text cleaning every value goes through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

#: RFC 5545 section 3.8.1.11 STATUS values of a VEVENT.
STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})

#: Control characters other than tab and newline (C0, DEL and C1), lone
#: surrogates (not encodable in UTF-8) and the two noncharacters U+FFFE/U+FFFF.
#: icalendar writes control characters raw, and inside a property they make the
#: line unreadable when parsed again (FACTS.md).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Unicode line and paragraph separators count as line breaks.
_NEWLINES = re.compile("\r\n|[\r\x85\u2028\u2029]")
_LINE_BREAKS = re.compile(r"[\n\t]+")


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
    text = _NEWLINES.sub("\n", value)
    if not multiline:
        text = _LINE_BREAKS.sub(" ", text).strip()
    return _CONTROL.sub("", text)
