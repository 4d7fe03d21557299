"""The weekly digest: on Monday at 08:00 in the city's zone, the next two weeks' calendar.

Each active user who opted in (`User.wants_digest`) gets one mail a week
listing what their audience may see from that Monday 08:00 for fourteen days,
grouped by day on their own clock and in their own language. The mails are
outbox rows written in the caller's transaction; the outbox job sends them.
The scheduler ticks often; the outbox's idempotency key makes every tick after
the first in a week a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date, format_skeleton, format_time
from flask import current_app

from app.auth.models import User
from app.auth.unsubscribe import MailKind, unsubscribe_url
from app.calendar.services import CalendarEntry, EntryKind, list_window
from app.core.db import db
from app.core.i18n import babel_locale
from app.core.visibility import Audience, audience_for
from app.outbox.models import OutboxMail
from app.outbox.services import queue_mail

logger = logging.getLogger(__name__)

#: Mail kind, and the name of its templates in templates/email/.
DIGEST_MAIL = "weekly_digest"
#: When the digest goes out, on the clock of config["TIMEZONE"]: Monday 08:00.
DIGEST_WEEKDAY = 0
DIGEST_TIME = time(8, 0)
#: How far ahead a digest looks from its moment.
DIGEST_SPAN = timedelta(days=14)


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest: a calendar entry as one reader sees it."""

    kind: str
    title: str
    #: The visit a programme item belongs to; empty for events and visits.
    visit: str
    place: str
    #: "14:00–16:00" on the reader's clock; empty for an all-day item.
    time: str
    is_all_day: bool
    #: Last day of an all-day item lasting several days, else empty.
    until: str
    is_cancelled: bool
    link: str


@dataclass
class DigestDay:
    """The items of one local day, headed by the day's name."""

    label: str
    items: list[DigestItem] = field(default_factory=list)


def digest_moment(now: datetime, zone: str) -> datetime:
    """Return the latest Monday 08:00 on the clock of `zone` at or before `now`, in UTC.

    Computed on the local calendar, so it stays 08:00 local on both sides of a
    daylight-saving change (07:00 UTC in summer, 06:00 in winter in Oslo).
    """
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=(today.weekday() - DIGEST_WEEKDAY) % 7)
    moment = datetime.combine(monday, DIGEST_TIME, tzinfo=tz).astimezone(UTC)
    if moment > now:
        moment = datetime.combine(
            monday - timedelta(days=7), DIGEST_TIME, tzinfo=tz
        ).astimezone(UTC)
    return moment


def digest_key(user: User, week: date) -> str:
    """Return the idempotency key of `user`'s digest of the week starting `week`."""
    return f"digest:{user.id}:{week.isoformat()}"


def queue_weekly_digests(now: datetime) -> int:
    """Queue this week's digest for every subscriber still without one; return how many.

    Nothing is queued more than DIGEST_LATE_HOURS after this week's moment, so
    a scheduler that was down does not send a stale digest later. A user whose
    audience has nothing in the two weeks gets no mail. The window is listed
    once per audience, and which users already have this week's mail is asked
    in one query, so the cost per user is rendering and one insert. Flushes,
    never commits.
    """
    config = current_app.config
    city_zone = str(config["TIMEZONE"])
    moment = digest_moment(now, city_zone)
    if now - moment > timedelta(hours=float(config["DIGEST_LATE_HOURS"])):
        return 0
    week = moment.astimezone(ZoneInfo(city_zone)).date()
    entries_by_audience: dict[Audience, list[CalendarEntry]] = {}
    queued = 0
    for user in _users_without_digest(week):
        audience = audience_for(user)
        if audience not in entries_by_audience:
            entries_by_audience[audience] = list_window(
                audience, window_start=moment, window_end=moment + DIGEST_SPAN
            )
        entries = entries_by_audience[audience]
        if not entries:
            continue
        queue_mail(
            DIGEST_MAIL,
            recipient=user.email,
            recipient_user_id=user.id,
            locale=user.locale,
            context=_context(user, entries, moment=moment, week=week),
            idempotency_key=digest_key(user, week),
            now=now,
            list_unsubscribe=unsubscribe_url(user, MailKind.digest),
        )
        queued += 1
    logger.info("queued %s weekly digests for the week of %s", queued, week)
    return queued


