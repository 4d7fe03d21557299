"""What the iCal feeds publish: events, programme items and visit spans as feed items.

Everything goes through `app.core.visibility.visible_clause` and the calendar
page's own filters (`app.calendar.services`), so a feed never shows more than
the calendar page shows the same audience. Only fields the visit page shows
every viewer of the visit are published: never participants, responsible
persons, officials, notes, budgets or anything else personal or internal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from babel import Locale
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.auth.services import public_link
from app.calendar.ical import event_feed_item
from app.calendar.models import Event, EventStatus
from app.calendar.services import (
    CalendarFilters,
    EntryKind,
    window_events,
    window_programme,
    window_visits,
)
from app.core.db import db
from app.core.i18n import babel_locale
from app.core.visibility import Audience, visible_clause
from app.delegations.models import Delegation, DelegationStatus, ProgrammeItem
from calendar_feeds import FeedItem, assemble_calendar, serialize_event, zone_spans

#: Far enough ahead to mean "all future" in a database comparison.
_ALL_FUTURE = timedelta(days=365 * 200)

#: RFC 5545 STATUS of a visit and of its programme items.
VISIT_STATUS = {
    DelegationStatus.enquiry: "TENTATIVE",
    DelegationStatus.tentative: "TENTATIVE",
    DelegationStatus.confirmed: "CONFIRMED",
    DelegationStatus.completed: "CONFIRMED",
    DelegationStatus.cancelled: "CANCELLED",
}

#: Serialised VEVENTs kept per worker, by the item's whole value: a feed rebuilt
#: after one change serialises that item only (about 0.3 ms each, FACTS.md), and
#: an edited item is a new key, so nothing stale is ever served. ~1 kB each.
SERIALISED_CACHE_SIZE = 20_000

_serialised = lru_cache(maxsize=SERIALISED_CACHE_SIZE)(serialize_event)

#: CATEGORIES label of the kinds that have no categories of their own.
_KIND_LABELS = {
    EntryKind.programme: _l("Visit programme"),
    EntryKind.visit: _l("Visit"),
}


@dataclass(frozen=True)
class FeedContent:
    """The items of one feed, and the newest change that shaped it.

    `last_change` is the newest `updated_dt` among the items, or the instant an
    item left the feed (its cancellation expired, or the window passed its
    end) when that is newer: a removal changes the bytes, so Last-Modified
    must move too. Deleted rows and narrowed visibility leave no trace here;
    the ETag covers them.
    """

    items: list[FeedItem]
    last_change: datetime | None


def collect_feed(
    audience: Audience,
    *,
    filters: CalendarFilters,
    window_start: datetime,
    now: datetime,
    language: str,
    keep_cancelled: timedelta,
) -> FeedContent:
    """Return what `audience` may see from `window_start` on, as feed items, in UID order.

    A recurring series reaching into the window is published whole (RRULE and
    EXDATE; clients expand it). A cancelled item stays, marked CANCELLED, for
    `keep_cancelled` after its last change, then leaves. A constant number of
    queries, whatever the number of items.
    """
    window_end = now + _ALL_FUTURE
    cutoff = now - keep_cancelled
    kept: list[FeedItem] = []
    removed: list[datetime] = []

    def keep(item: FeedItem, cancelled: bool, changed: datetime) -> None:
        if cancelled and changed < cutoff:
            removed.append(changed + keep_cancelled)
        else:
            kept.append(item)

    if filters.shows(EntryKind.event):
        events = window_events(audience, window_start, window_end, filters)
        _load_themes(events)
        for event in events:
            keep(
                _event_item(event, language),
                event.status is EventStatus.cancelled,
                event.updated_dt,
            )
    if filters.shows(EntryKind.programme):
        for item in window_programme(audience, window_start, window_end, filters):
            visit = item.delegation
            keep(
                programme_feed_item(item, language=language),
                visit.status is DelegationStatus.cancelled,
                visit.updated_dt,
            )
    if filters.shows(EntryKind.visit):
        for visit in window_visits(audience, window_start, window_end, filters):
            keep(
                visit_feed_item(visit, language=language),
                visit.status is DelegationStatus.cancelled,
                visit.updated_dt,
            )
    kept.sort(key=lambda item: item.uid)
    changes = [item.last_modified for item in kept] + removed
    left = _newest_window_exit(audience, window_start)
    if left is not None:
        # It left the feed when the window's start passed its end.
        changes.append(left + (now - window_start))
    return FeedContent(items=kept, last_change=max(changes, default=None))


def feed_items(
    audience: Audience,
    *,
    filters: CalendarFilters,
    window_start: datetime,
    now: datetime,
    language: str,
    keep_cancelled: timedelta,
) -> list[FeedItem]:
    """Return the feed items `audience` may see (see `collect_feed`)."""
    return collect_feed(
        audience,
        filters=filters,
        window_start=window_start,
        now=now,
        language=language,
        keep_cancelled=keep_cancelled,
    ).items


def feed_bytes(
    items: Sequence[FeedItem], *, name: str, prodid: str, refresh: timedelta | None
) -> bytes:
    """Return the calendar of `items`: the bytes of `build_calendar`, from kept VEVENTs."""
    return assemble_calendar(
        [_serialised(item) for item in items],
        zone_spans(items),
        name=name,
        prodid=prodid,
        refresh=refresh,
    )


def visit_programme_content(
    visit: Delegation, audience: Audience, *, language: str
) -> FeedContent:
    """Return the programme items of one visit that `audience` may see, in time order.

    The caller has checked that `audience` may see the visit. A cancelled
    visit's items are all kept, marked CANCELLED: this is the visit's own file.
    """
    items = db.session.scalars(
        sa.select(ProgrammeItem)
        .where(
            ProgrammeItem.delegation_id == visit.id,
            visible_clause(ProgrammeItem, audience),
        )
        .order_by(ProgrammeItem.start_dt, ProgrammeItem.id)
        .options(
            selectinload(ProgrammeItem.delegation), selectinload(ProgrammeItem.venue)
        )
    ).all()
    feed = [programme_feed_item(item, language=language) for item in items]
    return FeedContent(
        items=feed, last_change=max((i.last_modified for i in feed), default=None)
    )


def programme_feed_item(item: ProgrammeItem, *, language: str) -> FeedItem:
    """Return the feed item of a programme item: its time and place, the visit's status."""
    visit = item.delegation
    place = [item.venue.name, item.venue.address] if item.venue else []
    return FeedItem(
        uid=item.uid,
        sequence=item.sequence or 0,
        title=item.title,
        description=item.description,
        start_dt=item.start_dt,
        end_dt=item.end_dt,
        timezone=visit.timezone,
        location=", ".join(part for part in [*place, item.location] if part.strip()),
        url=public_link("delegations.show_delegation", delegation_id=str(visit.id)),
        status=VISIT_STATUS[visit.status],
        categories=(_label(EntryKind.programme, language),),
        last_modified=item.updated_dt,
        created=item.created_dt,
    )


