"""The delegation register: finding, creating, changing and moving visits through their states."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from app.auth.models import Role, User
from app.core.audit import AuditEntry, log_audit
from app.core.db import db
from app.core.versioning import versioned_change
from app.core.visibility import Audience, Visibility, visible_clause
from app.delegations.checklists.services import (
    create_checklist_tasks,
    reschedule_checklist_tasks,
)
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProtocolLevel,
)
from app.delegations.notices import queue_change_notices
from app.delegations.reminders import plan_reminders
from app.directory.models import City, Organisation, Theme

logger = logging.getLogger(__name__)

#: Where each status may go next; completed is final, a cancelled visit may be reopened.
ALLOWED_TRANSITIONS: dict[DelegationStatus, frozenset[DelegationStatus]] = {
    DelegationStatus.enquiry: frozenset(
        {DelegationStatus.tentative, DelegationStatus.cancelled}
    ),
    DelegationStatus.tentative: frozenset(
        {DelegationStatus.confirmed, DelegationStatus.cancelled}
    ),
    DelegationStatus.confirmed: frozenset(
        {DelegationStatus.completed, DelegationStatus.cancelled}
    ),
    DelegationStatus.completed: frozenset(),
    DelegationStatus.cancelled: frozenset({DelegationStatus.tentative}),
}

#: Fields whose change is "time" or "place" in a change notice.
_NOTICE_FIELDS = {
    "arrival_dt": "time",
    "departure_dt": "time",
    "timezone": "time",
    "city_id": "place",
}

#: Plain columns the edit form sets, in the order the conflict page lists them.
EDITABLE_COLUMNS = (
    "direction",
    "title",
    "city_id",
    "country",
    "foreign_organisations",
    "head_of_delegation",
    "protocol_level",
    "size",
    "arrival_dt",
    "departure_dt",
    "timezone",
    "visibility",
    "host_contact_id",
    "host_organisation_id",
    "initiative_id",
    "languages",
    "needs_interpreter",
    "cost_bearer",
    "budget_nok",
    "notes",
)


class TransitionError(ValueError):
    """A status change the workflow does not allow."""

    def __init__(self, current: DelegationStatus, to: DelegationStatus) -> None:
        super().__init__(f"cannot move a visit from {current} to {to}")
        self.current = current
        self.to = to


@dataclass(frozen=True)
class DelegationFilters:
    """What the register's list is narrowed to; None means "any"."""

    direction: Direction | None = None
    status: DelegationStatus | None = None
    year: int | None = None
    country: str | None = None
    initiative_id: int | None = None
    host_organisation_id: int | None = None
    protocol_level: ProtocolLevel | None = None
    text: str = ""


@dataclass
class DelegationData:
    """Every field of a visit that its form sets (times already in UTC)."""

    direction: Direction
    title: str
    country: str
    protocol_level: ProtocolLevel
    arrival_dt: datetime
    departure_dt: datetime
    timezone: str = "Europe/Oslo"
    city_id: int | None = None
    foreign_organisations: str = ""
    head_of_delegation: str = ""
    size: int | None = None
    visibility: Visibility = Visibility.internal
    host_contact_id: int | None = None
    host_organisation_id: int | None = None
    initiative_id: int | None = None
    languages: str = ""
    needs_interpreter: bool = False
    cost_bearer: str = ""
    budget_nok: int | None = None
    notes: str = ""
    co_host_ids: list[int] = field(default_factory=list)
    theme_ids: list[int] = field(default_factory=list)


def get_visible_delegation(delegation_id: int, audience: Audience) -> Delegation:
    """Return the visit if `audience` may see it; raise 404 otherwise.

    404 rather than 403, so that a member cannot even learn that an internal
    visit exists.
    """
    delegation = db.session.scalar(
        sa.select(Delegation).where(
            Delegation.id == delegation_id, visible_clause(Delegation, audience)
        )
    )
    if delegation is None:
        raise NotFound()
    return delegation


