"""The annual report: a year's visits, events and follow-ups, counted for one reader.

The executive committee gets a yearly report on the city's international work
and its hosting role (issue 7). Every number here is counted through
`visible_clause`, so a reader never learns of a visit or event they may not
see, not even as a count. The year is a calendar year in the city's zone
(Europe/Oslo): local midnight on 1 January up to local midnight a year later.

Four queries at most, whatever the amount of data: the visits grouped in SQL,
the events of the year (a recurring series must be expanded to know whether
it occurs in the year, which SQL cannot do), the follow-up totals (staff
only) and the years for the picker.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from app.calendar.models import Event, EventStatus
from app.core.db import db
from app.core.visibility import Audience, visible_clause
from app.delegations.forms import PROTOCOL_LABELS, STATUS_LABELS, country_name
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    FollowUp,
    FollowUpStatus,
    ProtocolLevel,
)
from app.directory.models import Initiative, Organisation

#: The zone whose calendar year a report covers (the city's).
OSLO = "Europe/Oslo"
#: The visits a report counts in its breakdowns: held, or fixed to be held.
COUNTED_STATUSES = (DelegationStatus.confirmed, DelegationStatus.completed)
#: The years a report may be asked for.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a label and its numbers (the chart draws the first)."""

    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Breakdown:
    """One table of the report, and the chart drawn from it."""

    #: Stable name used for the page's anchors and ids ("incoming-country").
    key: str
    title: str
    label_heading: str
    value_headings: tuple[str, ...]
    rows: tuple[Row, ...]
    #: False for summary tables whose rows are not parts of one whole.
    chart: bool = True

    @property
    def largest(self) -> int:
        """The biggest first value, which sets the scale of the chart's bars."""
        return max((row.values[0] for row in self.rows), default=0)


@dataclass(frozen=True)
class VisitSection:
    """The confirmed and completed visits of one direction, broken down four ways."""

    direction: Direction
    total: int
    by_country: Breakdown
    by_protocol_level: Breakdown
    by_initiative: Breakdown
    by_host: Breakdown

    @property
    def breakdowns(self) -> tuple[Breakdown, ...]:
        return (
            self.by_country,
            self.by_protocol_level,
            self.by_initiative,
            self.by_host,
        )


@dataclass(frozen=True)
class EventSection:
    """The events held in the year: each series once, with its occurrences."""

    series: int
    occurrences: int
    by_initiative: Breakdown
    by_organiser: Breakdown


@dataclass(frozen=True)
class FollowUpSection:
    """After-visit follow-up items opened and closed in the year (staff only)."""

    opened: int
    closed_done: int
    closed_dropped: int
    open_at_year_end: int
    table: Breakdown


@dataclass(frozen=True)
class AnnualReport:
    """Everything the annual report page, its print and its workbook show."""

    year: int
    audience: Audience
    summary: Breakdown
    visits_by_status: Breakdown
    incoming: VisitSection
    outgoing: VisitSection
    events: EventSection
    #: None unless the reader is staff: follow-ups are staff-only data.
    followups: FollowUpSection | None

    @property
    def tables(self) -> tuple[Breakdown, ...]:
        """Every table, in page order (the workbook has one sheet per table)."""
        tables = [self.summary, self.visits_by_status]
        tables += [*self.incoming.breakdowns, *self.outgoing.breakdowns]
        tables += [self.events.by_initiative, self.events.by_organiser]
        if self.followups is not None:
            tables.append(self.followups.table)
        return tuple(tables)


