"""What the calendar shows: events, programme items and visit spans, merged in time order.

Two ways in: `list_upcoming` pages through what has not ended yet (the home
page and the upcoming list), and `list_window` returns everything overlapping a
period (the month, week and list views and their JSON source). Both see only
what `app.core.visibility` lets the audience see; recurring events are expanded
in their own zone by `app.calendar.recurrence`.
"""

from __future__ import annotations

import enum
import heapq
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.calendar.models import Event, EventStatus
from app.calendar.recurrence import Occurrence
from app.core.db import db
from app.core.visibility import Audience, Visibility, visible_clause
from app.delegations.models import Delegation, DelegationStatus, ProgrammeItem
from app.delegations.places import Place, visit_origin, visit_place
from app.directory.models import City, Initiative, Organisation, Theme, Venue
from app.directory.services import list_organisations

#: Longest text search honoured; the rest of a longer one is ignored.
MAX_QUERY_LENGTH = 200

#: How far ahead the next occurrence of a series is looked for: a little over
#: a year covers every weekly and monthly rule the product offers.
NEXT_OCCURRENCE_HORIZON = timedelta(days=400)


class EntryKind(enum.StrEnum):
    """The three kinds of thing on the calendar."""

    event = "event"
    programme = "programme"
    visit = "visit"


#: Order of kinds among entries starting at the same instant.
_KIND_ORDER = {EntryKind.event: 0, EntryKind.programme: 1, EntryKind.visit: 2}


@dataclass(frozen=True)
class CalendarEntry:
    """One row of a calendar list, whatever its source.

    A recurring event gives one entry per occurrence, each with its own times.
    """

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
    #: The visit page that shows a programme item or a visit.
    delegation_id: int | None = None
    is_recurring: bool = False
    #: Where an incoming delegation comes from; its `location` is where it visits.
    origin: Place | None = None


@dataclass(frozen=True)
class CalendarFilters:
    """What the viewer narrowed the calendar to; empty sets filter nothing."""

    initiative_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    theme_ids: frozenset[int] = field(default_factory=frozenset)
    kinds: frozenset[EntryKind] = field(default_factory=frozenset)
    #: Free text, matched case-insensitively in titles, descriptions and places.
    q: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.initiative_ids
            or self.organisation_ids
            or self.theme_ids
            or self.kinds
            or self.q.strip()
        )

    def shows(self, kind: EntryKind) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class FilterChoices:
    """The options of the calendar's filter form."""

    initiatives: list[Initiative]
    organisations: list[Organisation]
    themes: list[Theme]


# ---- the upcoming list ------------------------------------------------------


def _event_rows(
    audience: Audience, after: datetime
) -> sa.Select[str, int, datetime, datetime]:
    return sa.select(
        sa.literal(EntryKind.event.value).label("kind"),
        Event.id,
        Event.start_dt,
        Event.end_dt,
    ).where(visible_clause(Event, audience), Event.rrule == "", Event.end_dt >= after)


def _programme_rows(
    audience: Audience, after: datetime
) -> sa.Select[str, int, datetime, datetime]:
    return sa.select(
        sa.literal(EntryKind.programme.value).label("kind"),
        ProgrammeItem.id,
        ProgrammeItem.start_dt,
        ProgrammeItem.end_dt,
    ).where(visible_clause(ProgrammeItem, audience), ProgrammeItem.end_dt >= after)


def _visit_rows(
    audience: Audience, after: datetime
) -> sa.Select[str, int, datetime, datetime]:
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


def _next_occurrence(event: Event, after: datetime) -> Occurrence | None:
    """Return the first occurrence of a series that has not ended by `after`."""
    found = event.occurrences_between(after, after + NEXT_OCCURRENCE_HORIZON)
    return found[0] if found else None


#: One row of the upcoming list before its object is loaded: kind, id, start, end.
_Row = tuple[str, int, datetime, datetime]


def _recurring_rows(audience: Audience, after: datetime) -> list[_Row]:
    """Return one row per visible series, at its next occurrence, in time order.

    A series is listed once, at its next occurrence, so the upcoming list and
    its total stay finite for endless series. The occurrences are computed
    here, in local time, and merged with the database's page in Python.
    """
    series = db.session.scalars(
        sa.select(Event).where(
            visible_clause(Event, audience),
            Event.rrule != "",
            sa.or_(Event.series_end_dt.is_(None), Event.series_end_dt >= after),
        )
    )
    rows = []
    for event in series:
        found = _next_occurrence(event, after)
        if found is not None:
            rows.append((EntryKind.event.value, event.id, found.start_dt, found.end_dt))
    return sorted(rows, key=_row_order)


