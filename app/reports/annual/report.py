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

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from app.calendar.models import Event, EventStatus
from app.core.db import db
from app.core.visibility import Audience, visible_clause
from app.delegations.models import (
    Delegation,
    Direction,
)
from app.reports.annual.events import event_section, followup_section
from app.reports.annual.model import (
    FIRST_YEAR,
    LAST_YEAR,
    OSLO,
    AnnualReport,
    Breakdown,
    EventSection,
    FollowUpSection,
    Row,
    VisitSection,
)
from app.reports.annual.visits import status_table, visit_groups, visit_section


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
    visit_rows = visit_groups(audience, start, end)
    incoming = visit_section(Direction.incoming, visit_rows)
    outgoing = visit_section(Direction.outgoing, visit_rows)
    events = event_section(audience, start, end)
    followups = followup_section(start, end) if audience is Audience.staff else None
    return AnnualReport(
        year=year,
        audience=audience,
        summary=summary_table(incoming, outgoing, events, followups),
        visits_by_status=status_table(visit_rows),
        incoming=incoming,
        outgoing=outgoing,
        events=events,
        followups=followups,
    )


def summary_table(
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
