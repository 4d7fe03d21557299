"""Reminders: planned per recipient, re-planned on every change, queued into the outbox when due.

`plan_reminders(delegation)` makes the visit's unsent reminder rows match what
its data asks for now: a visit that moves moves its reminders, a cancelled one
loses them, a task marked done loses its own. Services call it in the
transaction of the change. The scheduler's minute tick, `queue_due_reminders`,
checks each due row against the same plan once more before it writes the
mail, so a row a forgotten re-plan left behind is dropped, not sent.

Reminders are due at 08:00 on the recipient's own clock, on the day that is
the rule's number of days before the visit's arrival date (the date where
the visit happens) or before a task's due date.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date, format_skeleton
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.auth.services import mail_settings_changed, public_link
from app.auth.unsubscribe import MailKind, unsubscribe_url
from app.core.db import db
from app.core.i18n import babel_locale, format_local_datetime
from app.core.timezones import utc_to_local
from app.core.visibility import audience_for, can_see
from app.delegations.models import (
    ARRIVAL_RULES,
    ChecklistTask,
    Delegation,
    DelegationStatus,
    FollowUp,
    FollowUpStatus,
    Reminder,
    ReminderRule,
)
from app.directory.models import Organisation
from app.outbox.services import queue_mail

logger = logging.getLogger(__name__)

#: Wall-clock time, in the recipient's zone, at which reminders are due.
REMINDER_TIME = time(8, 0)

#: Visit statuses whose checklist tasks are still being worked on.
_PREPARING = frozenset({DelegationStatus.tentative, DelegationStatus.confirmed})


@dataclass(frozen=True)
class PlannedReminder:
    """What one reminder row holds: its identity is the whole tuple."""

    rule: ReminderRule
    object_key: str
    recipient_user_id: int
    due_dt: datetime


def _key(row: Reminder) -> PlannedReminder:
    return PlannedReminder(row.rule, row.object_key, row.recipient_user_id, row.due_dt)


def morning_before(day: date, days: int, zone: str) -> datetime:
    """Return 08:00 on the clock of `zone`, `days` days before `day`, as a UTC instant."""
    local = datetime.combine(day - timedelta(days=days), REMINDER_TIME)
    # 08:00 exists exactly once in every zone's day: DST changes happen at night.
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def arrival_recipients(delegation: Delegation) -> list[User]:
    """Return the visit's hosts: its contact point and the people of its co-host organisations.

    Only active users who may see the visit, each once, in a stable order.
    """
    people: dict[int, User] = {}
    if delegation.host_contact is not None:
        people[delegation.host_contact.id] = delegation.host_contact
    co_host_ids = [organisation.id for organisation in delegation.co_hosts]
    if co_host_ids:
        for user in db.session.scalars(
            sa.select(User).where(User.organisation_id.in_(co_host_ids))
        ):
            people.setdefault(user.id, user)
    return sorted(
        (
            user
            for user in people.values()
            if user.is_active and can_see(delegation, audience_for(user))
        ),
        key=lambda user: user.id,
    )


def _task_owner(owner: User | None, delegation: Delegation) -> User | None:
    """Return who is reminded of a task: its assignee, else the visit's contact point."""
    user = owner or delegation.host_contact
    if user is None or not user.is_active or not user.wants_task_reminders:
        return None
    return user


def _open_tasks(delegation: Delegation) -> list[ChecklistTask]:
    return list(
        db.session.scalars(
            sa.select(ChecklistTask)
            .where(
                ChecklistTask.delegation_id == delegation.id,
                ChecklistTask.done_dt.is_(None),
            )
            .options(selectinload(ChecklistTask.assignee))
        )
    )


def _open_follow_ups(delegation: Delegation) -> list[FollowUp]:
    return list(
        db.session.scalars(
            sa.select(FollowUp)
            .where(
                FollowUp.delegation_id == delegation.id,
                FollowUp.status == FollowUpStatus.open,
                FollowUp.deadline.is_not(None),
            )
            .options(selectinload(FollowUp.owner))
        )
    )


