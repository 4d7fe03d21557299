"""Clash warnings: double-booked officials and venues, hosts with two visits, holidays.

Warnings never block a save: the register and programme pages flash them after
saving, and the planner shows them beside the entries they concern. Messages are
translated when computed and give times in the viewer's zone; holidays are
dated in the visit's own zone.

Two spans overlap when `a.start < b.end AND b.start < a.end`: spans that only
touch (one ends when the other starts) do not clash. Cancelled visits and their
items never clash with anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

import holidays
import sqlalchemy as sa
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from app.auth.models import User
from app.core.db import db
from app.core.templating import format_span
from app.core.timezones import utc_to_local
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProgrammeItem,
    programme_item_officials,
)
from app.directory.models import Official, Organisation, Venue

#: Kinds of clash, in the order they are listed.
KINDS = ("official", "venue", "host_overlap", "holiday", "outside_visit")

_Scope = Callable[[Any], sa.ColumnElement[bool]]


@dataclass(frozen=True)
class Clash:
    """One warning about a visit or a programme item, already translated."""

    kind: str
    message: str


@dataclass
class WindowClashes:
    """Clashes of the visits and items in a time window, keyed by what they concern."""

    #: Warnings beside each programme item, by item id.
    by_item: dict[int, list[Clash]] = field(default_factory=dict)
    #: Warnings beside each visit, by delegation id.
    by_delegation: dict[int, list[Clash]] = field(default_factory=dict)
    #: Distinct clashes: a double booking counts once though both entries show it.
    count: int = 0


@dataclass(frozen=True)
class _Found:
    """A clash before grouping: what it concerns and what makes it unique."""

    key: tuple[Any, ...]
    item_id: int | None
    delegation_id: int | None
    sort: tuple[Any, ...]
    clash: Clash


def clashes_for_item(item: ProgrammeItem) -> list[Clash]:
    """Return the warnings about one programme item (none if its visit is cancelled)."""
    if item.id is None:
        db.session.flush()
    if item.delegation.status == DelegationStatus.cancelled:
        return []
    found = [
        *_official_clashes(lambda a: a.id == item.id),
        *_venue_clashes(lambda a: a.id == item.id),
        *_item_checks([item]),
    ]
    return [f.clash for f in sorted(found, key=lambda f: f.sort)]


def clashes_for_delegation(delegation: Delegation) -> list[Clash]:
    """Return the warnings about a visit and each of its programme items."""
    if delegation.id is None:
        db.session.flush()
    if delegation.status == DelegationStatus.cancelled:
        return []
    own_items = lambda a: a.delegation_id == delegation.id  # noqa: E731 -- a one-line scope
    found = [
        *_official_clashes(own_items),
        *_venue_clashes(own_items),
        *_host_clashes(lambda d: d.id == delegation.id),
        *_visit_checks([delegation]),
        *_item_checks(delegation.programme_items),
    ]
    # A double booking inside the visit is found from both of its items: say it once.
    unique = {f.key: f for f in sorted(found, key=lambda f: f.sort, reverse=True)}
    return [f.clash for f in sorted(unique.values(), key=lambda f: f.sort)]


def load_window(
    start: datetime, end: datetime
) -> tuple[list[Delegation], list[ProgrammeItem]]:
    """Return the visits and programme items (not cancelled) overlapping [start, end)."""
    not_cancelled = Delegation.status != DelegationStatus.cancelled
    items = list(
        db.session.scalars(
            sa.select(ProgrammeItem)
            .join(ProgrammeItem.delegation)
            .where(
                not_cancelled,
                ProgrammeItem.start_dt < end,
                ProgrammeItem.end_dt > start,
            )
            .options(
                contains_eager(ProgrammeItem.delegation),
                joinedload(ProgrammeItem.venue),
                selectinload(ProgrammeItem.officials),
            )
            .order_by(ProgrammeItem.start_dt, ProgrammeItem.id)
        ).unique()
    )
    visits = {
        d.id: d
        for d in db.session.scalars(
            sa.select(Delegation)
            .where(
                not_cancelled,
                Delegation.arrival_dt < end,
                Delegation.departure_dt > start,
            )
            .order_by(Delegation.arrival_dt, Delegation.id)
        )
    }
    for item in items:
        visits.setdefault(item.delegation.id, item.delegation)
    return sorted(visits.values(), key=lambda d: (d.arrival_dt, d.id)), items


def clashes_between(start: datetime, end: datetime) -> WindowClashes:
    """Return the clashes of every visit and programme item overlapping [start, end)."""
    return clashes_among(*load_window(start, end))


def clashes_among(
    visits: list[Delegation], items: list[ProgrammeItem]
) -> WindowClashes:
    """Return the clashes of already loaded visits and items, in a fixed number of queries."""
    item_ids = [i.id for i in items]
    visit_ids = [d.id for d in visits]
    found = [
        *_official_clashes(lambda a: a.id.in_(item_ids)),
        *_venue_clashes(lambda a: a.id.in_(item_ids)),
        *_host_clashes(lambda d: d.id.in_(visit_ids)),
        *_visit_checks(visits),
        *_item_checks(items),
    ]
    result = WindowClashes(count=len({f.key for f in found}))
    for f in sorted(found, key=lambda f: f.sort):
        if f.item_id is not None:
            result.by_item.setdefault(f.item_id, []).append(f.clash)
        if f.delegation_id is not None:
            result.by_delegation.setdefault(f.delegation_id, []).append(f.clash)
    return result


def _item_pairs(scope: _Scope) -> tuple[Any, Any, Any]:
    """Return aliases a, b and a query of pairs of overlapping items, a within `scope`."""
    a = aliased(ProgrammeItem, name="a")
    b = aliased(ProgrammeItem, name="b")
    visit_a = aliased(Delegation, name="visit_a")
    visit_b = aliased(Delegation, name="visit_b")
    stmt = (
        sa.select(a.id, a.start_dt, b.id, b.title, b.start_dt, b.end_dt)
        .select_from(a)
        .join(visit_a, visit_a.id == a.delegation_id)
        .join(b, b.id != a.id)
        .join(visit_b, visit_b.id == b.delegation_id)
        .where(
            scope(a),
            visit_a.status != DelegationStatus.cancelled,
            visit_b.status != DelegationStatus.cancelled,
            a.start_dt < b.end_dt,
            b.start_dt < a.end_dt,
        )
    )
    return a, b, stmt


def _official_clashes(scope: _Scope) -> list[_Found]:
    a, b, stmt = _item_pairs(scope)
    link_a = programme_item_officials.alias("link_a")
    link_b = programme_item_officials.alias("link_b")
    stmt = (
        stmt.join(link_a, link_a.c.programme_item_id == a.id)
        .join(
            link_b,
            sa.and_(
                link_b.c.programme_item_id == b.id,
                link_b.c.official_id == link_a.c.official_id,
            ),
        )
        .join(Official, Official.id == link_a.c.official_id)
        .add_columns(Official.id, Official.name)
    )
    return [
        _Found(
            key=("official", frozenset((a_id, b_id)), official_id),
            item_id=a_id,
            delegation_id=None,
            sort=(0, a_start, b_start, b_id, name),
            clash=Clash(
                "official",
                _(
                    "%(official)s is also at “%(item)s” (%(when)s).",
                    official=name,
                    item=b_title,
                    when=format_span(b_start, b_end),
                ),
            ),
        )
        for a_id, a_start, b_id, b_title, b_start, b_end, official_id, name in (
            db.session.execute(stmt)
        )
    ]


def _venue_clashes(scope: _Scope) -> list[_Found]:
    a, b, stmt = _item_pairs(scope)
    stmt = stmt.join(
        Venue, sa.and_(Venue.id == a.venue_id, Venue.id == b.venue_id)
    ).add_columns(Venue.id, Venue.name)
    return [
        _Found(
            key=("venue", frozenset((a_id, b_id)), venue_id),
            item_id=a_id,
            delegation_id=None,
            sort=(1, a_start, b_start, b_id),
            clash=Clash(
                "venue",
                _(
                    "%(venue)s is also booked for “%(item)s” (%(when)s).",
                    venue=name,
                    item=b_title,
                    when=format_span(b_start, b_end),
                ),
            ),
        )
        for a_id, a_start, b_id, b_title, b_start, b_end, venue_id, name in (
            db.session.execute(stmt)
        )
    ]


def _host_clashes(scope: _Scope) -> list[_Found]:
    """Find incoming visits overlapping one in `scope` with the same host or contact."""
    d1 = aliased(Delegation, name="d1")
    d2 = aliased(Delegation, name="d2")
    same_org = sa.and_(
        d1.host_organisation_id.is_not(None),
        d1.host_organisation_id == d2.host_organisation_id,
    )
    same_contact = sa.and_(
        d1.host_contact_id.is_not(None), d1.host_contact_id == d2.host_contact_id
    )
    stmt = (
        sa.select(
            d1.id,
            d2.id,
            d2.title,
            d2.arrival_dt,
            d2.departure_dt,
            sa.case((same_org, Organisation.name), else_=None),
            sa.case((same_contact, User.name), else_=None),
        )
        .select_from(d1)
        .join(d2, d2.id != d1.id)
        .outerjoin(Organisation, Organisation.id == d2.host_organisation_id)
        .outerjoin(User, User.id == d2.host_contact_id)
        .where(
            scope(d1),
            d1.direction == Direction.incoming,
            d2.direction == Direction.incoming,
            d1.status != DelegationStatus.cancelled,
            d2.status != DelegationStatus.cancelled,
            d1.arrival_dt < d2.departure_dt,
            d2.arrival_dt < d1.departure_dt,
            sa.or_(same_org, same_contact),
        )
    )
    return [
        _Found(
            key=("host_overlap", frozenset((d1_id, d2_id))),
            item_id=None,
            delegation_id=d1_id,
            sort=(2, arrival, d2_id),
            clash=Clash(
                "host_overlap",
                _host_message(title, format_span(arrival, departure), org, contact),
            ),
        )
        for d1_id, d2_id, title, arrival, departure, org, contact in (
            db.session.execute(stmt)
        )
    ]


def _host_message(
    visit: str, when: str, organisation: str | None, contact: str | None
) -> str:
    if organisation and contact:
        return _(
            "“%(visit)s” (%(when)s) has the same host organisation, %(organisation)s, and the same host contact, %(contact)s.",
            visit=visit,
            when=when,
            organisation=organisation,
            contact=contact,
        )
    if organisation:
        return _(
            "“%(visit)s” (%(when)s) has the same host organisation, %(organisation)s.",
            visit=visit,
            when=when,
            organisation=organisation,
        )
    return _(
        "“%(visit)s” (%(when)s) has the same host contact, %(contact)s.",
        visit=visit,
        when=when,
        contact=contact,
    )


def _visit_checks(visits: Iterable[Delegation]) -> list[_Found]:
    """Warn about visits arriving on a public holiday (the local date where they happen)."""
    found = []
    for visit in visits:
        day = utc_to_local(visit.arrival_dt, visit.timezone).date()
        holiday = holiday_name(day)
        if holiday:
            found.append(
                _Found(
                    key=("holiday", "visit", visit.id),
                    item_id=None,
                    delegation_id=visit.id,
                    sort=(3, visit.arrival_dt, -1),
                    clash=Clash(
                        "holiday",
                        _(
                            "The visit arrives on a public holiday: %(holiday)s (%(date)s).",
                            holiday=holiday,
                            date=format_date(day, "medium"),
                        ),
                    ),
                )
            )
    return found


def _item_checks(items: Iterable[ProgrammeItem]) -> list[_Found]:
    """Warn about items on a public holiday or outside their visit's span."""
    found = []
    for item in items:
        visit = item.delegation
        day = utc_to_local(item.start_dt, visit.timezone).date()
        holiday = holiday_name(day)
        if holiday:
            found.append(
                _Found(
                    key=("holiday", "item", item.id),
                    item_id=item.id,
                    delegation_id=None,
                    sort=(3, item.start_dt, item.id),
                    clash=Clash(
                        "holiday",
                        _(
                            "“%(item)s” is on a public holiday: %(holiday)s (%(date)s).",
                            item=item.title,
                            holiday=holiday,
                            date=format_date(day, "medium"),
                        ),
                    ),
                )
            )
        if item.start_dt < visit.arrival_dt or item.end_dt > visit.departure_dt:
            found.append(
                _Found(
                    key=("outside_visit", item.id),
                    item_id=item.id,
                    delegation_id=None,
                    sort=(4, item.start_dt, item.id),
                    clash=Clash(
                        "outside_visit",
                        _(
                            "“%(item)s” (%(when)s) is outside the visit (%(visit_when)s).",
                            item=item.title,
                            when=format_span(item.start_dt, item.end_dt),
                            visit_when=format_span(
                                visit.arrival_dt, visit.departure_dt
                            ),
                        ),
                    ),
                )
            )
    return found


def holiday_name(day: date) -> str | None:
    """Return the name of the Norwegian public holiday on `day`, in the viewer's language."""
    locale = get_locale()
    language = "no" if locale is None or locale.language == "nb" else "en_US"
    return _norwegian_holidays(day.year, language).get(day)


@cache
def _norwegian_holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays("NO", years=year, language=language))
