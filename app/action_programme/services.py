"""The action-programme matrix (handlingsprogram): one row per initiative of a period.

Each row holds the cells of the seed document's table: the theme with its
actors, what was done, what is planned and the status as of a date. The
visits and events linked to the initiative are found, not typed: whatever
the reader may see of them is listed under the row.

The office edits the cells. Each save keeps the row's cells as a snapshot at
its status date, so the matrix can be read as it stood at any past status
date and two dates can be compared.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from slugify import slugify

from app.calendar.models import Event
from app.core.audit import log_audit
from app.core.db import db
from app.core.versioning import versioned_change
from app.core.visibility import Audience, visible_clause
from app.delegations.models import Delegation
from app.directory.models import Initiative, InitiativeSnapshot
from app.reports.exports import Cell, Table

#: The cells a snapshot keeps, in the matrix's column order.
CELL_NAMES = ("actors", "done", "planned", "status")
#: What the edit form sets, in the order the audit log and a conflict list them.
THEME_FIELDS = ("title", *CELL_NAMES, "status_as_of")
#: Norwegian letters spelt out in slugs the way Norwegians write them in ASCII.
_SLUG_REPLACEMENTS = [
    ["Æ", "Ae"],
    ["æ", "ae"],
    ["Ø", "O"],
    ["ø", "o"],
    ["Å", "Aa"],
    ["å", "aa"],
]
_SLUG_LENGTH = 80
#: Linked visits (and events) listed under a theme on the page; the rest are counted.
LINKED_LIMIT = 10


@dataclass(frozen=True)
class RowCells:
    """A row's matrix cells at one moment: now, or at a past status date."""

    actors: str
    done: str
    planned: str
    status: str
    as_of: date | None

    @classmethod
    def current(cls, initiative: Initiative) -> RowCells:
        return cls(
            actors=initiative.actors,
            done=initiative.done,
            planned=initiative.planned,
            status=initiative.status,
            as_of=initiative.status_as_of,
        )

    @classmethod
    def at(cls, snapshot: InitiativeSnapshot) -> RowCells:
        return cls(
            actors=snapshot.actors,
            done=snapshot.done,
            planned=snapshot.planned,
            status=snapshot.status,
            as_of=snapshot.as_of,
        )


@dataclass(frozen=True)
class ThemeData:
    """What the office typed for a row."""

    title: str
    actors: str
    done: str
    planned: str
    status: str
    status_as_of: date