def desired_reminders(delegation: Delegation) -> set[PlannedReminder]:
    """Return every reminder the visit's data asks for, past or future."""
    planned: set[PlannedReminder] = set()
    status = delegation.status
    if status is DelegationStatus.confirmed:
        arrival_day = utc_to_local(delegation.arrival_dt, delegation.timezone).date()
        for user in arrival_recipients(delegation):
            for days in user.arrival_reminder_days:
                rule = ARRIVAL_RULES.get(days)
                if rule is not None:
                    planned.add(
                        PlannedReminder(
                            rule,
                            f"delegation:{delegation.id}",
                            user.id,
                            morning_before(arrival_day, days, user.timezone),
                        )
                    )
    if status in _PREPARING:
        for task in _open_tasks(delegation):
            owner = _task_owner(task.assignee, delegation)
            if owner is not None:
                planned.add(
                    PlannedReminder(
                        ReminderRule.task_due,
                        f"task:{task.id}",
                        owner.id,
                        morning_before(task.due_date, 1, owner.timezone),
                    )
                )
    if status is not DelegationStatus.cancelled:
        for follow_up in _open_follow_ups(delegation):
            owner = _task_owner(follow_up.owner, delegation)
            if owner is not None and follow_up.deadline is not None:
                planned.add(
                    PlannedReminder(
                        ReminderRule.follow_up_due,
                        f"follow_up:{follow_up.id}",
                        owner.id,
                        morning_before(follow_up.deadline, 1, owner.timezone),
                    )
                )
    return planned


def plan_reminders(delegation: Delegation, *, now: datetime) -> None:
    """Make the visit's unsent reminders match its data; call after a change, before commit.

    Effects: deletes unsent rows the data no longer asks for (the visit moved
    or was cancelled, the task is done, the user chose otherwise) and adds the
    missing ones that are still ahead of `now`. Sent rows are history: they are
    never deleted, and a reminder they already cover is not planned again.
    """
    db.session.flush()
    desired = desired_reminders(delegation)
    existing = {
        _key(row): row
        for row in db.session.scalars(
            sa.select(Reminder).where(Reminder.delegation_id == delegation.id)
        )
    }
    _delete_unqueued(
        row.id
        for key, row in existing.items()
        if row.queued_dt is None and key not in desired
    )
    for key in sorted(desired - existing.keys(), key=lambda k: k.due_dt):
        if key.due_dt > now:
            db.session.add(
                Reminder(
                    rule=key.rule,
                    delegation_id=delegation.id,
                    object_key=key.object_key,
                    recipient_user_id=key.recipient_user_id,
                    due_dt=key.due_dt,
                )
            )
    db.session.flush()


def plan_reminders_for_user(user: User, *, now: datetime) -> None:
    """Re-plan every visit where `user` may be reminded, after their choices or zone changed."""
    organisation = user.organisation_id
    visits = sa.select(Delegation).where(
        Delegation.status != DelegationStatus.cancelled,
        sa.or_(
            Delegation.host_contact_id == user.id,
            Delegation.co_hosts.any(Organisation.id == organisation)
            if organisation is not None
            else sa.false(),
            Delegation.id.in_(
                sa.select(ChecklistTask.delegation_id).where(
                    ChecklistTask.assignee_id == user.id,
                    ChecklistTask.done_dt.is_(None),
                )
            ),
            Delegation.id.in_(
                sa.select(FollowUp.delegation_id).where(
                    FollowUp.owner_id == user.id,
                    FollowUp.status == FollowUpStatus.open,
                )
            ),
            Delegation.id.in_(
                sa.select(Reminder.delegation_id).where(
                    Reminder.recipient_user_id == user.id,
                    Reminder.queued_dt.is_(None),
                )
            ),
        ),
    )
    for delegation in db.session.scalars(visits).all():
        plan_reminders(delegation, now=now)


def list_planned_reminders(delegation: Delegation) -> list[Reminder]:
    """Return the visit's reminders, sent and planned, in time order."""
    return list(
        db.session.scalars(
            sa.select(Reminder)
            .where(Reminder.delegation_id == delegation.id)
            .order_by(Reminder.due_dt, Reminder.id)
        )
    )


@mail_settings_changed.connect
def _replan_for_user(user: User, *, now: datetime, **_: object) -> None:
    """Re-plan a user's reminders when accounts say their settings changed."""
    plan_reminders_for_user(user, now=now)


