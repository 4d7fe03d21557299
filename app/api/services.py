"""What the read API lists and how each object looks in it.

Every query of a calendar object goes through the window clauses of
`app.calendar.services`, which apply `app.core.visibility`, so the API shows
exactly what the calendar shows the same audience. Participants and staff
working fields (notes, budget, cost bearer, contacts) are never part of a
representation, whoever asks.

Events are listed once per event, not once per occurrence: a recurring event
carries its rule, its cancelled dates and its occurrences inside the
requested period (at most MAX_OCCURRENCES of them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.calendar.models import Event, EventStatus
from app.calendar.recurrence import parse_exdates
from app.calendar.services import (
    CalendarFilters,
    EntryKind,
    event_window_clauses,
    programme_window_clauses,
    visit_window_clauses,
)
from app.core.db import db
from app.core.visibility import Audience, can_see
from app.delegations.models import Delegation, DelegationStatus, ProgrammeItem
from app.delegations.places import visit_place
from app.directory.models import Initiative, Organisation, Theme

#: Most occurrences of one recurring event written into its representation.
MAX_OCCURRENCES = 100


@dataclass(frozen=True)
class Window:
    """The period a list covers: [start, end), both aware UTC instants."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class ListQuery:
    """What a list request asks for, already validated by the view."""

    window: Window
    filters: CalendarFilters = field(default_factory=CalendarFilters)
    #: Status values to keep; empty keeps all.
    statuses: frozenset[str] = field(default_factory=frozenset)
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class Page:
    """One page of a list: its representations and the total over all pages."""

    items: list[dict[str, Any]]
    total: int


# ---- representations ---------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_iso(instant: datetime, zone_name: str) -> str:
    """Return an instant as ISO 8601 local time of its zone, with the UTC offset."""
    return instant.astimezone(_zone(zone_name)).isoformat()


def utc_iso(instant: datetime) -> str:
    """Return an instant as ISO 8601 in UTC (for bookkeeping times)."""
    return instant.astimezone(ZoneInfo("UTC")).isoformat()


def organisation_ref(org: Organisation | None) -> dict[str, Any] | None:
    """Return the short form of an organisation used inside other objects."""
    if org is None:
        return None
    return {"id": org.id, "short_name": org.short_name, "name": org.name}


def initiative_ref(initiative: Initiative | None) -> dict[str, Any] | None:
    """Return the short form of an initiative used inside other objects."""
    if initiative is None:
        return None
    return {"id": initiative.id, "slug": initiative.slug, "title": initiative.title}


def theme_refs(themes: Sequence[Theme]) -> list[dict[str, Any]]:
    """Return themes in id order, each with its slug and both names."""
    return [
        {"id": t.id, "slug": t.slug, "name_nb": t.name_nb, "name_en": t.name_en}
        for t in sorted(themes, key=lambda t: t.id)
    ]


def exdates_json(exdates: str, zone_name: str) -> list[str]:
    """Return an event's cancelled start times, oldest first, each with its UTC offset.

    The column holds local times of the event's zone; written without their
    offset they would be read in the reader's zone, another instant. A time
    the autumn fold makes twice takes the first pass, as the occurrences do.
    """
    zone = _zone(zone_name)
    return [
        local.replace(tzinfo=zone, fold=0).isoformat()
        for local in sorted(parse_exdates(exdates))
    ]


def event_json(event: Event, window: Window) -> dict[str, Any]:
    """Return the representation of an event, with its occurrences in `window`."""
    found = event.occurrences_between(window.start, window.end)
    zone = event.timezone
    return {
        "id": event.id,
        "uid": event.uid,
        "title": event.title,
        "description": event.description,
        "start": local_iso(event.start_dt, zone),
        "end": local_iso(event.end_dt, zone),
        "timezone": zone,
        "is_all_day": event.is_all_day,
        "location": event.location,
        "url": event.url,
        "status": event.status.value,
        "visibility": event.visibility.value,
        "organisation": organisation_ref(event.organiser),
        "organiser_name": event.organiser_label,
        "initiative": initiative_ref(event.initiative),
        "themes": theme_refs(event.themes),
        "rrule": event.rrule or None,
        "exdates": exdates_json(event.exdates or "", zone),
        "occurrences": [
            {"start": local_iso(o.start_dt, zone), "end": local_iso(o.end_dt, zone)}
            for o in found[:MAX_OCCURRENCES]
        ],
        "occurrences_truncated": len(found) > MAX_OCCURRENCES,
        "sequence": event.sequence,
        "updated": utc_iso(event.updated_dt),
    }