def year_bounds(year: int, zone: str = OSLO) -> tuple[datetime, datetime]:
    """Return the UTC instants of local midnight on 1 January of `year` and of the next year."""
    tz = ZoneInfo(zone)
    start = datetime(year, 1, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    return start, end


def annual_report(year: int, audience: Audience, *, zone: str = OSLO) -> AnnualReport:
    """Return the report of `year` counting only what `audience` may see.

    Visits count when they arrive in the year; the breakdowns count confirmed
    and completed ones, and the status table counts every status. Events count
    when not cancelled and at least one occurrence starts in the year.
    """
    start, end = year_bounds(year, zone)
    visit_rows = _visit_groups(audience, start, end)
    incoming = _visit_section(Direction.incoming, visit_rows)
    outgoing = _visit_section(Direction.outgoing, visit_rows)
    events = _event_section(audience, start, end)
    followups = _followup_section(start, end) if audience is Audience.staff else None
    return AnnualReport(
        year=year,
        audience=audience,
        summary=_summary(incoming, outgoing, events, followups),
        visits_by_status=_status_table(visit_rows),
        incoming=incoming,
        outgoing=outgoing,
        events=events,
        followups=followups,
    )


# ---- visits ------------------------------------------------------------------


@dataclass(frozen=True)
class _VisitGroup:
    """Visits sharing every attribute the report breaks them down by."""

    direction: Direction
    status: DelegationStatus
    country: str
    protocol_level: ProtocolLevel
    initiative_id: int | None
    initiative_title: str | None
    host_id: int | None
    host_name: str | None
    count: int


def _visit_groups(
    audience: Audience, start: datetime, end: datetime
) -> list[_VisitGroup]:
    """Return the visible visits arriving in [start, end), grouped in SQL (one query)."""
    keys = (
        Delegation.direction,
        Delegation.status,
        Delegation.country,
        Delegation.protocol_level,
        Delegation.initiative_id,
        Initiative.title,
        Delegation.host_organisation_id,
        Organisation.name,
    )
    query = (
        sa.select(*keys, sa.func.count(Delegation.id))
        .outerjoin(Initiative, Initiative.id == Delegation.initiative_id)
        .outerjoin(Organisation, Organisation.id == Delegation.host_organisation_id)
        .where(
            visible_clause(Delegation, audience),
            Delegation.arrival_dt >= start,
            Delegation.arrival_dt < end,
        )
        .group_by(*keys)
    )
    return [_VisitGroup(*row) for row in db.session.execute(query)]


def _visit_section(direction: Direction, groups: list[_VisitGroup]) -> VisitSection:
    """Return the breakdowns of the held visits (confirmed, completed) of one direction."""
    counted = [
        g for g in groups if g.direction is direction and g.status in COUNTED_STATUSES
    ]
    words = {
        Direction.incoming: (
            _("Incoming visits by country"),
            _("Incoming visits by protocol level"),
            _("Incoming visits by initiative"),
            _("Incoming visits by host organisation"),
        ),
        Direction.outgoing: (
            _("Outgoing visits by country"),
            _("Outgoing visits by protocol level"),
            _("Outgoing visits by initiative"),
            _("Outgoing visits by host organisation"),
        ),
    }[direction]
    prefix = direction.value
    visits = (_("Visits"),)
    levels = Counter[ProtocolLevel]()
    for group in counted:
        levels[group.protocol_level] += group.count
    return VisitSection(
        direction=direction,
        total=sum(g.count for g in counted),
        by_country=Breakdown(
            f"{prefix}-country",
            words[0],
            _("Country"),
            visits,
            _ranked(
                counted,
                lambda g: g.country,
                lambda code: country_name(str(code)),
                none_label="",
            ),
        ),
        by_protocol_level=Breakdown(
            f"{prefix}-protocol-level",
            words[1],
            _("Protocol level"),
            visits,
            tuple(
                Row(str(PROTOCOL_LABELS[level]), (levels[level],))
                for level in ProtocolLevel
            ),
        ),
        by_initiative=Breakdown(
            f"{prefix}-initiative",
            words[2],
            _("Initiative"),
            visits,
            _ranked(
                counted,
                lambda g: g.initiative_id,
                _labeller(counted, "initiative_id", "initiative_title"),
                none_label=_("No initiative"),
            ),
        ),
        by_host=Breakdown(
            f"{prefix}-host",
            words[3],
            _("Host organisation"),
            visits,
            _ranked(
                counted,
                lambda g: g.host_id,
                _labeller(counted, "host_id", "host_name"),
                none_label=_("No host organisation"),
            ),
        ),
    )


def _labeller(
    groups: list[_VisitGroup], key: str, label: str
) -> Callable[[Hashable], str]:
    names = {getattr(g, key): getattr(g, label) for g in groups}
    return lambda value: str(names[value])


def _ranked(
    groups: Iterable[_VisitGroup],
    key: Callable[[_VisitGroup], Hashable],
    label: Callable[[Hashable], str],
    *,
    none_label: str,
) -> tuple[Row, ...]:
    """Return one row per key, most visits first, then by label; the key None last."""
    counts = Counter[Hashable]()
    for group in groups:
        counts[key(group)] += group.count
    return _ordered(
        [(label(k), (n,)) for k, n in counts.items() if k is not None],
        (none_label, (counts[None],)) if None in counts else None,
    )


def _ordered(
    labelled: list[tuple[str, tuple[int, ...]]],
    nobody: tuple[str, tuple[int, ...]] | None,
) -> tuple[Row, ...]:
    rows = sorted(labelled, key=lambda pair: (-pair[1][0], pair[0].casefold()))
    if nobody is not None:
        rows.append(nobody)
    return tuple(Row(label, values) for label, values in rows)


def _status_table(groups: list[_VisitGroup]) -> Breakdown:
    """Every visit arriving in the year by status and direction, so nothing is hidden."""
    counts = Counter[tuple[DelegationStatus, Direction]]()
    for group in groups:
        counts[group.status, group.direction] += group.count
    return Breakdown(
        "visits-status",
        _("Visits by status"),
        _("Status"),
        (_("Incoming"), _("Outgoing")),
        tuple(
            Row(
                str(STATUS_LABELS[status]),
                (
                    counts[status, Direction.incoming],
                    counts[status, Direction.outgoing],
                ),
            )
            for status in DelegationStatus
        ),
        chart=False,
    )


# ---- events ------------------------------------------------------------------

#: Events and occurrences counted per key (an initiative, an organiser).
_Tally = dict[Hashable, tuple[int, int]]


def _event_section(audience: Audience, start: datetime, end: datetime) -> EventSection:
    """Count the visible, not cancelled events with an occurrence starting in the year.

    One query selects the events that may overlap the year (as the calendar
    does, by `series_end_dt`); the calendar's own expansion then finds each
    one's occurrences, and an occurrence belongs to the year it starts in.
    """
    query = (
        sa.select(Event, Organisation.name, Initiative.title)
        .outerjoin(Organisation, Organisation.id == Event.organiser_id)
        .outerjoin(Initiative, Initiative.id == Event.initiative_id)
        .where(
            visible_clause(Event, audience),
            Event.status != EventStatus.cancelled,
            Event.start_dt < end,
            sa.or_(Event.series_end_dt.is_(None), Event.series_end_dt > start),
        )
    )
    by_initiative: _Tally = {}
    by_organiser: _Tally = {}
    initiative_titles: dict[Hashable, str] = {}
    organiser_labels: dict[Hashable, str] = {}
    series = occurrences = 0
    for event, organiser, initiative in db.session.execute(query):
        found = sum(
            1
            for o in event.occurrences_between(start, end)
            if start <= o.start_dt < end
        )
        if not found:
            continue
        series += 1
        occurrences += found
        initiative_titles[event.initiative_id] = initiative or ""
        _add(by_initiative, event.initiative_id, found)
        who = _organiser_key(event.organiser_id, event.organiser_name)
        organiser_labels[who] = organiser or event.organiser_name
        _add(by_organiser, who, found)
    headings = (_("Events"), _("Occurrences"))
    return EventSection(
        series=series,
        occurrences=occurrences,
        by_initiative=Breakdown(
            "events-initiative",
            _("Events by initiative"),
            _("Initiative"),
            headings,
            _tallied(by_initiative, initiative_titles, _("No initiative")),
        ),
        by_organiser=Breakdown(
            "events-organiser",
            _("Events by organiser"),
            _("Organiser"),
            headings,
            _tallied(by_organiser, organiser_labels, _("No organiser")),
        ),
    )


def _organiser_key(
    organisation_id: int | None, name: str
) -> tuple[str, int | str] | None:
    """Return who organised: the directory's organisation, else the name given, else None."""
    if organisation_id is not None:
        return ("organisation", organisation_id)
    if name.strip():
        return ("name", name.strip())
    return None


def _add(tally: _Tally, key: Hashable, occurrences: int) -> None:
    events, found = tally.get(key, (0, 0))
    tally[key] = (events + 1, found + occurrences)


def _tallied(
    tally: _Tally, labels: dict[Hashable, str], none_label: str
) -> tuple[Row, ...]:
    nobody = tally.get(None)
    return _ordered(
        [(labels[k], v) for k, v in tally.items() if k is not None],
        (none_label, nobody) if nobody else None,
    )


# ---- follow-ups --------------------------------------------------------------


def _followup_section(start: datetime, end: datetime) -> FollowUpSection:
    """Count follow-ups opened, closed (done, dropped) and still open at year end.

    Staff only: the caller never asks for another audience. The visit's
    visibility is applied all the same, so the rule stays in one place.
    """
    closed_in_year = sa.and_(FollowUp.closed_dt >= start, FollowUp.closed_dt < end)

    def total(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    opened, done, dropped, still_open = db.session.execute(
        sa.select(
            total(sa.and_(FollowUp.created_dt >= start, FollowUp.created_dt < end)),
            total(sa.and_(closed_in_year, FollowUp.status == FollowUpStatus.done)),
            total(sa.and_(closed_in_year, FollowUp.status == FollowUpStatus.dropped)),
            total(
                sa.and_(
                    FollowUp.created_dt < end,
                    sa.or_(FollowUp.closed_dt.is_(None), FollowUp.closed_dt >= end),
                )
            ),
        )
        .join(Delegation, Delegation.id == FollowUp.delegation_id)
        .where(visible_clause(Delegation, Audience.staff))
    ).one()
    table = Breakdown(
        "followups",
        _("Follow-up items"),
        _("Follow-up items"),
        (_("Number"),),
        (
            Row(_("Opened in the year"), (int(opened),)),
            Row(_("Closed in the year as done"), (int(done),)),
            Row(_("Closed in the year as dropped"), (int(dropped),)),
            Row(_("Still open at the end of the year"), (int(still_open),)),
        ),
    )
    return FollowUpSection(
        opened=int(opened),
        closed_done=int(done),
        closed_dropped=int(dropped),
        open_at_year_end=int(still_open),
        table=table,
    )


def _summary(
    incoming: VisitSection,
    outgoing: VisitSection,
    events: EventSection,
    followups: FollowUpSection | None,
) -> Breakdown:
    rows = [
        Row(_("Incoming visits"), (incoming.total,)),
        Row(_("Outgoing visits"), (outgoing.total,)),
        Row(_("Events"), (events.series,)),
        Row(_("Event occurrences"), (events.occurrences,)),
    ]
    if followups is not None:
        rows += [
            Row(_("Follow-up items opened"), (followups.opened,)),
            Row(
                _("Follow-up items closed"),
                (followups.closed_done + followups.closed_dropped,),
            ),
        ]
    return Breakdown(
        "summary",
        _("The year at a glance"),
        _("What"),
        (_("Number"),),
        tuple(rows),
        chart=False,
    )


# ---- the year picker ---------------------------------------------------------


def report_years(audience: Audience, *, now: datetime, zone: str = OSLO) -> list[int]:
    """Return the years with a visit or event `audience` may see, and the current year.

    One query: the instants are grouped by their UTC year in SQL with the
    first and last of each group. A UTC year overlaps at most two local years,
    and its first and last instants fall in each of them that holds any, so
    their local years are exactly the local years of the whole group.
    """
    tz = ZoneInfo(zone)

    def grouped(
        column: Any, *where: sa.ColumnElement[bool]
    ) -> sa.Select[tuple[datetime, datetime]]:
        year = sa.extract("year", column)
        return (
            sa.select(sa.func.min(column), sa.func.max(column))
            .where(column.is_not(None), *where)
            .group_by(year)
        )

    shown = (visible_clause(Event, audience), Event.status != EventStatus.cancelled)
    query = sa.union_all(
        grouped(Delegation.arrival_dt, visible_clause(Delegation, audience)),
        grouped(Event.start_dt, *shown),
        grouped(Event.series_end_dt, *shown),
    )
    years = {now.astimezone(tz).year}
    for row in db.session.execute(query):
        for instant in row:
            # A union loses the column type: SQLite hands back text, naive UTC.
            value = (
                instant
                if isinstance(instant, datetime)
                else datetime.fromisoformat(instant)
            )
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
            years.add(value.astimezone(tz).year)
    return sorted(y for y in years if FIRST_YEAR <= y <= LAST_YEAR)