@dataclass
class MatrixRow:
    """One initiative with the visits and events linked to it that the reader may see."""

    initiative: Initiative
    cells: RowCells
    visits: list[Delegation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    #: How many visible visits and events are linked, listed or not.
    visit_count: int = 0
    event_count: int = 0


@dataclass(frozen=True)
class Matrix:
    """A programme period's matrix, in the order the initiatives were set up.

    `as_of` is None for the current matrix, or the past day it is read at.
    """

    period: str
    rows: list[MatrixRow]
    as_of: date | None = None

    @property
    def status_as_of(self) -> date | None:
        """The latest date any row's status is given as of (the column's heading)."""
        dates = [r.cells.as_of for r in self.rows if r.cells.as_of]
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


def programme_matrix(
    period: str,
    audience: Audience,
    *,
    as_of: date | None = None,
    linked_limit: int | None = LINKED_LIMIT,
) -> Matrix | None:
    """Return the matrix of `period` as `audience` may see it, or None for an unknown period.

    With `as_of`, each row shows its cells at its latest status date on or
    before that day, and rows with no status by then are left out; the
    linked visits and events are the current ones. Each row lists its
    latest `linked_limit` visits and events (None: all, 0: none) and counts
    them all.
    Five queries whatever the number of rows (six with `as_of`).
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
    if as_of is None:
        rows = {i.id: MatrixRow(i, RowCells.current(i)) for i in initiatives}
    else:
        cells = _cells_at(initiatives, as_of)
        rows = {i.id: MatrixRow(i, cells[i.id]) for i in initiatives if i.id in cells}
    _link(rows, Delegation, Delegation.arrival_dt, audience, linked_limit)
    _link(rows, Event, Event.start_dt, audience, linked_limit)
    return Matrix(period=period, rows=list(rows.values()), as_of=as_of)


def _link(
    rows: dict[int, MatrixRow],
    model: Any,
    start: Any,
    audience: Audience,
    limit: int | None,
) -> None:
    """Attach each row's visible `model` items, the latest `limit` in time order, and their count.

    Two queries: the counts grouped by initiative, and the items ranked per
    initiative with a window function, so a theme with a thousand visits
    costs no more than one with three.
    """
    kind = "visit" if model is Delegation else "event"
    visible = sa.and_(model.initiative_id.in_(rows), visible_clause(model, audience))
    for initiative_id, count in db.session.execute(
        sa.select(model.initiative_id, sa.func.count(model.id))
        .where(visible)
        .group_by(model.initiative_id)
    ):
        setattr(rows[initiative_id], f"{kind}_count", count)
    rank = (
        sa.func.row_number()
        .over(
            partition_by=model.initiative_id, order_by=(start.desc(), model.id.desc())
        )
        .label("rank")
    )
    ranked = sa.select(model.id, rank).where(visible).subquery()
    query = sa.select(model).join(ranked, ranked.c.id == model.id)
    if limit == 0:
        return
    if limit is not None:
        query = query.where(ranked.c.rank <= limit)
    for item in db.session.scalars(query.order_by(start, model.id)):
        getattr(rows[item.initiative_id], f"{kind}s").append(item)


@dataclass(frozen=True)
class LinkedItem:
    """A visit or event linked to a theme, as the matrix's workbook lists it."""

    theme: str
    kind: str  # "visit" or "event"
    title: str
    start_dt: datetime
    timezone: str


def linked_items(period: str, audience: Audience) -> list[LinkedItem]:
    """Return every visit and event of `period`'s themes that `audience` may see.

    By theme (in the matrix's order), visits before events, each in time
    order. Two column queries and no objects, so a register of thousands
    exports in moments.
    """
    items = []
    for kind, model, start in (
        ("visit", Delegation, Delegation.arrival_dt),
        ("event", Event, Event.start_dt),
    ):
        query = (
            sa.select(
                Initiative.id, Initiative.title, model.title, start, model.timezone
            )
            .join(Initiative, Initiative.id == model.initiative_id)
            .where(
                Initiative.programme_period == period,
                visible_clause(model, audience),
            )
        )
        items += [
            (initiative_id, kind, LinkedItem(theme, kind, title, start_dt, zone))
            for initiative_id, theme, title, start_dt, zone in db.session.execute(query)
        ]
    order = {"visit": 0, "event": 1}
    items.sort(key=lambda i: (i[0], order[i[1]], i[2].start_dt))
    return [item for _id, _kind, item in items]


def _cells_at(initiatives: list[Initiative], day: date) -> dict[int, RowCells]:
    """Return each initiative's cells at its latest snapshot on or before `day`."""
    cells: dict[int, RowCells] = {}
    for snapshot in db.session.scalars(
        sa.select(InitiativeSnapshot)
        .where(
            InitiativeSnapshot.initiative_id.in_([i.id for i in initiatives]),
            InitiativeSnapshot.as_of <= day,
        )
        .order_by(InitiativeSnapshot.as_of)
    ):
        cells[snapshot.initiative_id] = RowCells.at(snapshot)  # later ones win
    return cells


def status_dates(period: str) -> list[date]:
    """Return the dates the period's matrix has a status as of, newest first."""
    return list(
        db.session.scalars(
            sa.select(InitiativeSnapshot.as_of)
            .join(Initiative)
            .where(Initiative.programme_period == period)
            .distinct()
            .order_by(InitiativeSnapshot.as_of.desc())
        )
    )


def theme_cell(row: MatrixRow, *, actors_label: str) -> str:
    """Return the first column's text: the theme, then its actors, as the seed prints it."""
    actors = row.cells.actors.strip()
    if not actors:
        return row.initiative.title
    return f"{row.initiative.title}\n\n{actors_label}: {actors}"


def matrix_cells(matrix: Matrix, *, actors_label: str) -> list[list[str]]:
    """Return the body cells of the matrix: theme and actors, done, planned, status."""
    return [
        [
            theme_cell(row, actors_label=actors_label),
            row.cells.done.strip(),
            row.cells.planned.strip(),
            row.cells.status.strip(),
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
    linked_rows: list[list[Cell]],
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


def get_theme(period: str, slug: str) -> Initiative | None:
    """Return the row `slug` of `period`, or None."""
    return db.session.scalar(
        sa.select(Initiative).where(
            Initiative.programme_period == period, Initiative.slug == slug
        )
    )


def update_theme(
    initiative: Initiative,
    data: ThemeData,
    *,
    expected_version: int | None,
    actor_id: int,
    now: datetime,
) -> list[str]:
    """Save the office's cells if nobody saved the row since `expected_version`.

    Effects: raises VersionConflictError (app.core.versioning; changes
    nothing) when the version moved on, including a race lost at flush;
    otherwise sets the fields, keeps the cells as the snapshot of the status
    date (correcting that date's snapshot, or starting a new one) and audits
    "updated" with field -> [old, new]. Returns the names of the changed fields.
    """
    with versioned_change(initiative, expected_version):
        changes = {
            name: [_json(getattr(initiative, name)), _json(getattr(data, name))]
            for name in THEME_FIELDS
            if getattr(initiative, name) != getattr(data, name)
        }
        if changes:
            for name in THEME_FIELDS:
                setattr(initiative, name, getattr(data, name))
            _keep_snapshot(initiative, recorded_by_id=actor_id, now=now)
    if not changes:
        return []
    log_audit(initiative, action="updated", actor_id=actor_id, now=now, changes=changes)
    return list(changes)


def create_theme(
    period: str, data: ThemeData, *, actor_id: int | None, now: datetime
) -> Initiative:
    """Add a row at the end of `period` (which may be new) with its first snapshot.

    Effects: adds the initiative under a slug made from its title (numbered
    when taken), its snapshot and a "created" audit entry; the caller commits.
    """
    initiative = Initiative(
        slug=_free_slug(data.title),
        programme_period=period,
        **{name: getattr(data, name) for name in THEME_FIELDS},
    )
    db.session.add(initiative)
    _keep_snapshot(initiative, recorded_by_id=actor_id, now=now)
    db.session.flush()
    log_audit(initiative, action="created", actor_id=actor_id, now=now)
    return initiative


def keep_status_snapshot(initiative: Initiative, *, now: datetime) -> None:
    """Keep the row's current cells as the snapshot of its status date (demo data, imports)."""
    _keep_snapshot(initiative, recorded_by_id=None, now=now)


def _keep_snapshot(
    initiative: Initiative, *, recorded_by_id: int | None, now: datetime
) -> None:
    as_of = initiative.status_as_of
    if as_of is None:
        return
    snapshot = next((s for s in initiative.snapshots if s.as_of == as_of), None)
    if snapshot is None:
        snapshot = InitiativeSnapshot(as_of=as_of)
        initiative.snapshots.append(snapshot)
    for name in CELL_NAMES:
        setattr(snapshot, name, getattr(initiative, name))
    snapshot.recorded_dt = now
    snapshot.recorded_by_id = recorded_by_id


def _free_slug(title: str) -> str:
    base = (
        slugify(title, replacements=_SLUG_REPLACEMENTS, max_length=_SLUG_LENGTH - 4)
        or "tema"
    )
    taken = set(
        db.session.scalars(
            sa.select(Initiative.slug).where(
                sa.or_(Initiative.slug == base, Initiative.slug.like(f"{base}-%"))
            )
        )
    )
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# Comparing two status dates ---------------------------------------------------

#: Words and the spaces between them: a change is shown word by word.
_TOKENS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class CellChange:
    """One cell that differs between two dates, with its words marked.

    `segments` are (kind, text) pairs, kind "same", "removed" or "added", so
    the page can show the change with <del> and <ins> and escape every word.
    """

    name: str
    before: str
    after: str
    segments: list[tuple[str, str]]


@dataclass(frozen=True)
class ComparedRow:
    """A theme at two status dates: its cells at each (None: no status yet) and what changed."""

    initiative: Initiative
    before: RowCells | None
    after: RowCells | None
    changes: list[CellChange]


def compare_status(period: str, earlier: date, later: date) -> list[ComparedRow]:
    """Return every row of `period` with a status by `later`, its cells at both dates.

    A row's cells at a date are those of its latest snapshot on or before it.
    Two queries whatever the number of rows.
    """
    initiatives = list(
        db.session.scalars(
            sa.select(Initiative)
            .where(Initiative.programme_period == period)
            .order_by(Initiative.id)
        )
    )
    before, after = _cells_at(initiatives, earlier), _cells_at(initiatives, later)
    return [
        ComparedRow(
            initiative=initiative,
            before=before.get(initiative.id),
            after=after.get(initiative.id),
            changes=_changes(before.get(initiative.id), after.get(initiative.id)),
        )
        for initiative in initiatives
        if initiative.id in before or initiative.id in after
    ]


def _changes(before: RowCells | None, after: RowCells | None) -> list[CellChange]:
    changes = []
    for name in CELL_NAMES:
        old = getattr(before, name) if before else ""
        new = getattr(after, name) if after else ""
        if old != new:
            changes.append(CellChange(name, old, new, word_changes(old, new)))
    return changes


def word_changes(old: str, new: str) -> list[tuple[str, str]]:
    """Return `old` turned into `new` as (kind, text) segments, word by word."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("same", "".join(a[a1:a2])))
            continue
        if a2 > a1:
            segments.append(("removed", "".join(a[a1:a2])))
        if b2 > b1:
            segments.append(("added", "".join(b[b1:b2])))
    return segments