def _row_order(row: _Row) -> tuple[datetime, str, int]:
    kind, entry_id, start, _end = row
    return start, kind, entry_id


def list_upcoming(
    audience: Audience,
    *,
    now: datetime,
    kinds: Iterable[EntryKind] = tuple(EntryKind),
    limit: int,
    offset: int = 0,
) -> tuple[list[CalendarEntry], int]:
    """Return the items `audience` may see that have not ended by `now`, in time order, and their total.

    One UNION query pages through the one-off items of all kinds; recurring
    series (one row each, at their next occurrence) are merged into that page
    in Python. The page's objects are then loaded with one query per kind.
    """
    kinds = list(dict.fromkeys(kinds))
    series = _recurring_rows(audience, now) if EntryKind.event in kinds else []
    selects = [_ROW_BUILDERS[kind](audience, now) for kind in kinds]
    stored: list[_Row] = []
    total = len(series)
    if selects:
        union = sa.union_all(*selects).subquery()
        total += db.session.scalar(sa.select(sa.func.count()).select_from(union)) or 0
        if offset >= total:
            return [], total
        # Enough one-off rows to fill the page whatever the series take of it.
        stored = [
            (kind, entry_id, _aware(start), _aware(end))
            for kind, entry_id, start, end in db.session.execute(
                sa.select(union.c.kind, union.c.id, union.c.start_dt, union.c.end_dt)
                .order_by(union.c.start_dt, union.c.kind, union.c.id)
                .limit(offset + limit)
            )
        ]
    page = islice(heapq.merge(stored, series, key=_row_order), offset, offset + limit)
    return _load_entries(
        [(EntryKind(kind), entry_id, start, end) for kind, entry_id, start, end in page]
    ), total