def _users_without_digest(week: date) -> list[User]:
    """Return the active subscribers whose digest of `week` is not in the outbox yet."""
    users = list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.wants_digest.is_(True))
            .order_by(User.id)
        )
    )
    if not users:
        return []
    keys = [digest_key(user, week) for user in users]
    done = set(
        db.session.scalars(
            sa.select(OutboxMail.idempotency_key).where(
                OutboxMail.idempotency_key.in_(keys)
            )
        )
    )
    return [user for user, key in zip(users, keys, strict=True) if key not in done]


def _context(
    user: User, entries: Sequence[CalendarEntry], *, moment: datetime, week: date
) -> dict[str, object]:
    locale = babel_locale(user.locale)
    base = current_app.config["PUBLIC_BASE_URL"]
    return {
        "user": user,
        "first_day": format_skeleton("MMMd", week, locale=locale),
        "last_day": format_skeleton(
            "MMMd", week + DIGEST_SPAN - timedelta(days=1), locale=locale
        ),
        "days": _days(entries, zone=user.timezone, locale=locale, moment=moment),
        "zone": user.timezone,
        "calendar_link": f"{base}/calendar",
        "preferences_link": f"{base}/preferences",
    }


def _days(
    entries: Iterable[CalendarEntry], *, zone: str, locale: str, moment: datetime
) -> list[DigestDay]:
    """Group entries by the reader's local day, in day order, keeping their order within a day.

    An item that began before the digest's moment (a visit under way) is
    listed on the first day. An all-day item belongs to its own dates, as the
    calendar shows it, whatever the reader's zone.
    """
    tz = ZoneInfo(zone)
    first_day = moment.astimezone(tz).date()
    grouped: dict[date, list[DigestItem]] = {}
    for entry in entries:
        if entry.is_all_day:
            own = ZoneInfo(entry.timezone)
            day = max(entry.start_dt.astimezone(own).date(), first_day)
        else:
            day = max(entry.start_dt, moment).astimezone(tz).date()
        grouped.setdefault(day, []).append(_item(entry, day=day, tz=tz, locale=locale))
    return [
        DigestDay(label=format_date(day, "full", locale=locale), items=grouped[day])
        for day in sorted(grouped)
    ]


def _item(entry: CalendarEntry, *, day: date, tz: ZoneInfo, locale: str) -> DigestItem:
    base = current_app.config["PUBLIC_BASE_URL"]
    if entry.kind is EntryKind.event:
        link = f"{base}/events/{entry.id}"
    else:
        link = f"{base}/visits/{entry.delegation_id}"
    until = ""
    if entry.is_all_day:
        own = ZoneInfo(entry.timezone)
        last = (entry.end_dt.astimezone(own) - timedelta(days=1)).date()
        if last > day:
            until = format_skeleton("MMMd", last, locale=locale)
    return DigestItem(
        kind=entry.kind.value,
        title=entry.title,
        visit=entry.context if entry.kind is EntryKind.programme else "",
        place=entry.location,
        time="" if entry.is_all_day else _span(entry, day=day, tz=tz, locale=locale),
        is_all_day=entry.is_all_day,
        until=until,
        is_cancelled=entry.is_cancelled,
        link=link,
    )


def _span(entry: CalendarEntry, *, day: date, tz: ZoneInfo, locale: str) -> str:
    """Return "14:00–16:00", naming a date wherever it is not the day listed under.

    "28 Nov, 10:00 – 3 Dec, 12:00" for a visit under way; "22:00 – 1 Dec, 02:00"
    for an evening that ends after midnight.
    """
    start = entry.start_dt.astimezone(tz)
    end = entry.end_dt.astimezone(tz)

    def clock(instant: datetime, same_day: date) -> str:
        text = format_time(instant, "short", tzinfo=tz, locale=locale)
        if instant.date() == same_day:
            return text
        return f"{format_skeleton('MMMd', instant.date(), locale=locale)}, {text}"

    start_text = clock(start, day)
    end_text = clock(end, start.date())
    if start.date() == day and end.date() == day:
        return f"{start_text}–{end_text}"
    return f"{start_text} – {end_text}"
