"""Hosting checklists: copy a protocol level's template into a visit's tasks, and keep them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from app.auth.models import Role, User
from app.core.audit import log_audit
from app.core.db import db
from app.core.timezones import utc_to_local
from app.core.versioning import versioned_change
from app.delegations.models import (
    ChecklistTask,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Delegation,
    DelegationStatus,
    ProtocolLevel,
)
from app.delegations.reminders import plan_reminders


class ChecklistError(ValueError):
    """A checklist change that cannot be made; `code` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        #: "template_exists".
        self.code = code


# --- a visit's tasks ----------------------------------------------------------


def local_arrival_date(delegation: Delegation) -> date:
    """Return the arrival day of the visit in its own zone, the day tasks count back from."""
    return utc_to_local(delegation.arrival_dt, delegation.timezone).date()


def get_template_for_level(level: ProtocolLevel) -> ChecklistTemplate | None:
    """Return the template of a protocol level, or None when there is none."""
    return db.session.scalar(
        sa.select(ChecklistTemplate)
        .where(ChecklistTemplate.protocol_level == level)
        .options(selectinload(ChecklistTemplate.items))
    )


def has_checklist_tasks(delegation: Delegation) -> bool:
    """Return whether the visit has any checklist task."""
    return (
        db.session.scalar(
            sa.select(ChecklistTask.id)
            .where(ChecklistTask.delegation_id == delegation.id)
            .limit(1)
        )
        is not None
    )


def create_checklist_tasks(
    delegation: Delegation, *, now: datetime, actor_id: int | None = None
) -> list[ChecklistTask]:
    """Copy the template of the visit's protocol level into its tasks and return them.

    Due dates count back from the arrival day in the visit's own zone. Nothing
    happens (an empty list comes back) when the visit already has tasks or
    its level has no template. Effects: tasks added and flushed, one audit entry.
    """
    if has_checklist_tasks(delegation):
        return []
    template = get_template_for_level(delegation.protocol_level)
    if template is None or not template.items:
        return []
    arrival_day = local_arrival_date(delegation)
    tasks = [
        ChecklistTask(
            delegation=delegation,
            title=item.title,
            due_date=arrival_day - timedelta(days=item.due_days_before),
            due_days_before=item.due_days_before,
            position=item.position,
        )
        for item in template.items
    ]
    db.session.add_all(tasks)
    db.session.flush()
    log_audit(
        delegation,
        action="checklist_created",
        actor_id=actor_id,
        now=now,
        changes={"checklist_tasks": [0, len(tasks)]},
    )
    return tasks


def reschedule_checklist_tasks(delegation: Delegation) -> None:
    """Move the due dates of open template tasks to follow the visit's arrival day.

    Each task copied from a template keeps its step's offset, so later edits
    to the template change nothing here. Done tasks and tasks added by hand
    keep their dates.
    """
    arrival_day = local_arrival_date(delegation)
    open_tasks = db.session.scalars(
        sa.select(ChecklistTask).where(
            ChecklistTask.delegation_id == delegation.id,
            ChecklistTask.done_dt.is_(None),
            ChecklistTask.due_days_before.is_not(None),
        )
    )
    for task in open_tasks:
        task.due_date = arrival_day - timedelta(days=task.due_days_before or 0)
    db.session.flush()


def list_checklist_tasks(delegation: Delegation) -> list[ChecklistTask]:
    """Return the visit's tasks, earliest due first."""
    return list(
        db.session.scalars(
            sa.select(ChecklistTask)
            .where(ChecklistTask.delegation_id == delegation.id)
            .options(
                selectinload(ChecklistTask.assignee),
                selectinload(ChecklistTask.done_by),
            )
            .order_by(ChecklistTask.due_date, ChecklistTask.position, ChecklistTask.id)
        )
    )


def get_checklist_task(delegation: Delegation, task_id: int) -> ChecklistTask:
    """Return one task of the visit; raise 404 when the visit has no such task."""
    task = db.session.get(ChecklistTask, task_id)
    if task is None or task.delegation_id != delegation.id:
        raise NotFound()
    return task