def _aware(value: datetime) -> datetime:
    """Return a union column's value as an aware UTC datetime (it is, via UTCDateTime)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _load_entries(
    keys: Sequence[tuple[EntryKind, int, datetime, datetime]],
) -> list[CalendarEntry]:
    ids: dict[EntryKind, list[int]] = {kind: [] for kind in EntryKind}
    for kind, entry_id, _start, _end in keys:
        ids[kind].append(entry_id)
    events: dict[int, Event] = {}
    if ids[EntryKind.event]:
        events = {
            e.id: e
            for e in db.session.scalars(
                sa.select(Event)
                .where(Event.id.in_(ids[EntryKind.event]))
                .options(selectinload(Event.organiser))
            )
        }
    loaded: dict[tuple[EntryKind, int], CalendarEntry] = {}
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
    result = []
    for kind, entry_id, start, end in keys:
        if kind is EntryKind.event:
            result.append(_event_entry(events[entry_id], start, end))
        else:
            result.append(loaded[(kind, entry_id)])
    return result


def _event_entry(event: Event, start: datetime, end: datetime) -> CalendarEntry:
    return CalendarEntry(
        kind=EntryKind.event,
        id=event.id,
        title=event.title,
        start_dt=start,
        end_dt=end,
        is_all_day=event.is_all_day,
        timezone=event.timezone,
        location=event.location,
        visibility=event.visibility,
        is_cancelled=event.status is EventStatus.cancelled,
        context=event.organiser.short_name if event.organiser else event.organiser_name,
        is_recurring=event.is_recurring,
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
        delegation_id=item.delegation_id,
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
        location=visit_place(visit).short,
        visibility=visit.visibility,
        is_cancelled=visit.status is DelegationStatus.cancelled,
        context=visit.direction.value,
        delegation_id=visit.id,
        origin=visit_origin(visit),
    )


# ---- a period: month, week and list views, and their JSON source -----------


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def text_matcher(filters: CalendarFilters) -> Callable[..., bool]:
    """Return a test "does any of these texts contain the search text?".

    Matched here rather than with SQL LIKE: SQLite folds only ASCII case, so
    "ØSTBYEN" would miss "Østbyen" there; the window bounds what is loaded, and
    no wildcard of the text can mean anything.
    """
    needle = _folded(filters.q[:MAX_QUERY_LENGTH])
    if not needle:
        return lambda *texts: True
    return lambda *texts: any(needle in _folded(text or "") for text in texts)


def event_window_clauses(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> list[sa.ColumnElement[bool]]:
    """Return the conditions of the events `audience` may see in a window, filtered.

    The text search is not among them: see `text_matcher`.
    """
    clauses = [
        visible_clause(Event, audience),
        Event.start_dt < window_end,
        sa.or_(Event.series_end_dt.is_(None), Event.series_end_dt > window_start),
    ]
    if filters.initiative_ids:
        clauses.append(Event.initiative_id.in_(filters.initiative_ids))
    if filters.organisation_ids:
        clauses.append(Event.organiser_id.in_(filters.organisation_ids))
    if filters.theme_ids:
        clauses.append(Event.themes.any(Theme.id.in_(filters.theme_ids)))
    return clauses


def programme_window_clauses(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> list[sa.ColumnElement[bool]]:
    """Return the conditions of the programme items `audience` may see in a window."""
    clauses = [
        visible_clause(ProgrammeItem, audience),
        ProgrammeItem.start_dt < window_end,
        ProgrammeItem.end_dt > window_start,
    ]
    if filters.initiative_ids:
        clauses.append(
            ProgrammeItem.delegation.has(
                Delegation.initiative_id.in_(filters.initiative_ids)
            )
        )
    if filters.organisation_ids:
        clauses.append(
            ProgrammeItem.responsible_organisation_id.in_(filters.organisation_ids)
        )
    if filters.theme_ids:
        clauses.append(
            ProgrammeItem.delegation.has(
                Delegation.themes.any(Theme.id.in_(filters.theme_ids))
            )
        )
    return clauses


def visit_window_clauses(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> list[sa.ColumnElement[bool]]:
    """Return the conditions of the visits `audience` may see in a window."""
    clauses = [
        visible_clause(Delegation, audience),
        Delegation.arrival_dt < window_end,
        Delegation.departure_dt > window_start,
    ]
    if filters.initiative_ids:
        clauses.append(Delegation.initiative_id.in_(filters.initiative_ids))
    if filters.organisation_ids:
        clauses.append(
            sa.or_(
                Delegation.host_organisation_id.in_(filters.organisation_ids),
                Delegation.co_hosts.any(Organisation.id.in_(filters.organisation_ids)),
            )
        )
    if filters.theme_ids:
        clauses.append(Delegation.themes.any(Theme.id.in_(filters.theme_ids)))
    return clauses


def window_events(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> list[Event]:
    query = sa.select(Event).where(
        *event_window_clauses(audience, window_start, window_end, filters)
    )
    matches = text_matcher(filters)
    return [
        event
        for event in db.session.scalars(
            query.order_by(Event.start_dt, Event.id).options(
                selectinload(Event.organiser)
            )
        )
        if matches(event.title, event.description, event.location)
    ]


def window_programme(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> list[ProgrammeItem]:
    query = sa.select(ProgrammeItem).where(
        *programme_window_clauses(audience, window_start, window_end, filters)
    )
    matches = text_matcher(filters)
    return [
        item
        for item in db.session.scalars(
            query.order_by(ProgrammeItem.start_dt, ProgrammeItem.id).options(
                selectinload(ProgrammeItem.delegation),
                selectinload(ProgrammeItem.venue),
            )
        )
        if matches(
            item.title,
            item.description,
            item.location,
            item.venue.name if item.venue else "",
        )
    ]


def window_visits(
    audience: Audience,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> list[Delegation]:
    query = sa.select(Delegation).where(
        *visit_window_clauses(audience, window_start, window_end, filters)
    )
    matches = text_matcher(filters)
    # Notes are staff working text: never searched, so a search reveals nothing of them.
    return [
        visit
        for visit in db.session.scalars(
            query.order_by(Delegation.arrival_dt, Delegation.id).options(
                selectinload(Delegation.city)
            )
        )
        if matches(
            visit.title,
            visit.foreign_organisations,
            visit.city.name if visit.city else "",
        )
    ]


def _event_occurrences(
    event: Event, window_start: datetime, window_end: datetime
) -> list[CalendarEntry]:
    found = event.occurrences_between(window_start, window_end)
    return [_event_entry(event, o.start_dt, o.end_dt) for o in found]


def list_window(
    audience: Audience,
    *,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters | None = None,
) -> list[CalendarEntry]:
    """Return what `audience` may see overlapping [window_start, window_end), in time order.

    Each occurrence of a recurring event is an entry of its own; cancelled
    events and visits stay, marked cancelled. At most six queries, whatever
    the number of entries.
    """
    filters = filters or CalendarFilters()
    entries: list[CalendarEntry] = []
    if filters.shows(EntryKind.event):
        for event in window_events(audience, window_start, window_end, filters):
            entries.extend(_event_occurrences(event, window_start, window_end))
    if filters.shows(EntryKind.programme):
        entries.extend(
            _programme_entry(item)
            for item in window_programme(audience, window_start, window_end, filters)
        )
    if filters.shows(EntryKind.visit):
        entries.extend(
            _visit_entry(visit)
            for visit in window_visits(audience, window_start, window_end, filters)
        )
    entries.sort(key=lambda e: (e.start_dt, _KIND_ORDER[e.kind], e.id))
    return entries


def list_filter_choices() -> FilterChoices:
    """Return the initiatives, organisations and themes the filter form offers."""
    return FilterChoices(
        initiatives=list(
            db.session.scalars(sa.select(Initiative).order_by(Initiative.title))
        ),
        organisations=list_organisations(),
        themes=list(db.session.scalars(sa.select(Theme).order_by(Theme.slug))),
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


# ---- search on every date ------------------------------------------------------

#: The widest span a search looks in: every date the register can hold.
_EVERY_DATE = (datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
#: Entries shown per part of the results (coming up, earlier).
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class SearchResults:
    """What a text search found on every date: coming up (soonest first), then earlier."""

    query: str
    upcoming: list[CalendarEntry]
    earlier: list[CalendarEntry]
    more_upcoming: int = 0
    more_earlier: int = 0

    @property
    def total(self) -> int:
        return (
            len(self.upcoming)
            + len(self.earlier)
            + self.more_upcoming
            + self.more_earlier
        )


def _matching_rows(
    keys: Sequence[Any],
    texts: Sequence[Any],
    clauses: Sequence[sa.ColumnElement[bool]],
    matches: Callable[..., bool],
    *joins: tuple[Any, Any],
) -> list[tuple[Any, ...]]:
    """Return the `keys` of the rows whose `texts` match, reading nothing else."""
    query = sa.select(*keys, *texts).where(*clauses)
    for target, on in joins:
        query = query.outerjoin(target, on)
    width = len(keys)
    return [
        tuple(row[:width]) for row in db.session.execute(query) if matches(*row[width:])
    ]


def _event_keys(event: Event, now: datetime) -> tuple[datetime, datetime]:
    """Return the occurrence of an event nearest to `now`: its next, else its last."""
    if not event.is_recurring:
        return event.start_dt, event.end_dt
    found = _next_occurrence(event, now)
    if found is not None:
        return found.start_dt, found.end_dt
    last = event.series_end_dt or event.end_dt
    before = event.occurrences_between(last - NEXT_OCCURRENCE_HORIZON, last)
    if before:
        return before[-1].start_dt, before[-1].end_dt
    return event.start_dt, event.end_dt


def search_calendar(
    audience: Audience,
    filters: CalendarFilters,
    *,
    now: datetime,
    limit: int = SEARCH_LIMIT,
) -> SearchResults:
    """Return what `audience` may see that matches `filters` (its text above all), on any date.

    Matched as the calendar matches (`text_matcher`): only ids and texts are
    read for every visible row; the matching rows are then loaded once. A
    series is one result, at its next occurrence (or its last, once it ended).
    """
    matches = text_matcher(filters)
    start, end = _EVERY_DATE
    keys: list[tuple[EntryKind, int, datetime, datetime]] = []
    if filters.shows(EntryKind.event):
        ids = _matching_rows(
            [Event.id],
            [Event.title, Event.description, Event.location],
            event_window_clauses(audience, start, end, filters),
            matches,
        )
        events = db.session.scalars(
            sa.select(Event).where(Event.id.in_([row[0] for row in ids]))
        )
        keys.extend((EntryKind.event, e.id, *_event_keys(e, now)) for e in events)
    if filters.shows(EntryKind.programme):
        items = _matching_rows(
            [ProgrammeItem.id, ProgrammeItem.start_dt, ProgrammeItem.end_dt],
            [
                ProgrammeItem.title,
                ProgrammeItem.description,
                ProgrammeItem.location,
                Venue.name,
            ],
            programme_window_clauses(audience, start, end, filters),
            matches,
            (Venue, Venue.id == ProgrammeItem.venue_id),
        )
        keys.extend((EntryKind.programme, i, _aware(s), _aware(e)) for i, s, e in items)
    if filters.shows(EntryKind.visit):
        # Notes are staff working text: never searched, so a search reveals nothing of them.
        visits = _matching_rows(
            [Delegation.id, Delegation.arrival_dt, Delegation.departure_dt],
            [Delegation.title, Delegation.foreign_organisations, City.name],
            visit_window_clauses(audience, start, end, filters),
            matches,
            (City, City.id == Delegation.city_id),
        )
        keys.extend((EntryKind.visit, i, _aware(s), _aware(e)) for i, s, e in visits)

    def nearest(key: tuple[EntryKind, int, datetime, datetime]) -> tuple[Any, ...]:
        return key[2], key[0].value, key[1]

    coming = sorted((k for k in keys if k[3] > now), key=nearest)
    past = sorted((k for k in keys if k[3] <= now), key=nearest, reverse=True)
    return SearchResults(
        query=filters.q,
        upcoming=_load_entries(coming[:limit]),
        earlier=_load_entries(past[:limit]),
        more_upcoming=max(len(coming) - limit, 0),
        more_earlier=max(len(past) - limit, 0),
    )
