"""The annual report's events (each series once, with its occurrences) and follow-ups."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.calendar.models import Event, EventStatus
from app.core.db import db
from app.core.visibility import Audience, visible_clause
from app.delegations.models import (
    Delegation,
    FollowUp,
    FollowUpStatus,
)
from app.directory.models import Initiative, Organisation
from app.reports.annual.model import (
    Breakdown,
    EventSection,
    FollowUpSection,
    Row,
    ordered_rows,
)

# ---- events ------------------------------------------------------------------

#: Events and occurrences counted per key (an initiative, an organiser).
_Tally = dict[Hashable, tuple[int, int]]


def event_section(audience: Audience, start: datetime, end: datetime) -> EventSection:
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
    return ordered_rows(
        [(labels[k], v) for k, v in tally.items() if k is not None],
        (none_label, nobody) if nobody else None,
    )


# ---- follow-ups --------------------------------------------------------------


def followup_section(start: datetime, end: datetime) -> FollowUpSection:
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