def visit_feed_item(visit: Delegation, *, language: str) -> FeedItem:
    """Return the feed item of a visit's span, from arrival to departure."""
    country = Locale.parse(babel_locale(language)).territories.get(
        visit.country, visit.country
    )
    place = [visit.city.name] if visit.city else []
    return FeedItem(
        uid=visit.uid,
        sequence=visit.sequence or 0,
        title=visit.title,
        start_dt=visit.arrival_dt,
        end_dt=visit.departure_dt,
        timezone=visit.timezone,
        location=", ".join([*place, str(country)]),
        url=public_link("delegations.show_delegation", delegation_id=str(visit.id)),
        status=VISIT_STATUS[visit.status],
        categories=(_label(EntryKind.visit, language),),
        last_modified=visit.updated_dt,
        created=visit.created_dt,
    )


def _newest_window_exit(audience: Audience, window_start: datetime) -> datetime | None:
    """Return the latest end, before the window, of anything `audience` may see.

    Filters are left out on purpose: a later Last-Modified costs an
    If-Modified-Since client one full fetch, an earlier one would hide a change.
    """
    events, items, visits = (
        sa.select(sa.func.max(Event.series_end_dt))
        .where(visible_clause(Event, audience), Event.series_end_dt <= window_start)
        .scalar_subquery(),
        sa.select(sa.func.max(ProgrammeItem.end_dt))
        .where(
            visible_clause(ProgrammeItem, audience),
            ProgrammeItem.end_dt <= window_start,
        )
        .scalar_subquery(),
        sa.select(sa.func.max(Delegation.departure_dt))
        .where(
            visible_clause(Delegation, audience),
            Delegation.departure_dt <= window_start,
        )
        .scalar_subquery(),
    )
    row = db.session.execute(sa.select(events, items, visits)).one()
    found = [_utc(value) for value in row if value is not None]
    return max(found, default=None)


def _utc(value: datetime) -> datetime:
    """Return a scalar subquery's datetime as aware UTC (it bypasses UTCDateTime)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _event_item(event: Event, language: str) -> FeedItem:
    # The item links to our event page; the organiser's own link is on that page.
    return replace(
        event_feed_item(event, language=language),
        url=public_link("events.show_event", event_id=str(event.id)),
    )


def _load_themes(events: Iterable[Event]) -> None:
    """Load the themes of all `events` with one query (CATEGORIES), not one per event."""
    ids = [event.id for event in events]
    if ids:
        db.session.scalars(
            sa.select(Event)
            .where(Event.id.in_(ids))
            .options(selectinload(Event.themes))
        ).all()


def _label(kind: EntryKind, language: str) -> str:
    with force_locale(babel_locale(language)):
        return str(_KIND_LABELS[kind])
