"""Members' interest in joining an outgoing visit or meeting an incoming delegation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.auth.services import public_link
from app.core.audit import log_audit
from app.core.db import db
from app.delegations.models import (
    Delegation,
    Direction,
    Interest,
    InterestKind,
    InterestState,
)
from app.outbox.services import queue_mail

#: The answers a host may give.
DECISIONS = frozenset({InterestState.accepted, InterestState.declined})


class InterestError(Exception):
    """A request or answer that the rules do not allow; `code` says which rule."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def kind_for(delegation: Delegation) -> InterestKind:
    """Return what a member asks of this visit: to join it (outgoing) or meet it (incoming)."""
    if delegation.direction is Direction.outgoing:
        return InterestKind.join_visit
    return InterestKind.meet_delegation


def list_interests(delegation: Delegation) -> list[Interest]:
    """Return every request about the visit, pending first, then oldest first."""
    return list(
        db.session.scalars(
            sa.select(Interest)
            .options(selectinload(Interest.user).selectinload(User.organisation))
            .where(Interest.delegation_id == delegation.id)
            .order_by(
                Interest.state != InterestState.pending,
                Interest.created_dt,
                Interest.id,
            )
        )
    )


def get_interest(delegation: Delegation, interest_id: int) -> Interest | None:
    """Return one request about this visit, or None."""
    return db.session.scalar(
        sa.select(Interest).where(
            Interest.id == interest_id, Interest.delegation_id == delegation.id
        )
    )


def get_member_interest(delegation: Delegation, user: User) -> Interest | None:
    """Return this member's request about the visit, or None."""
    return db.session.scalar(
        sa.select(Interest).where(
            Interest.delegation_id == delegation.id, Interest.user_id == user.id
        )
    )


def request_interest(
    delegation: Delegation, *, user: User, message: str, now: datetime
) -> Interest:
    """Record a member's request to join or meet the visit, pending the host's answer.

    Raises InterestError("not_member") for staff and InterestError("exists")
    when the member already asked. The caller has checked that the member may
    see the visit.
    """
    if user.role is not Role.member:
        raise InterestError("not_member")
    if get_member_interest(delegation, user) is not None:
        raise InterestError("exists")
    interest = Interest(
        delegation_id=delegation.id,
        user_id=user.id,
        kind=kind_for(delegation),
        message=message,
        state=InterestState.pending,
        created_dt=now,
    )
    db.session.add(interest)
    db.session.flush()
    log_audit(interest, action="requested", actor_id=user.id, now=now)
    return interest


def withdraw_interest(interest: Interest, *, user: User, now: datetime) -> None:
    """Delete a member's own pending request and audit that; they may ask again later.

    Raises InterestError("not_yours") or InterestError("decided").
    """
    if interest.user_id != user.id:
        raise InterestError("not_yours")
    if interest.state is not InterestState.pending:
        raise InterestError("decided")
    log_audit(interest, action="withdrawn", actor_id=user.id, now=now)
    db.session.delete(interest)
    db.session.flush()


def decide_interest(
    interest: Interest, *, state: InterestState, actor: User, now: datetime
) -> Interest:
    """Accept or decline a member's request (the one transition of an Interest).

    Effects: sets state, decided_by and decided_dt; writes an audit entry with
    the old and new state; queues an "interest_decided" mail to the member in
    their own language. A host may change an answer; giving the same answer
    again, or "pending", raises InterestError("invalid_transition").
    """
    if state not in DECISIONS or state is interest.state:
        raise InterestError("invalid_transition")
    old = interest.state
    decider_id = actor.id  # read first: loading it may autoflush a half-made decision
    interest.state = state
    interest.decided_by_id = decider_id
    interest.decided_dt = now
    db.session.flush()
    log_audit(
        interest,
        action="decided",
        actor_id=actor.id,
        now=now,
        changes={"state": [old.value, state.value]},
    )
    _queue_decision_mail(interest, now=now)
    return interest


def _queue_decision_mail(interest: Interest, *, now: datetime) -> None:
    member = interest.user
    delegation = interest.delegation
    queue_mail(
        "interest_decided",
        recipient=member.email,
        recipient_user_id=member.id,
        locale=member.locale,
        context={
            "name": member.name,
            "visit_title": delegation.title,
            "kind": interest.kind.value,
            "accepted": interest.state is InterestState.accepted,
            "link": public_link(
                "interests.list_interests", delegation_id=str(delegation.id)
            ),
        },
        idempotency_key=f"interest:{interest.id}:{interest.state.value}",
        now=now,
    )
