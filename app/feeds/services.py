"""What the iCal feeds publish: events, programme items and visit spans as feed items.

Everything goes through `app.core.visibility.visible_clause` and the calendar
page's own filters (`app.calendar.services`), so a feed never shows more than
the calendar page shows the same audience. Only fields the visit page shows
every viewer of the visit are published: never participants, responsible
persons, officials, notes, budgets or anything else personal or internal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from app.auth.services import public_link
from app.calendar.ical import event_feed_item
from app.calendar.models import Event, EventStatus
from app.calendar.services import (
    CalendarFilters,
    EntryKind,
    event_window_clauses,
    programme_window_clauses,
    text_matcher,
    visit_window_clauses,
)
from app.core.db import db
from app.core.visibility import Audience, visible_clause
from app.delegations.ical import programme_feed_item, visit_feed_item
from app.delegations.models import Delegation, DelegationStatus, ProgrammeItem
from app.directory.models import City, Theme, Venue
from app.feeds.entries import FeedEntry, Stamp, entry_store, make_entry
from calendar_feeds import CALENDAR_END, FeedItem, ZoneSpan, calendar_head

#: Far enough ahead to mean "all future" in a database comparison.
_ALL_FUTURE = timedelta(days=365 * 200)

#: Rows loaded at once when items must be serialised (a feed's first build).
_LOAD_CHUNK = 500


@dataclass(frozen=True)
class FeedContent:
    """The entries of one feed, and the newest change that shaped it.

    `last_change` is the newest `updated_dt` among the items, or the instant an
    item left the feed (its cancellation expired, or the window passed its
    end) when that is newer: a removal changes the bytes, so Last-Modified
    must move too. Deleted rows and narrowed visibility leave no trace here;
    the ETag covers them.
    """

    entries: list[FeedEntry]
    last_change: datetime | None

    @property
    def items(self) -> list[FeedItem]:
        return [entry.item for entry in self.entries]


#: A visible row: kind, id, UID, SEQUENCE, `updated_dt` and its visit's (naive UTC).
_Row = tuple[EntryKind, int, str, int, datetime, datetime | None]


def collect_feed(
    audience: Audience,
    *,
    filters: CalendarFilters,
    window_start: datetime,
    now: datetime,
    language: str,
    keep_cancelled: timedelta,
) -> FeedContent:
    """Return what `audience` may see from `window_start` on, as feed entries, in UID order.

    A recurring series reaching into the window is published whole (RRULE and
    EXDATE; clients expand it). A cancelled item stays, marked CANCELLED, for
    `keep_cancelled` after its last change, then leaves. Only items not kept
    from an earlier build are loaded and serialised (`app.feeds.entries`). A
    constant number of queries, whatever the number of items.
    """
    window_end = now + _ALL_FUTURE
    cutoff = _naive(now - keep_cancelled)
    rows: list[_Row] = []
    removed: list[datetime] = []
    for kind, select_rows in (
        (EntryKind.event, _event_rows),
        (EntryKind.programme, _programme_rows),
        (EntryKind.visit, _visit_rows),
    ):
        if not filters.shows(kind):
            continue
        for row, cancelled, changed in select_rows(
            audience, window_start, window_end, filters
        ):
            if cancelled and changed < cutoff:
                removed.append(changed.replace(tzinfo=UTC) + keep_cancelled)
            else:
                rows.append(row)
    entries = _entries(rows, language)
    entries.sort(key=_by_uid)
    changes = [entry.item.last_modified for entry in entries] + removed
    left = _newest_window_exit(audience, window_start)
    if left is not None:
        # It left the feed when the window's start passed its end.
        changes.append(left + (now - window_start))
    return FeedContent(entries=entries, last_change=max(changes, default=None))


def _by_uid(entry: FeedEntry) -> str:
    return entry.item.uid


def _naive(value: datetime) -> datetime:
    """Return an aware time as the naive UTC the database stores."""
    return value.astimezone(UTC).replace(tzinfo=None)


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
    entries: Sequence[FeedEntry],
    *,
    name: str,
    prodid: str,
    refresh: timedelta | None,
    empty_zone: ZoneSpan,
) -> bytes:
    """Return the calendar of `entries`: the bytes `build_calendar` gives for their items."""
    return assemble_feed(
        entries, name=name, prodid=prodid, refresh=refresh, empty_zone=empty_zone
    )[0]


def assemble_feed(
    entries: Sequence[FeedEntry],
    *,
    name: str,
    prodid: str,
    refresh: timedelta | None,
    empty_zone: ZoneSpan,
) -> tuple[bytes, str]:
    """Return the calendar of `entries` and its strong entity tag (unquoted).

    The tag hashes the calendar's head and each entry's digest instead of
    the whole body: 10,000 items make 6 MB, whose hash would cost more than
    the rest of a rebuild's assembling. Equal tags still mean equal bytes.

    :param empty_zone: the VTIMEZONE a feed without entries carries (the
        city's): RFC 5545 section 3.6 wants at least one component in a
        VCALENDAR, and a VTIMEZONE is one, which every client ignores.
    """
    zones = [entry.zone for entry in entries if entry.zone is not None]
    head = calendar_head(
        zones if entries else [empty_zone],
        name=name,
        prodid=prodid,
        refresh=refresh,
    )
    body = b"".join([head, *(entry.vevent for entry in entries), CALENDAR_END])
    tag = hashlib.sha256(len(head).to_bytes(8, "big") + head)
    for entry in entries:
        tag.update(entry.digest)
    return body, tag.hexdigest()[:40]


#: Raw columns for the light row queries: naive UTC, and the status as stored.
#: Converting 10,000 values to aware times and enums costs more than the query.
def _raw_time(column: Any) -> Any:
    return sa.type_coerce(column, sa.DateTime()).label(None)


def _raw_text(column: Any) -> Any:
    return sa.type_coerce(column, sa.String()).label(None)


#: A visible row, whether it is cancelled, and when its last change was made.
_Found = Iterator[tuple[_Row, bool, datetime]]


def _event_rows(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> _Found:
    texts = (Event.title, Event.description, Event.location) if filters.q else ()
    query = sa.select(
        Event.id,
        Event.uid,
        Event.sequence,
        _raw_time(Event.updated_dt),
        _raw_text(Event.status),
        *texts,
    ).where(*event_window_clauses(audience, window_start, window_end, filters))
    matches = text_matcher(filters)
    cancelled = EventStatus.cancelled.value
    for id_, uid, sequence, updated, status, *text in db.session.execute(query):
        if matches(*text):
            row = (EntryKind.event, id_, uid, sequence, updated, None)
            yield row, status == cancelled, updated


def _programme_rows(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> _Found:
    # Aliased: the visibility rule's EXISTS on delegations must stay its own.
    visit = aliased(Delegation)
    item = ProgrammeItem
    texts = (
        (item.title, item.description, item.location, Venue.name) if filters.q else ()
    )
    query = (
        sa.select(
            item.id,
            item.uid,
            item.sequence,
            _raw_time(item.updated_dt),
            _raw_time(visit.updated_dt),
            _raw_text(visit.status),
            *texts,
        )
        .join(visit, item.delegation_id == visit.id)
        .where(*programme_window_clauses(audience, window_start, window_end, filters))
    )
    if filters.q:
        query = query.outerjoin(Venue, item.venue_id == Venue.id)
    matches = text_matcher(filters)
    cancelled = DelegationStatus.cancelled.value
    for id_, uid, sequence, updated, visit_updated, status, *text in db.session.execute(
        query
    ):
        if matches(*text):
            row = (EntryKind.programme, id_, uid, sequence, updated, visit_updated)
            yield row, status == cancelled, visit_updated


def _visit_rows(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> _Found:
    texts = (
        (Delegation.title, Delegation.foreign_organisations, City.name)
        if filters.q
        else ()
    )
    query = sa.select(
        Delegation.id,
        Delegation.uid,
        Delegation.sequence,
        _raw_time(Delegation.updated_dt),
        _raw_text(Delegation.status),
        *texts,
    ).where(*visit_window_clauses(audience, window_start, window_end, filters))
    if filters.q:
        query = query.outerjoin(City, Delegation.city_id == City.id)
    matches = text_matcher(filters)
    cancelled = DelegationStatus.cancelled.value
    # Notes are staff working text: never searched, so a search reveals nothing of them.
    for id_, uid, sequence, updated, status, *text in db.session.execute(query):
        if matches(*text):
            row = (EntryKind.visit, id_, uid, sequence, updated, None)
            yield row, status == cancelled, updated


def _directory_stamp() -> str:
    """Return a digest of the directory names feeds show (themes, venues, cities).

    Renaming one changes the VEVENTs of every item showing it; such changes are
    rare, so any of them makes every kept entry a miss.
    """
    digest = hashlib.sha256()
    for query in (
        sa.select(Theme.id, Theme.name_nb, Theme.name_en).order_by(Theme.id),
        sa.select(Venue.id, Venue.name, Venue.address).order_by(Venue.id),
        sa.select(City.id, City.name).order_by(City.id),
    ):
        for row in db.session.execute(query):
            digest.update(repr(tuple(row)).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _entries(rows: Sequence[_Row], language: str) -> list[FeedEntry]:
    """Return the entries of `rows`: kept ones as they are, the others built now."""
    store = entry_store(current_app)
    directory = _directory_stamp()
    kept = store.partition(language, directory)
    entries: list[FeedEntry | None] = []
    missing: list[tuple[int, _Row]] = []
    for row in rows:
        _kind, _id, uid, sequence, updated, parent_updated = row
        entry = kept.get(uid)
        if entry is not None:
            stamp = entry.stamp
            if (
                stamp.updated == updated
                and stamp.sequence == sequence
                and stamp.parent_updated == parent_updated
            ):
                entries.append(entry)
                continue
        missing.append((len(entries), row))
        entries.append(None)
    if missing:
        built = _build_entries([row for _, row in missing], language)
        store.keep(language, directory, built)
        for (position, _row), entry in zip(missing, built, strict=True):
            entries[position] = entry
    return [entry for entry in entries if entry is not None]


def _build_entries(rows: Sequence[_Row], language: str) -> list[FeedEntry]:
    """Load and serialise `rows`, in their order."""
    stamps = {
        (kind, id_): Stamp(sequence, updated, parent)
        for kind, id_, _uid, sequence, updated, parent in rows
    }
    built: dict[tuple[EntryKind, int], FeedEntry] = {}

    def chunks(kind: EntryKind) -> Iterator[list[int]]:
        found = [row[1] for row in rows if row[0] is kind]
        for start in range(0, len(found), _LOAD_CHUNK):
            yield found[start : start + _LOAD_CHUNK]

    for chunk in chunks(EntryKind.event):
        for event in db.session.scalars(
            sa.select(Event)
            .where(Event.id.in_(chunk))
            .options(selectinload(Event.themes))
        ):
            key = (EntryKind.event, event.id)
            built[key] = make_entry(_event_item(event, language), stamps[key])
    for chunk in chunks(EntryKind.programme):
        for item in db.session.scalars(
            sa.select(ProgrammeItem)
            .where(ProgrammeItem.id.in_(chunk))
            .options(
                selectinload(ProgrammeItem.delegation),
                selectinload(ProgrammeItem.venue),
            )
        ):
            key = (EntryKind.programme, item.id)
            built[key] = make_entry(
                programme_feed_item(item, language=language), stamps[key]
            )
    for chunk in chunks(EntryKind.visit):
        for visit in db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.id.in_(chunk))
            .options(selectinload(Delegation.city))
        ):
            key = (EntryKind.visit, visit.id)
            built[key] = make_entry(
                visit_feed_item(visit, language=language), stamps[key]
            )
    return [built[row[0], row[1]] for row in rows]


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
    entries = [
        make_entry(
            programme_feed_item(item, language=language),
            Stamp(item.sequence, item.updated_dt, item.delegation.updated_dt),
        )
        for item in items
    ]
    return FeedContent(
        entries=entries,
        last_change=max((e.item.last_modified for e in entries), default=None),
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