def _filtered(audience: Audience, filters: DelegationFilters) -> sa.Select[Any]:
    query = sa.select(Delegation).where(visible_clause(Delegation, audience))
    if filters.direction is not None:
        query = query.where(Delegation.direction == filters.direction)
    if filters.status is not None:
        query = query.where(Delegation.status == filters.status)
    if filters.protocol_level is not None:
        query = query.where(Delegation.protocol_level == filters.protocol_level)
    if filters.country:
        query = query.where(Delegation.country == filters.country.upper())
    if filters.initiative_id is not None:
        query = query.where(Delegation.initiative_id == filters.initiative_id)
    if filters.host_organisation_id is not None:
        query = query.where(
            Delegation.host_organisation_id == filters.host_organisation_id
        )
    if filters.year is not None:
        # A visit belongs to every year it touches.
        query = query.where(
            Delegation.arrival_dt < datetime(filters.year + 1, 1, 1, tzinfo=UTC),
            Delegation.departure_dt >= datetime(filters.year, 1, 1, tzinfo=UTC),
        )
    text = filters.text.strip()
    if text:
        city_match = (
            sa.select(City.id)
            .where(City.id == Delegation.city_id)
            .where(City.name.icontains(text, autoescape=True))
            .exists()
        )
        query = query.where(
            sa.or_(
                Delegation.title.icontains(text, autoescape=True),
                Delegation.foreign_organisations.icontains(text, autoescape=True),
                Delegation.head_of_delegation.icontains(text, autoescape=True),
                city_match,
            )
        )
    return query