def list_user_reminders(
    user_id: int, *, now: datetime, limit: int
) -> list[tuple[Reminder, Delegation]]:
    """Return the user's next planned reminders with their visits, soonest first."""
    rows = db.session.execute(
        sa.select(Reminder, Delegation)
        .join(Delegation, Delegation.id == Reminder.delegation_id)
        .where(
            Reminder.recipient_user_id == user_id,
            Reminder.queued_dt.is_(None),
            Reminder.due_dt > now,
        )
        .order_by(Reminder.due_dt, Reminder.id)
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


# --- the minute tick -----------------------------------------------------------


def _claim(row: Reminder, now: datetime) -> bool:
    """Mark a due row queued unless another sender did; True if this one won."""
    result = db.session.execute(
        sa.update(Reminder)
        .where(Reminder.id == row.id, Reminder.queued_dt.is_(None))
        .values(queued_dt=now)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def _still_ahead(row: Reminder, delegation: Delegation, now: datetime) -> bool:
    """Return whether what the reminder announces has not happened yet."""
    if row.rule in ARRIVAL_RULES.values():
        return delegation.arrival_dt > now
    # A task or follow-up is due on a day; its reminder is worth sending
    # until that day has begun on the recipient's clock.
    return row.due_dt + timedelta(days=1) > now


def queue_due_reminders(*, now: datetime, limit: int = 500) -> int:
    """Turn due reminder rows into outbox mails; return how many were queued. Never commits.

    Each due row is checked against its visit's plan as it stands now: a row
    the plan no longer has, or whose moment has passed, is deleted instead.
    Two schedulers running this at once queue each reminder once: the row is
    claimed by a conditional UPDATE, and the outbox key is unique besides.
    """
    due = list(
        db.session.scalars(
            sa.select(Reminder)
            .where(Reminder.queued_dt.is_(None), Reminder.due_dt <= now)
            .order_by(Reminder.due_dt, Reminder.id)
            .limit(limit)
        )
    )
    queued = 0
    for delegation_id, rows in _by_delegation(due):
        delegation = db.session.get(Delegation, delegation_id)
        if delegation is None:
            continue
        desired = desired_reminders(delegation)
        stale = [
            row
            for row in rows
            if _key(row) not in desired or not _still_ahead(row, delegation, now)
        ]
        _delete_unqueued(row.id for row in stale)
        for row in rows:
            if row in stale or not _claim(row, now):
                continue
            mail_id = _queue_reminder_mail(row, delegation, now=now)
            db.session.execute(
                sa.update(Reminder)
                .where(Reminder.id == row.id)
                .values(outbox_mail_id=mail_id)
                .execution_options(synchronize_session=False)
            )
            queued += 1
    db.session.flush()
    if queued:
        logger.info("queued %s reminders", queued)
    return queued


def _delete_unqueued(ids: Iterable[int]) -> None:
    """Delete these reminder rows unless a sender has queued them meanwhile."""
    wanted = list(ids)
    if wanted:
        db.session.execute(
            sa.delete(Reminder)
            .where(Reminder.id.in_(wanted), Reminder.queued_dt.is_(None))
            # "fetch": the session forgets the deleted rows, so a new row that
            # gets a reused id (SQLite) is not mistaken for one of them.
            .execution_options(synchronize_session="fetch")
        )


def _by_delegation(rows: Iterable[Reminder]) -> Iterator[tuple[int, list[Reminder]]]:
    groups: dict[int, list[Reminder]] = {}
    for row in rows:
        groups.setdefault(row.delegation_id, []).append(row)
    yield from groups.items()


def _subject_of(row: Reminder) -> tuple[ChecklistTask | FollowUp | None, str]:
    """Return the task or follow-up a reminder is about, and the template to use."""
    kind, _, raw_id = row.object_key.partition(":")
    if kind == "task":
        return db.session.get(ChecklistTask, int(raw_id)), "task_reminder"
    if kind == "follow_up":
        return db.session.get(FollowUp, int(raw_id)), "task_reminder"
    return None, "visit_reminder"


def _queue_reminder_mail(
    row: Reminder, delegation: Delegation, *, now: datetime
) -> int:
    user = db.session.get_one(User, row.recipient_user_id)  # the key cascades
    thing, template = _subject_of(row)
    locale = babel_locale(user.locale)
    is_arrival = row.rule in ARRIVAL_RULES.values()
    context: dict[str, object] = {
        "user": user,
        "delegation": delegation,
        "days": row.rule.days_before,
        "arrival": format_local_datetime(
            delegation.arrival_dt, user.timezone, locale=locale
        ),
        "arrival_day": format_skeleton(
            "MMMMd",
            utc_to_local(delegation.arrival_dt, user.timezone),
            locale=locale,
        ),
        "zone": user.timezone,
        "link": public_link(
            "delegations.show_delegation", delegation_id=str(delegation.id)
        ),
        "preferences_link": public_link("notifications.preferences"),
    }
    if is_arrival:
        open_tasks = _open_tasks(delegation)
        context["open_tasks"] = sorted(open_tasks, key=lambda t: (t.due_date, t.id))
        kind = MailKind.arrival_reminders
    else:
        context["task"] = thing
        context["is_follow_up"] = isinstance(thing, FollowUp)
        due_day = (
            thing.deadline
            if isinstance(thing, FollowUp)
            else cast(ChecklistTask, thing).due_date
        )
        context["due_day"] = format_date(due_day, "full", locale=locale)
        kind = MailKind.task_reminders
    mail = queue_mail(
        template,
        recipient=user.email,
        recipient_user_id=user.id,
        locale=user.locale,
        context=context,
        idempotency_key=(
            f"reminder:{row.rule.value}:{row.object_key}:{user.id}:"
            f"{row.due_dt:%Y%m%dT%H%M}"
        ),
        now=now,
        list_unsubscribe=unsubscribe_url(user, kind),
    )
    return mail.id