def programme_item_json(item: ProgrammeItem) -> dict[str, Any]:
    """Return the representation of a programme item, in its visit's zone."""
    zone = item.delegation.timezone
    venue = item.venue
    return {
        "id": item.id,
        "uid": item.uid,
        "visit_id": item.delegation_id,
        "title": item.title,
        "description": item.description,
        "start": local_iso(item.start_dt, zone),
        "end": local_iso(item.end_dt, zone),
        "timezone": zone,
        "location": venue.name if venue else item.location,
        "venue": (
            {"id": venue.id, "name": venue.name, "address": venue.address}
            if venue
            else None
        ),
        "responsible_organisation": organisation_ref(item.responsible_organisation),
        "visit_status": item.delegation.status.value,
        "visibility": item.visibility.value,
        "sequence": item.sequence,
        "updated": utc_iso(item.updated_dt),
    }


def visit_json(visit: Delegation) -> dict[str, Any]:
    """Return the representation of a visit: no participants, no staff working fields."""
    zone = visit.timezone
    city = visit.city
    return {
        "id": visit.id,
        "uid": visit.uid,
        "title": visit.title,
        "direction": visit.direction.value,
        "status": visit.status.value,
        "protocol_level": visit.protocol_level.value,
        "arrival": local_iso(visit.arrival_dt, zone),
        "departure": local_iso(visit.departure_dt, zone),
        "timezone": zone,
        "country": visit.country,
        "location": visit_place(visit).short,
        "city": (
            {"id": city.id, "name": city.name, "country": city.country}
            if city
            else None
        ),
        "foreign_organisations": visit.foreign_organisations,
        "host_organisation": organisation_ref(visit.host_organisation),
        "co_hosts": [
            organisation_ref(o) for o in sorted(visit.co_hosts, key=lambda o: o.id)
        ],
        "initiative": initiative_ref(visit.initiative),
        "themes": theme_refs(visit.themes),
        "visibility": visit.visibility.value,
        "sequence": visit.sequence,
        "updated": utc_iso(visit.updated_dt),
    }


def initiative_json(initiative: Initiative) -> dict[str, Any]:
    """Return the representation of an initiative with its working group."""
    return {
        "id": initiative.id,
        "slug": initiative.slug,
        "title": initiative.title,
        "programme_period": initiative.programme_period,
        "description": initiative.description,
        "working_group": [
            organisation_ref(o)
            for o in sorted(initiative.working_group, key=lambda o: o.id)
        ],
    }


def organisation_json(org: Organisation) -> dict[str, Any]:
    """Return the representation of an organisation of the directory."""
    return {
        "id": org.id,
        "short_name": org.short_name,
        "name": org.name,
        "kind": org.kind.value,
        "is_forum_member": org.is_forum_member,
        "website": org.website,
    }


# ---- lists -------------------------------------------------------------------


def _page(
    query: sa.Select[Any], order: Sequence[Any], q: ListQuery
) -> tuple[list[Any], int]:
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    )
    rows = list(
        db.session.scalars(query.order_by(*order).offset(q.offset).limit(q.limit))
    )
    return rows, total


def list_events(audience: Audience, q: ListQuery) -> Page:
    """Return the events `audience` may see whose span overlaps the window.

    A series is listed when the span from its first start to its last end
    overlaps the window; its `occurrences` are those inside the window, which
    may be none when the window falls between two of them.
    """
    if not q.filters.shows(EntryKind.event):
        return Page([], 0)
    clauses = event_window_clauses(audience, q.window.start, q.window.end, q.filters)
    if q.statuses:
        clauses.append(Event.status.in_([EventStatus(s) for s in q.statuses]))
    query = (
        sa.select(Event)
        .where(*clauses)
        .options(
            selectinload(Event.organiser),
            selectinload(Event.initiative),
            selectinload(Event.themes),
        )
    )
    rows, total = _page(query, (Event.start_dt, Event.id), q)
    return Page([event_json(e, q.window) for e in rows], total)


