"""The action-programme matrix (handlingsprogram): one row per initiative of a period.

Each row holds the cells of the seed document's table: the theme with its
actors, what was done, what is planned and the status as of a date. The
visits and events linked to the initiative are found, not typed: whatever
the reader may see of them is listed under the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.calendar.models import Event
from app.core.db import db
from app.core.visibility import Audience, visible_clause
from app.delegations.models import Delegation
from app.directory.models import Initiative
from app.reports.exports import Table


@dataclass
class MatrixRow:
    """One initiative with the visits and events linked to it that the reader may see."""

    initiative: Initiative
    visits: list[Delegation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Matrix:
    """A programme period's matrix, in the order the initiatives were set up."""

    period: str
    rows: list[MatrixRow]

    @property
    def status_as_of(self) -> date | None:
        """The latest date any row's status is given as of (the column's heading)."""
        dates = [
            r.initiative.status_as_of for r in self.rows if r.initiative.status_as_of
        ]
        return max(dates, default=None)


def list_periods() -> list[str]:
    """Return the programme periods that have initiatives, newest first."""
    return list(
        db.session.scalars(
            sa.select(Initiative.programme_period)
            .distinct()
            .order_by(Initiative.programme_period.desc())
        )
    )


def programme_matrix(period: str, audience: Audience) -> Matrix | None:
    """Return the matrix of `period` as `audience` may see it, or None for an unknown period.

    Three queries whatever the number of rows: the initiatives, then their
    visible visits and their visible events, each in time order.
    """
    initiatives = list(
        db.session.scalars(
            sa.select(Initiative)
            .where(Initiative.programme_period == period)
            .order_by(Initiative.id)
        )
    )
    if not initiatives:
        return None
    rows = {initiative.id: MatrixRow(initiative) for initiative in initiatives}
    for visit in db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.initiative_id.in_(rows), visible_clause(Delegation, audience))
        .order_by(Delegation.arrival_dt, Delegation.id)
    ):
        rows[visit.initiative_id].visits.append(visit)  # type: ignore[index]
    for event in db.session.scalars(
        sa.select(Event)
        .where(Event.initiative_id.in_(rows), visible_clause(Event, audience))
        .order_by(Event.start_dt, Event.id)
    ):
        rows[event.initiative_id].events.append(event)  # type: ignore[index]
    return Matrix(period=period, rows=list(rows.values()))


def theme_cell(initiative: Initiative, *, actors_label: str) -> str:
    """Return the first column's text: the theme, then its actors, as the seed prints it."""
    if not initiative.actors.strip():
        return initiative.title
    return f"{initiative.title}\n\n{actors_label}: {initiative.actors.strip()}"


def matrix_cells(matrix: Matrix, *, actors_label: str) -> list[list[str]]:
    """Return the body cells of the matrix: theme and actors, done, planned, status."""
    return [
        [
            theme_cell(row.initiative, actors_label=actors_label),
            row.initiative.done.strip(),
            row.initiative.planned.strip(),
            row.initiative.status.strip(),
        ]
        for row in matrix.rows
    ]


def matrix_tables(
    matrix: Matrix,
    *,
    headings: list[str],
    actors_label: str,
    linked_title: str,
    linked_headings: list[str],
    linked_rows: list[list[str]],
) -> list[Table]:
    """Return the matrix and its linked items as two export tables (for XLSX)."""
    return [
        Table(
            title=matrix.period,
            headers=headings,
            rows=matrix_cells(matrix, actors_label=actors_label),
            wrap=True,
        ),
        Table(title=linked_title, headers=linked_headings, rows=linked_rows),
    ]
