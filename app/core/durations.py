"""The longest an event or a visit may last: an end years after the start is a typo.

The limits are settings (EVENT_MAX_DAYS, VISIT_MAX_DAYS). They are measured on
the wall times typed, in the object's own zone, so a span across a change of
daylight-saving time is not an hour too long.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

EVENT_TOO_LONG = _l(
    "An event can last at most %(days)d days. Check the end, or enter a longer activity as a repeating event."
)
VISIT_TOO_LONG = _l("A visit can last at most %(days)d days. Check the departure.")


def is_too_long(
    start: datetime, end: datetime, *, all_day: bool, max_days: int
) -> bool:
    """Return whether wall times `start` to `end` last more than `max_days` days.

    An all-day span counts its days, the first and the last included.
    """
    if all_day:
        return (end.date() - start.date()).days + 1 > max_days
    return end - start > timedelta(days=max_days)


def check_duration(
    start: Any, end: Any, *, all_day: bool, max_days: int, message: Any
) -> bool:
    """Return whether the span of two date-time fields fits in `max_days` days.

    If it does not, `message` (with `%(days)d`) goes onto the `end` field.
    """
    if start.data is None or end.data is None:
        return True
    if not is_too_long(start.data, end.data, all_day=all_day, max_days=max_days):
        return True
    end.errors = [*end.errors, str(message) % {"days": max_days}]
    return False
