"""Recurrence as plain choices: weekly or monthly, how often, until when.

The event form speaks in choices a person understands ("every second week on
Tuesday", "the second Tuesday of every month", "ten times"); `build_rule`
turns them into an RFC 5545 RRULE value, `rule_fields` turns a stored rule
back into them for editing, and `describe_rule` says a rule in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from app.core.forms import EARLIEST_YEAR, LATEST_YEAR

#: RFC 5545 weekday codes, Monday first, and their names.
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_LABELS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


@dataclass
class RuleFields:
    """The form's recurrence choices (see `build_rule` and `rule_fields`)."""

    repeat: str = "none"
    interval: int = 1
    weekdays: list[str] = field(default_factory=list)
    monthly_by: str = "day"
    ends: str = "never"
    until: date | None = None
    count: int | None = None


def build_rule(fields: RuleFields, first_day: date) -> str:
    """Return the RRULE value for the form's choices and the event's first local day.

    UNTIL is written as the end of that day in the event's local time; the
    iCalendar builder turns it into UTC where RFC 5545 wants it so.
    """
    if fields.repeat == "none":
        return ""
    parts = [f"FREQ={fields.repeat.upper()}"]
    if fields.interval > 1:
        parts.append(f"INTERVAL={fields.interval}")
    if fields.repeat == "weekly":
        days = [d for d in WEEKDAYS if d in fields.weekdays] or [
            WEEKDAYS[first_day.weekday()]
        ]
        parts.append(f"BYDAY={','.join(days)}")
    elif fields.monthly_by == "day":
        parts.append(f"BYMONTHDAY={first_day.day}")
    else:
        code = WEEKDAYS[first_day.weekday()]
        nth = -1 if fields.monthly_by == "last" else (first_day.day - 1) // 7 + 1
        parts.append(f"BYDAY={nth}{code}")
    if fields.ends == "until" and fields.until is not None:
        parts.append(f"UNTIL={fields.until:%Y%m%d}T235959")
    elif fields.ends == "count" and fields.count:
        parts.append(f"COUNT={fields.count}")
    return ";".join(parts)


def rule_fields(rule: str) -> RuleFields:
    """Return the form's choices for a stored RRULE value (the reverse of `build_rule`)."""
    parts = dict(
        part.split("=", 1)
        for part in rule.strip().removeprefix("RRULE:").upper().split(";")
        if "=" in part
    )
    freq = parts.get("FREQ", "")
    if freq not in ("WEEKLY", "MONTHLY"):
        return RuleFields()
    result = RuleFields(repeat=freq.lower(), interval=int(parts.get("INTERVAL", "1")))
    byday = [d for d in parts.get("BYDAY", "").split(",") if d]
    if freq == "WEEKLY":
        result.weekdays = [d for d in byday if d in WEEKDAYS]
    elif byday:
        result.monthly_by = "last" if byday[0].startswith("-") else "weekday"
    if "UNTIL" in parts:
        result.ends = "until"
        text = parts["UNTIL"]
        result.until = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    elif "COUNT" in parts:
        result.ends = "count"
        result.count = int(parts["COUNT"])
    return result


def parse_date_lines(text: str) -> tuple[list[date], list[str]]:
    """Return the dates of a one-date-per-line text, and the lines that are no date."""
    found: list[date] = []
    bad: list[str] = []
    for line in text.replace(",", "\n").splitlines():
        value = line.strip()
        if not value:
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            bad.append(value)
            continue
        if EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            found.append(day)
        else:
            bad.append(value)
    return sorted(set(found)), bad


ORDINALS = {
    1: _l("first"),
    2: _l("second"),
    3: _l("third"),
    4: _l("fourth"),
    5: _l("fifth"),
    -1: _l("last"),
}


def describe_rule(
    rule: str, first_day: date, *, format_day: Callable[[date], str]
) -> str:
    """Return a recurrence rule in words, such as "Every 2 weeks on Tuesday, 10 times".

    `format_day` formats the UNTIL date in the viewer's language.
    """
    fields = rule_fields(rule)
    if fields.repeat == "none":
        return ""
    n = fields.interval
    if fields.repeat == "weekly":
        codes = fields.weekdays or [WEEKDAYS[first_day.weekday()]]
        days = ", ".join(str(WEEKDAY_LABELS[WEEKDAYS.index(c)]) for c in codes)
        text = (
            _l("Every week on %(days)s", days=days)
            if n == 1
            else _l("Every %(count)d weeks on %(days)s", count=n, days=days)
        )
    elif fields.monthly_by == "day":
        text = (
            _l("Every month on day %(day)d", day=first_day.day)
            if n == 1
            else _l("Every %(count)d months on day %(day)d", count=n, day=first_day.day)
        )
    else:
        nth = -1 if fields.monthly_by == "last" else (first_day.day - 1) // 7 + 1
        weekday = WEEKDAY_LABELS[first_day.weekday()]
        text = (
            _l(
                "Every month on the %(nth)s %(weekday)s",
                nth=ORDINALS[nth],
                weekday=weekday,
            )
            if n == 1
            else _l(
                "Every %(count)d months on the %(nth)s %(weekday)s",
                count=n,
                nth=ORDINALS[nth],
                weekday=weekday,
            )
        )
    if fields.ends == "until" and fields.until is not None:
        return str(
            _l("%(rule)s, until %(date)s", rule=text, date=format_day(fields.until))
        )
    if fields.ends == "count" and fields.count:
        return str(
            _l("%(rule)s, %(count)d times in all", rule=text, count=fields.count)
        )
    return str(text)
