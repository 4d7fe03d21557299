"""What the calendar shows: events, programme items and visit spans, merged in time order."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.calendar.models import Event, EventStatus
from app.core.db import db
from app.core.visibility import Audience, Visibility, visible_clause
from app.delegations.models import Delegation, DelegationStatus, ProgrammeItem


class EntryKind(enum.StrEnum):
    """The three kinds of thing on the calendar."""

    event = "event"
    programme = "programme"
    visit = "visit"


@dataclass(frozen=True)
class CalendarEntry:
    """One row of a calendar list, whatever its source."""

    kind: EntryKind
    id: int
    title: str
    start_dt: datetime
    end_dt: datetime
    is_all_day: bool
    timezone: str
    location: str
    visibility: Visibility
    is_cancelled: bool
    #: The visit a programme item belongs to, or the organiser of an event.
    context: str


def _event_rows(audience: Audience, after: datetime) -> sa.Select:
    return sa.select(
        sa.literal(EntryKind.event.value).label("kind"),
        Event.id,
        Event.start_dt,
        Event.end_dt,
    ).where(visible_clause(Event, audience), Event.end_dt >= after)


def _programme_rows(audience: Audience, after: datetime) -> sa.Select:
    return sa.select(
        sa.literal(EntryKind.programme.value).label("kind"),
        ProgrammeItem.id,
        ProgrammeItem.start_dt,
        ProgrammeItem.end_dt,
    ).where(visible_clause(ProgrammeItem, audience), ProgrammeItem.end_dt >= after)


def _visit_rows(audience: Audience, after: datetime) -> sa.Select:
    return sa.select(
        sa.literal(EntryKind.visit.value).label("kind"),
        Delegation.id,
        Delegation.arrival_dt.label("start_dt"),
        Delegation.departure_dt.label("end_dt"),
    ).where(visible_clause(Delegation, audience), Delegation.departure_dt >= after)


_ROW_BUILDERS = {
    EntryKind.event: _event_rows,
    EntryKind.programme: _programme_rows,
    EntryKind.visit: _visit_rows,
}


def list_upcoming(
    audience: Audience,
    *,
    now: datetime,
    kinds: Iterable[EntryKind] = tuple(EntryKind),
    limit: int,
    offset: int = 0,
) -> tuple[list[CalendarEntry], int]:
    """Return the items `audience` may see that have not ended by `now`, in time order, and their total.

    One UNION query pages through all kinds at once; the page's objects are then
    loaded with one query per kind.
    """
    selects = [_ROW_BUILDERS[kind](audience, now) for kind in dict.fromkeys(kinds)]
    if not selects:
        return [], 0
    union = sa.union_all(*selects).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(union)) or 0
    page = db.session.execute(
        sa.select(union.c.kind, union.c.id)
        .order_by(union.c.start_dt, union.c.kind, union.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return _load_entries(
        [(EntryKind(kind), entry_id) for kind, entry_id in page]
    ), total


def _load_entries(keys: Sequence[tuple[EntryKind, int]]) -> list[CalendarEntry]:
    ids: dict[EntryKind, list[int]] = {kind: [] for kind in EntryKind}
    for kind, entry_id in keys:
        ids[kind].append(entry_id)
    loaded: dict[tuple[EntryKind, int], CalendarEntry] = {}
    if ids[EntryKind.event]:
        events = db.session.scalars(
            sa.select(Event)
            .where(Event.id.in_(ids[EntryKind.event]))
            .options(selectinload(Event.organiser))
        )
        loaded.update({(EntryKind.event, e.id): _event_entry(e) for e in events})
    if ids[EntryKind.programme]:
        items = db.session.scalars(
            sa.select(ProgrammeItem)
            .where(ProgrammeItem.id.in_(ids[EntryKind.programme]))
            .options(
                selectinload(ProgrammeItem.delegation),
                selectinload(ProgrammeItem.venue),
            )
        )
        loaded.update({(EntryKind.programme, i.id): _programme_entry(i) for i in items})
    if ids[EntryKind.visit]:
        visits = db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.id.in_(ids[EntryKind.visit]))
            .options(selectinload(Delegation.city))
        )
        loaded.update({(EntryKind.visit, d.id): _visit_entry(d) for d in visits})
    return [loaded[key] for key in keys]


def _event_entry(event: Event) -> CalendarEntry:
    return CalendarEntry(
        kind=EntryKind.event,
        id=event.id,
        title=event.title,
        start_dt=event.start_dt,
        end_dt=event.end_dt,
        is_all_day=event.is_all_day,
        timezone=event.timezone,
        location=event.location,
        visibility=event.visibility,
        is_cancelled=event.status is EventStatus.cancelled,
        context=event.organiser.short_name if event.organiser else "",
    )


def _programme_entry(item: ProgrammeItem) -> CalendarEntry:
    return CalendarEntry(
        kind=EntryKind.programme,
        id=item.id,
        title=item.title,
        start_dt=item.start_dt,
        end_dt=item.end_dt,
        is_all_day=False,
        timezone=item.delegation.timezone,
        location=item.venue.name if item.venue else item.location,
        visibility=item.visibility,
        is_cancelled=item.delegation.status is DelegationStatus.cancelled,
        context=item.delegation.title,
    )


def _visit_entry(visit: Delegation) -> CalendarEntry:
    return CalendarEntry(
        kind=EntryKind.visit,
        id=visit.id,
        title=visit.title,
        start_dt=visit.arrival_dt,
        end_dt=visit.departure_dt,
        is_all_day=False,
        timezone=visit.timezone,
        location=visit.city.name if visit.city else visit.country,
        visibility=visit.visibility,
        is_cancelled=visit.status is DelegationStatus.cancelled,
        context=visit.direction.value,
    )


def count_visible(model: type, audience: Audience) -> int:
    """Return how many rows of a calendar model `audience` may see."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .where(visible_clause(model, audience))
        )
        or 0
    )
