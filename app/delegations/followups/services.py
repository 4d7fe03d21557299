"""After-visit follow-up (etterbruk): opportunities with an owner, a deadline and a status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.core.audit import log_audit
from app.core.db import db
from app.core.versioning import versioned_change
from app.delegations.models import Delegation, FollowUp, FollowUpStatus
from app.delegations.reminders import plan_reminders

#: Statuses that close an item: it gets a closed_dt and is never overdue.
CLOSED_STATUSES = frozenset({FollowUpStatus.done, FollowUpStatus.dropped})


@dataclass(frozen=True)
class FollowUpData:
    """What staff type about a follow-up item."""

    title: str
    owner_id: int | None = None
    deadline: date | None = None
    status: FollowUpStatus = FollowUpStatus.open
    notes: str = ""


def list_followups(delegation: Delegation) -> list[FollowUp]:
    """Return the visit's follow-up items: open ones by deadline first, closed ones last."""
    return list(
        db.session.scalars(
            sa.select(FollowUp)
            .options(selectinload(FollowUp.owner))
            .where(FollowUp.delegation_id == delegation.id)
            .order_by(
                FollowUp.closed_dt.is_not(None),
                FollowUp.deadline.is_(None),
                FollowUp.deadline,
                FollowUp.id,
            )
        )
    )


def get_followup(delegation: Delegation, followup_id: int) -> FollowUp | None:
    """Return one follow-up item of this visit, or None."""
    return db.session.scalar(
        sa.select(FollowUp).where(
            FollowUp.id == followup_id, FollowUp.delegation_id == delegation.id
        )
    )


def list_possible_owners() -> list[User]:
    """Return the active staff users, who may own follow-up items, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role.in_([Role.admin, Role.mayors_office]),
                User.is_active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def is_overdue(followup: FollowUp, *, today: date) -> bool:
    """Return whether a still-open item's deadline has passed."""
    return (
        followup.status not in CLOSED_STATUSES
        and followup.deadline is not None
        and followup.deadline < today
    )


def add_followup(
    delegation: Delegation, data: FollowUpData, *, actor: User, now: datetime
) -> FollowUp:
    """Add a follow-up item to the visit and audit it."""
    followup = FollowUp(
        delegation_id=delegation.id,
        title=data.title,
        owner_id=data.owner_id,
        deadline=data.deadline,
        status=data.status,
        notes=data.notes,
        created_dt=now,
        closed_dt=now if data.status in CLOSED_STATUSES else None,
    )
    db.session.add(followup)
    db.session.flush()
    log_audit(followup, action="created", actor_id=actor.id, now=now)
    plan_reminders(delegation, now=now)
    return followup


def update_followup(
    followup: FollowUp,
    data: FollowUpData,
    *,
    expected_version: int | None,
    actor: User,
    now: datetime,
) -> dict[str, list[object]]:
    """Change a follow-up item and audit what changed; return field -> [old, new].

    Closing it (done or dropped) sets closed_dt; reopening it clears closed_dt.
    Raises VersionConflictError, changing nothing, when the item was saved
    since the editor loaded `expected_version` (app.core.versioning).
    """
    changes: dict[str, list[object]] = {}
    with versioned_change(followup, expected_version):
        for name in ("title", "owner_id", "deadline", "notes"):
            old, new = getattr(followup, name), getattr(data, name)
            if old != new:
                changes[name] = [_json(old), _json(new)]
                setattr(followup, name, new)
        if data.status is not followup.status:
            changes["status"] = [followup.status.value, data.status.value]
            _set_status(followup, data.status, now=now)
    if changes:
        log_audit(
            followup, action="updated", actor_id=actor.id, now=now, changes=changes
        )
        plan_reminders(followup.delegation, now=now)
    return changes


def set_followup_status(
    followup: FollowUp,
    status: FollowUpStatus,
    *,
    expected_version: int | None,
    actor: User,
    now: datetime,
) -> None:
    """Move an item to `status`, setting or clearing closed_dt, and audit the change.

    An item already in `status` stays as it is. Otherwise, when the item
    changed since the page showed `expected_version`, raises
    VersionConflictError: the click was made without seeing that change.
    """
    if status is followup.status:
        return
    old = followup.status
    with versioned_change(followup, expected_version):
        _set_status(followup, status, now=now)
    log_audit(
        followup,
        action="status_changed",
        actor_id=actor.id,
        now=now,
        changes={"status": [old.value, status.value]},
    )
    plan_reminders(followup.delegation, now=now)


def _set_status(followup: FollowUp, status: FollowUpStatus, *, now: datetime) -> None:
    if status in CLOSED_STATUSES:
        if followup.closed_dt is None:
            followup.closed_dt = now
    else:
        followup.closed_dt = None
    followup.status = status


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