def list_delegations(
    audience: Audience, *, filters: DelegationFilters, limit: int, offset: int
) -> tuple[list[Delegation], int]:
    """Return one page of the visits `audience` may see, latest arrival first, and the count."""
    query = _filtered(audience, filters)
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    )
    rows = db.session.scalars(
        # Everything the register and its CSV/XLSX export show, in one query each.
        query.options(
            selectinload(Delegation.city),
            selectinload(Delegation.host_organisation),
            selectinload(Delegation.host_contact),
            selectinload(Delegation.initiative),
        )
        .order_by(Delegation.arrival_dt.desc(), Delegation.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def list_delegation_years() -> list[int]:
    """Return the years in which any visit arrives, newest first (for the year filter)."""
    arrivals = db.session.scalars(sa.select(Delegation.arrival_dt)).all()
    return sorted({dt.year for dt in arrivals}, reverse=True)


def list_staff_users() -> list[User]:
    """Return the active staff, who may be a visit's host contact."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role.in_([Role.admin, Role.mayors_office]), User.is_active)
            .order_by(User.name)
        )
    )


def _apply(delegation: Delegation, data: DelegationData) -> dict[str, list[Any]]:
    """Set `data` on `delegation`; return field -> [old, new] for what changed."""
    changes: dict[str, list[Any]] = {}
    for name in EDITABLE_COLUMNS:
        old, new = getattr(delegation, name), getattr(data, name)
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
            setattr(delegation, name, new)
    co_hosts = _load(Organisation, data.co_host_ids)
    if {o.id for o in delegation.co_hosts} != {o.id for o in co_hosts}:
        changes["co_hosts"] = [
            sorted(o.id for o in delegation.co_hosts),
            sorted(o.id for o in co_hosts),
        ]
        delegation.co_hosts = co_hosts
    themes = _load(Theme, data.theme_ids)
    if {t.id for t in delegation.themes} != {t.id for t in themes}:
        changes["themes"] = [
            sorted(t.id for t in delegation.themes),
            sorted(t.id for t in themes),
        ]
        delegation.themes = themes
    return changes


def _load(model: Any, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(model).where(model.id.in_(ids))))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Visibility | Direction | ProtocolLevel | DelegationStatus):
        return value.value
    return value


def create_delegation(
    data: DelegationData, *, actor: User, now: datetime
) -> Delegation:
    """Register a visit in status enquiry.

    Effects: adds the visit, audits "created", and gives it its checklist tasks
    (copied from the template of its protocol level).
    """
    delegation = Delegation(status=DelegationStatus.enquiry)
    if data.host_contact_id is None:
        data.host_contact_id = actor.id
    _apply(delegation, data)
    delegation.created_dt = now
    delegation.updated_dt = now
    db.session.add(delegation)
    db.session.flush()
    log_audit(delegation, action="created", actor_id=actor.id, now=now)
    create_checklist_tasks(delegation, now=now, actor_id=actor.id)
    logger.info("visit %s created by user %s", delegation.id, actor.id)
    return delegation


def update_delegation(
    delegation: Delegation,
    data: DelegationData,
    *,
    expected_version: int | None,
    actor: User,
    now: datetime,
) -> list[str]:
    """Save the edit form's values if nobody saved the visit since `expected_version`.

    Effects: raises VersionConflictError (app.core.versioning; changes nothing)
    when the version moved on, including a race lost at flush, or is None
    (a page that sent no readable version); otherwise sets the fields, audits
    "updated" with field -> [old, new], moves undone checklist tasks when the
    arrival moved, queues change notices when time or place changed (the
    flush has raised `sequence`), and re-plans the visit's reminders.
    Returns the names of the changed fields.
    """
    with versioned_change(delegation, expected_version):
        changes = _apply(delegation, data)  # loading a collection may autoflush
    if not changes:
        return []
    log_audit(delegation, action="updated", actor_id=actor.id, now=now, changes=changes)
    if "arrival_dt" in changes:
        reschedule_checklist_tasks(delegation)
    noticed = sorted(
        {_NOTICE_FIELDS[name] for name in changes if name in _NOTICE_FIELDS}
    )
    if noticed:
        queue_change_notices(delegation, changed=noticed, now=now)
    plan_reminders(delegation, now=now)
    return list(changes)


def allowed_transitions(delegation: Delegation) -> list[DelegationStatus]:
    """Return the statuses the visit may move to now, in workflow order."""
    allowed = ALLOWED_TRANSITIONS[delegation.status]
    return [status for status in DelegationStatus if status in allowed]


def transition_delegation(
    delegation: Delegation,
    *,
    to: DelegationStatus,
    actor: User,
    comment: str,
    now: datetime,
) -> AuditEntry:
    """Move a visit to status `to`; the one way a visit's status changes.

    Effects, in order:
    - raises TransitionError if the workflow does not allow `to` from the
      current status (enquiry -> tentative -> confirmed -> completed; any of
      the first three -> cancelled; cancelled -> tentative to reopen);
    - sets the status and flushes, which raises the `sequence` of the visit
      and of its programme items (app.core.calendar_object);
    - audits "status_changed" with changes {"status": [from, to]} and `comment`;
    - queues change notices when the visit is or was confirmed or cancelled.
    Returns the audit entry.
    """
    current = delegation.status
    if to not in ALLOWED_TRANSITIONS[current]:
        raise TransitionError(current, to)
    delegation.status = to
    delegation.updated_dt = now
    db.session.flush()
    entry = log_audit(
        delegation,
        action="status_changed",
        actor_id=actor.id,
        now=now,
        changes={"status": [current.value, to.value]},
        comment=comment,
    )
    queue_change_notices(
        delegation, changed=["status"], now=now, previous_status=current
    )
    plan_reminders(delegation, now=now)
    logger.info("visit %s moved from %s to %s", delegation.id, current, to)
    return entry


@dataclass(frozen=True)
class StatusChange:
    """One line of a visit's status history."""

    when: datetime
    actor: User | None
    from_status: DelegationStatus | None
    to_status: DelegationStatus
    comment: str


def list_status_history(delegation: Delegation) -> list[StatusChange]:
    """Return the visit's status changes from the audit log, oldest first."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.object_type == Delegation.__tablename__,
            AuditEntry.object_id == delegation.id,
            AuditEntry.action.in_(["created", "status_changed"]),
        )
        .order_by(AuditEntry.created_dt, AuditEntry.id)
    ).all()
    actors = {
        user.id: user
        for user in _load(User, [e.actor_id for e in entries if e.actor_id])
    }
    history = []
    for entry in entries:
        if entry.action == "created":
            old, new = None, DelegationStatus.enquiry.value
        else:
            old, new = entry.changes["status"]
        history.append(
            StatusChange(
                when=entry.created_dt,
                actor=actors.get(entry.actor_id) if entry.actor_id else None,
                from_status=DelegationStatus(old) if old else None,
                to_status=DelegationStatus(new),
                comment=entry.comment,
            )
        )
    return history