def list_assignable_users() -> list[User]:
    """Return the active staff users a task may be given to, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.is_active.is_(True),
                User.role.in_([Role.admin, Role.mayors_office]),
            )
            .order_by(User.name, User.id)
        )
    )


def assign_task(
    task: ChecklistTask,
    *,
    assignee: User | None,
    expected_version: int | None,
    actor: User,
    now: datetime,
) -> None:
    """Give the task to `assignee` (None: nobody) and log who did it.

    A task given to `assignee` already stays as it is. Otherwise, when the
    task changed since the page showed `expected_version`, raises
    VersionConflictError (app.core.versioning) and changes nothing.
    """
    old = task.assignee_id
    new = assignee.id if assignee is not None else None
    if old == new:
        return
    with versioned_change(task, expected_version):
        task.assignee = assignee
    log_audit(
        task,
        action="assigned",
        actor_id=actor.id,
        now=now,
        changes={"assignee_id": [old, new]},
    )
    plan_reminders(task.delegation, now=now)


def complete_task(
    task: ChecklistTask, *, expected_version: int | None, actor: User, now: datetime
) -> None:
    """Mark the task done by `actor` at `now`; a done task stays as it was.

    When the task changed since the page showed `expected_version` (someone
    reopened it, or moved it), raises VersionConflictError and changes nothing.
    """
    if task.done_dt is not None:
        return
    with versioned_change(task, expected_version):
        task.done_dt = now
        task.done_by_id = actor.id
    log_audit(task, action="completed", actor_id=actor.id, now=now)
    plan_reminders(task.delegation, now=now)


def reopen_task(
    task: ChecklistTask, *, expected_version: int | None, actor: User, now: datetime
) -> None:
    """Mark a done task as not done again, and log who reopened it.

    When the task changed since the page showed `expected_version`, raises
    VersionConflictError and changes nothing.
    """
    if task.done_dt is None:
        return
    old_by = task.done_by_id
    with versioned_change(task, expected_version):
        task.done_dt = None
        task.done_by_id = None
    log_audit(
        task,
        action="reopened",
        actor_id=actor.id,
        now=now,
        changes={"done_by_id": [old_by, None]},
    )
    plan_reminders(task.delegation, now=now)


def add_task(
    delegation: Delegation,
    *,
    title: str,
    due_date: date,
    assignee: User | None = None,
    actor: User | None = None,
    now: datetime,
) -> ChecklistTask:
    """Add a task by hand to the visit, after its other tasks; return it."""
    last = db.session.scalar(
        sa.select(sa.func.max(ChecklistTask.position)).where(
            ChecklistTask.delegation_id == delegation.id
        )
    )
    task = ChecklistTask(
        delegation=delegation,
        title=title,
        due_date=due_date,
        assignee=assignee,
        position=0 if last is None else last + 1,
    )
    db.session.add(task)
    db.session.flush()
    log_audit(
        task,
        action="created",
        actor_id=actor.id if actor is not None else None,
        now=now,
        changes={"title": [None, title], "due_date": [None, due_date.isoformat()]},
    )
    plan_reminders(delegation, now=now)
    return task


def list_overdue_tasks(*, today: date) -> list[ChecklistTask]:
    """Return the tasks not done and due before `today`, of visits not cancelled."""
    return list(
        db.session.scalars(
            sa.select(ChecklistTask)
            .join(Delegation, ChecklistTask.delegation_id == Delegation.id)
            .where(
                ChecklistTask.done_dt.is_(None),
                ChecklistTask.due_date < today,
                Delegation.status != DelegationStatus.cancelled,
            )
            .options(selectinload(ChecklistTask.assignee))
            .order_by(ChecklistTask.due_date, ChecklistTask.delegation_id)
            .order_by(ChecklistTask.position, ChecklistTask.id)
        )
    )


# --- templates (admin) --------------------------------------------------------


def list_templates() -> dict[ProtocolLevel, ChecklistTemplate | None]:
    """Return every protocol level, highest first, with its template or None."""
    templates = {
        template.protocol_level: template
        for template in db.session.scalars(
            sa.select(ChecklistTemplate).options(selectinload(ChecklistTemplate.items))
        )
    }
    return {level: templates.get(level) for level in ProtocolLevel}


def get_template(template_id: int) -> ChecklistTemplate:
    """Return a template; raise 404 when there is none with this id."""
    template = db.session.get(ChecklistTemplate, template_id)
    if template is None:
        raise NotFound()
    return template


def get_template_item(
    template: ChecklistTemplate, item_id: int
) -> ChecklistTemplateItem:
    """Return one item of the template; raise 404 when it has no such item."""
    item = db.session.get(ChecklistTemplateItem, item_id)
    if item is None or item.template_id != template.id:
        raise NotFound()
    return item


def create_template(*, protocol_level: ProtocolLevel, title: str) -> ChecklistTemplate:
    """Create the (empty) template of a protocol level; a level has at most one."""
    if get_template_for_level(protocol_level) is not None:
        raise ChecklistError("template_exists")
    template = ChecklistTemplate(protocol_level=protocol_level, title=title)
    db.session.add(template)
    db.session.flush()
    return template


def rename_template(template: ChecklistTemplate, *, title: str) -> None:
    """Give the template a new title."""
    template.title = title
    db.session.flush()


def add_template_item(
    template: ChecklistTemplate, *, title: str, due_days_before: int
) -> ChecklistTemplateItem:
    """Add a step at the end of the template; return it."""
    item = ChecklistTemplateItem(
        title=title,
        due_days_before=due_days_before,
        position=max((i.position for i in template.items), default=-1) + 1,
    )
    template.items.append(item)
    db.session.flush()
    return item


def update_template_item(
    item: ChecklistTemplateItem, *, title: str, due_days_before: int
) -> None:
    """Change a step's title and due days (visits that have their tasks keep them)."""
    item.title = title
    item.due_days_before = due_days_before
    db.session.flush()


def remove_template_item(
    template: ChecklistTemplate, item: ChecklistTemplateItem
) -> None:
    """Remove a step from the template (visits that have their tasks keep them)."""
    template.items.remove(item)
    db.session.flush()


def move_template_item(
    template: ChecklistTemplate, item: ChecklistTemplateItem, *, offset: int
) -> None:
    """Move a step up (offset -1) or down (+1) by swapping places with its neighbour.

    Positions are renumbered 0, 1, 2... on the way, so they stay distinct.
    """
    items = sorted(template.items, key=lambda i: (i.position, i.id))
    index = items.index(item)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
