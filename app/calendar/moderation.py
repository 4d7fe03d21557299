"""The admins' moderation of partner submissions (services: never commit, never see a form).

Every decision is one conditional UPDATE that only a pending submission
matches, so when two moderators act at once exactly one of them wins; the
loser gets `AlreadyDecidedError` naming the decision that stands.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.auth.services import public_link
from app.calendar.events import create_event, event_data_from_submission
from app.calendar.models import Event, Submission, SubmissionState
from app.calendar.submissions import ProposedEvent
from app.core.audit import log_audit
from app.core.db import db
from app.core.i18n import babel_locale, format_local_datetime
from app.core.visibility import Visibility, can_see
from app.outbox.services import queue_mail

logger = logging.getLogger(__name__)

#: The states a moderator's decision leads to.
DECIDED_STATES = (
    SubmissionState.approved,
    SubmissionState.rejected,
    SubmissionState.spam,
)
#: The states the queue page has a tab for: the queue itself and its history.
QUEUE_STATES = (SubmissionState.pending, *DECIDED_STATES)


class RejectReason(enum.StrEnum):
    """The stock reasons a moderator may give for a rejection."""

    unrelated = "unrelated"
    duplicate = "duplicate"
    insufficient = "insufficient"
    outside_region = "outside_region"
    commercial = "commercial"
    other = "other"


#: What the submitter reads for each stock reason, in their own language.
REJECT_REASON_TEXTS = {
    RejectReason.unrelated: _l(
        "The event is not related to the forum's international work."
    ),
    RejectReason.duplicate: _l("The event duplicates one already in the calendar."),
    RejectReason.insufficient: _l("The submission does not give enough information."),
    RejectReason.outside_region: _l("The event takes place outside the region."),
    RejectReason.commercial: _l(
        "The calendar does not publish commercial advertising."
    ),
    RejectReason.other: _l("The event does not fit the calendar."),
}


class ModerationError(Exception):
    """A moderation step the rules do not allow."""


class AlreadyDecidedError(ModerationError):
    """The submission is no longer pending: someone decided first, or it never entered the queue."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(f"submission {submission.id} is {submission.state.value}")
        self.submission = submission
        self.state = submission.state
        self.moderator_name = submission.moderator.name if submission.moderator else ""
        self.decided_dt = submission.decided_dt


class SubmissionNotFoundError(ModerationError):
    """No submission has this id."""


#: The columns `update_submission` writes, in the order the audit lists them.
EDITABLE_COLUMNS = (
    "title",
    "description",
    "start_dt",
    "end_dt",
    "is_all_day",
    "timezone",
    "location",
    "organiser_id",
    "organiser_name",
    "initiative_id",
    "url",
)


# ---- reading ---------------------------------------------------------------


def get_submission(submission_id: int) -> Submission | None:
    """Return one submission with what its page shows, or None."""
    return db.session.scalar(
        sa.select(Submission)
        .where(Submission.id == submission_id)
        .options(
            selectinload(Submission.organiser),
            selectinload(Submission.initiative),
            selectinload(Submission.moderator),
        )
    )