def list_programme_items(audience: Audience, q: ListQuery) -> Page:
    """Return the programme items `audience` may see overlapping the window.

    The status filter applies to the status of the item's visit.
    """
    if not q.filters.shows(EntryKind.programme):
        return Page([], 0)
    clauses = programme_window_clauses(
        audience, q.window.start, q.window.end, q.filters
    )
    if q.statuses:
        clauses.append(
            ProgrammeItem.delegation.has(
                Delegation.status.in_([DelegationStatus(s) for s in q.statuses])
            )
        )
    query = (
        sa.select(ProgrammeItem)
        .where(*clauses)
        .options(
            selectinload(ProgrammeItem.delegation),
            selectinload(ProgrammeItem.venue),
            selectinload(ProgrammeItem.responsible_organisation),
        )
    )
    rows, total = _page(query, (ProgrammeItem.start_dt, ProgrammeItem.id), q)
    return Page([programme_item_json(i) for i in rows], total)


def list_visits(audience: Audience, q: ListQuery) -> Page:
    """Return the visits `audience` may see overlapping the window."""
    if not q.filters.shows(EntryKind.visit):
        return Page([], 0)
    clauses = visit_window_clauses(audience, q.window.start, q.window.end, q.filters)
    if q.statuses:
        clauses.append(Delegation.status.in_([DelegationStatus(s) for s in q.statuses]))
    query = sa.select(Delegation).where(*clauses).options(*_visit_loads())
    rows, total = _page(query, (Delegation.arrival_dt, Delegation.id), q)
    return Page([visit_json(v) for v in rows], total)


def _visit_loads() -> list[Any]:
    return [
        selectinload(Delegation.city),
        selectinload(Delegation.host_organisation),
        selectinload(Delegation.co_hosts),
        selectinload(Delegation.initiative),
        selectinload(Delegation.themes),
    ]


def list_initiatives(q: ListQuery) -> Page:
    """Return the initiatives, by title: public reference data, as in the calendar's filters."""
    query = sa.select(Initiative).options(selectinload(Initiative.working_group))
    rows, total = _page(query, (Initiative.title, Initiative.id), q)
    return Page([initiative_json(i) for i in rows], total)


def list_organisations(q: ListQuery) -> Page:
    """Return the organisations, by short name: public, as in the calendar's filters."""
    rows, total = _page(
        sa.select(Organisation), (Organisation.short_name, Organisation.id), q
    )
    return Page([organisation_json(o) for o in rows], total)


# ---- single objects ------------------------------------------------------------


def get_event(
    event_id: int, audience: Audience, window: Window
) -> dict[str, Any] | None:
    """Return an event `audience` may see, or None (unknown and hidden look alike)."""
    event = db.session.get(Event, event_id)
    if event is None or not can_see(event, audience):
        return None
    return event_json(event, window)


def get_programme_item(item_id: int, audience: Audience) -> dict[str, Any] | None:
    """Return a programme item `audience` may see (its visit too), or None."""
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or not can_see(item, audience):
        return None
    return programme_item_json(item)


def get_visit(visit_id: int, audience: Audience) -> dict[str, Any] | None:
    """Return a visit `audience` may see, or None."""
    visit = db.session.get(Delegation, visit_id)
    if visit is None or not can_see(visit, audience):
        return None
    return visit_json(visit)


def get_initiative(initiative_id: int) -> dict[str, Any] | None:
    """Return an initiative, or None."""
    initiative = db.session.get(Initiative, initiative_id)
    return None if initiative is None else initiative_json(initiative)


def get_organisation(organisation_id: int) -> dict[str, Any] | None:
    """Return an organisation, or None."""
    org = db.session.get(Organisation, organisation_id)
    return None if org is None else organisation_json(org)


def filter_names() -> dict[str, list[str]]:
    """Return, per filter of the lists, every value that names a row: ids and keys.

    Initiatives and themes are named by id or slug, organisations by id or
    short name, as `app.calendar.filters` resolves them; the OpenAPI
    document states these as the values the filters take.
    """
    keyed = {
        "initiative": (Initiative.id, Initiative.slug),
        "organisation": (Organisation.id, Organisation.short_name),
        "theme": (Theme.id, Theme.slug),
    }
    names: dict[str, list[str]] = {}
    for name, (row_id, key) in keyed.items():
        rows = db.session.execute(sa.select(row_id, key).order_by(row_id)).all()
        ids = [str(found_id) for found_id, _key in rows]
        keys = sorted({found_key for _id, found_key in rows} - set(ids))
        names[name] = ids + keys
    return names