def list_queue(
    state: SubmissionState | None = SubmissionState.pending,
    *,
    page: int,
    per_page: int,
) -> tuple[list[Submission], int]:
    """Return one page of the queue (or of its history) and the total count.

    `state` None lists every moderated state; pending submissions come first,
    each group oldest first. Unconfirmed and withdrawn submissions never show.
    """
    states = [state] if state is not None else list(QUEUE_STATES)
    query = sa.select(Submission).where(Submission.state.in_(states))
    total = (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        )
        or 0
    )
    rows = db.session.scalars(
        query.options(
            selectinload(Submission.organiser), selectinload(Submission.moderator)
        )
        .order_by(
            Submission.state != SubmissionState.pending,
            Submission.created_dt,
            Submission.id,
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def count_pending() -> int:
    """Return how many submissions wait for a decision."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Submission.id)).where(
                Submission.state == SubmissionState.pending
            )
        )
        or 0
    )


def count_by_state() -> dict[SubmissionState, int]:
    """Return how many submissions each tab of the queue holds."""
    rows = db.session.execute(
        sa.select(Submission.state, sa.func.count())
        .where(Submission.state.in_(QUEUE_STATES))
        .group_by(Submission.state)
    ).all()
    counts = dict.fromkeys(QUEUE_STATES, 0)
    counts.update({SubmissionState(row[0]): row[1] for row in rows})
    return counts


# ---- changing --------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _refreshed(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id, populate_existing=True)
    if submission is None:
        raise SubmissionNotFoundError(str(submission_id))
    return submission


def update_submission(
    submission: Submission, data: ProposedEvent, *, actor_id: int, now: datetime
) -> Submission:
    """Change a pending submission before the decision.

    Effects: writes the changed columns with one UPDATE that only a pending
    submission matches; audits old and new values ("edited"). Raises
    AlreadyDecidedError when the submission is no longer pending (a decision
    won meanwhile); nothing changes then.
    """
    changes = {
        name: [_json_safe(getattr(submission, name)), _json_safe(getattr(data, name))]
        for name in EDITABLE_COLUMNS
        if getattr(submission, name) != getattr(data, name)
    }
    submission_id = submission.id
    result = db.session.execute(
        sa.update(Submission)
        .where(
            Submission.id == submission_id,
            Submission.state == SubmissionState.pending,
        )
        .values({name: getattr(data, name) for name in EDITABLE_COLUMNS})
        .execution_options(synchronize_session=False)
    )
    current = _refreshed(submission_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyDecidedError(current)
    if changes:
        log_audit(current, action="edited", actor_id=actor_id, now=now, changes=changes)
    return current


def _decide(
    submission_id: int,
    state: SubmissionState,
    *,
    actor_id: int,
    now: datetime,
    reject_reason: str = "",
) -> Submission:
    """Move a pending submission to `state` if nobody else did first; return it fresh."""
    result = db.session.execute(
        sa.update(Submission)
        .where(
            Submission.id == submission_id,
            Submission.state == SubmissionState.pending,
        )
        .values(
            state=state,
            moderator_id=actor_id,
            decided_dt=now,
            reject_reason=reject_reason,
        )
        .execution_options(synchronize_session=False)
    )
    submission = _refreshed(submission_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyDecidedError(submission)
    log_audit(
        submission,
        action=state.value,
        actor_id=actor_id,
        now=now,
        changes={"state": [SubmissionState.pending.value, state.value]},
        comment=reject_reason,
    )
    return submission


def approve(
    submission_id: int, *, visibility: Visibility, actor_id: int, now: datetime
) -> Event:
    """Approve a pending submission and publish it as an event.

    Effects, for the one moderator whose decision wins: state approved,
    moderator and date set; the event created (audited) with `visibility` and
    linked from the submission; the decision audited; the "submission_decided"
    mail queued to the submitter in their language with a link to the event.
    Raises AlreadyDecidedError otherwise, and creates nothing.
    """
    submission = _decide(
        submission_id, SubmissionState.approved, actor_id=actor_id, now=now
    )
    event = create_event(
        event_data_from_submission(submission, visibility=visibility),
        actor_id=actor_id,
        now=now,
    )
    submission.event_id = event.id
    db.session.flush()
    _queue_decision_mail(submission, event=event, now=now)
    return event


def rejection_text(submission: Submission, reason: RejectReason, note: str) -> str:
    """Return the reason stored and mailed: the stock reason in the submitter's language, then the note."""
    with force_locale(babel_locale(submission.locale)):
        stock = str(REJECT_REASON_TEXTS[reason])
    note = note.strip()
    return f"{stock}\n\n{note}" if note else stock


def reject(
    submission_id: int,
    *,
    reason: RejectReason,
    note: str = "",
    actor_id: int,
    now: datetime,
) -> Submission:
    """Reject a pending submission with a stock reason and an optional note.

    Effects, for the winning moderator: state rejected with the reason (in the
    submitter's language) stored; audited; the "submission_decided" mail with
    the reason queued to the submitter. The reason "other" needs a note
    (ModerationError without one). Raises AlreadyDecidedError when someone
    decided first.
    """
    if reason is RejectReason.other and not note.strip():
        raise ModerationError("the reason 'other' needs a note")
    submission = get_submission(submission_id)
    if submission is None:
        raise SubmissionNotFoundError(str(submission_id))
    text = rejection_text(submission, reason, note)
    submission = _decide(
        submission_id,
        SubmissionState.rejected,
        actor_id=actor_id,
        now=now,
        reject_reason=text,
    )
    _queue_decision_mail(submission, event=None, now=now)
    return submission


def mark_spam(submission_id: int, *, actor_id: int, now: datetime) -> Submission:
    """Mark a pending submission as spam: audited, and no mail to anyone.

    Raises AlreadyDecidedError when someone decided first.
    """
    return _decide(submission_id, SubmissionState.spam, actor_id=actor_id, now=now)


def _submitter_may_see(submission: Submission, event: Event) -> bool:
    """Return whether the submitter can open the event page (no link to a 404 otherwise)."""
    if event.visibility is Visibility.public:
        return True
    user = db.session.get(User, submission.submitter_user_id or 0)
    return user is not None and user.is_active and can_see(event, user.audience)


def _queue_decision_mail(
    submission: Submission, *, event: Event | None, now: datetime
) -> None:
    locale = submission.locale
    queue_mail(
        "submission_decided",
        recipient=submission.submitter_email,
        recipient_user_id=submission.submitter_user_id,
        locale=locale,
        context={
            "name": submission.submitter_name,
            "title": submission.title,
            "when": format_local_datetime(
                submission.start_dt, submission.timezone, locale=babel_locale(locale)
            ),
            "approved": submission.state is SubmissionState.approved,
            "reason": submission.reject_reason,
            "link": (
                public_link("events.show_event", event_id=str(event.id))
                if event is not None and _submitter_may_see(submission, event)
                else ""
            ),
        },
        idempotency_key=f"submission-decided:{submission.id}",
        now=now,
    )


# ---- the moderators' notice ------------------------------------------------


def _active_admins() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.admin, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _listed(submissions: Iterable[Submission], admin: User) -> list[dict[str, str]]:
    locale = babel_locale(admin.locale)
    return [
        {
            "title": s.title,
            "when": format_local_datetime(s.start_dt, admin.timezone, locale=locale),
            "submitter": s.submitter_name,
            "link": public_link("moderation.show_submission", submission_id=str(s.id)),
        }
        for s in submissions
    ]


def notify_moderators(*, now: datetime) -> int:
    """Tell every active admin, in one mail each, about submissions new to the queue.

    Effects: one "submissions_waiting" mail per admin (in the admin's language)
    listing every pending submission not yet announced, with a link to the
    queue; those submissions get `moderators_notified_dt`. Nothing is sent when
    nothing is new. The idempotency key (admin, newest listed submission) keeps
    a retried run from mailing twice. Returns the number of mails queued.
    """
    waiting = list(
        db.session.scalars(
            sa.select(Submission)
            .where(
                Submission.state == SubmissionState.pending,
                Submission.moderators_notified_dt.is_(None),
            )
            .order_by(Submission.created_dt, Submission.id)
        )
    )
    if not waiting:
        return 0
    newest = max(s.id for s in waiting)
    admins = _active_admins()
    queue_link = public_link("moderation.queue")
    for admin in admins:
        queue_mail(
            "submissions_waiting",
            recipient=admin.email,
            recipient_user_id=admin.id,
            locale=admin.locale,
            context={
                "name": admin.name,
                "count": len(waiting),
                "submissions": _listed(waiting, admin),
                "link": queue_link,
            },
            idempotency_key=f"submissions-waiting:{admin.id}:{newest}",
            now=now,
        )
    db.session.execute(
        sa.update(Submission)
        .where(
            Submission.id.in_([s.id for s in waiting]),
            Submission.moderators_notified_dt.is_(None),
        )
        .values(moderators_notified_dt=now)
        .execution_options(synchronize_session=False)
    )
    for submission in waiting:
        db.session.expire(submission)
    logger.info("told %s admins about %s submissions", len(admins), len(waiting))
    return len(admins)
