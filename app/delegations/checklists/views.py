"""Hosting checklists: templates per protocol level and each visit's tasks."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import User
from app.core.access import admin_required, staff_required
from app.core.conflicts import commit_unless_stale
from app.core.db import db, utcnow
from app.core.forms import FlaskForm
from app.core.timezones import utc_to_local
from app.core.visibility import audience_for
from app.delegations.checklists import services
from app.delegations.checklists.forms import (
    PROTOCOL_LEVEL_LABELS,
    AddTaskForm,
    AssignTaskForm,
    TaskActionForm,
    TemplateForm,
    TemplateItemForm,
    user_choices,
)
from app.delegations.models import Delegation, ProtocolLevel
from app.delegations.services import get_visible_delegation

bp = Blueprint("checklists", __name__)

# Routes of this blueprint:
#   GET  /visits/<id>/checklist                          show_checklist
#   POST /visits/<id>/checklist/from-template            create_tasks
#   POST /visits/<id>/checklist/tasks                    add_task
#   POST /visits/<id>/checklist/tasks/<tid>/done         complete_task
#   POST /visits/<id>/checklist/tasks/<tid>/reopen       reopen_task
#   POST /visits/<id>/checklist/tasks/<tid>/assign       assign_task
#   GET  /admin/checklists/                              list_templates
#   GET/POST /admin/checklists/new/<level>               new_template
#   GET/POST /admin/checklists/<tid>                     edit_template
#   POST /admin/checklists/<tid>/items                   add_item
#   GET/POST /admin/checklists/<tid>/items/<iid>/edit    edit_item
#   POST /admin/checklists/<tid>/items/<iid>/delete      delete_item
#   POST /admin/checklists/<tid>/items/<iid>/move        move_item


def _delegation(delegation_id: int) -> Delegation:
    return get_visible_delegation(delegation_id, audience_for(current_user))


def _viewer_today():
    return utc_to_local(utcnow(), str(get_timezone())).date()


def _render_checklist(
    delegation: Delegation, add_form: AddTaskForm | None = None, status: int = 200
):
    users = services.list_assignable_users()
    if add_form is None:
        add_form = AddTaskForm()
        add_form.assignee_id.choices = user_choices(users)
    return render_template(
        "delegations/checklists/show.html",
        delegation=delegation,
        active_tab="checklist",
        tasks=services.list_checklist_tasks(delegation),
        users=users,
        today=_viewer_today(),
        arrival_day=services.local_arrival_date(delegation),
        add_form=add_form,
        action_form=FlaskForm(),
        template=services.get_template_for_level(delegation.protocol_level),
        level_label=PROTOCOL_LEVEL_LABELS[delegation.protocol_level],
    ), status


def _back(delegation: Delegation, task_id: int | None = None):
    anchor = f"task-{task_id}" if task_id else None
    return redirect(
        url_for(
            "checklists.show_checklist", delegation_id=delegation.id, _anchor=anchor
        )
    )


def _require_valid_post() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route("/visits/<int:delegation_id>/checklist")
@staff_required
def show_checklist(delegation_id: int):
    return _render_checklist(_delegation(delegation_id))


@bp.route("/visits/<int:delegation_id>/checklist/from-template", methods=["POST"])
@staff_required
def create_tasks(delegation_id: int):
    delegation = _delegation(delegation_id)
    _require_valid_post()
    tasks = services.create_checklist_tasks(
        delegation, now=utcnow(), actor_id=current_user.id
    )
    db.session.commit()
    if tasks:
        flash(_("%(num)d tasks created from the template.", num=len(tasks)), "success")
    else:
        flash(_("No tasks were created: the visit has tasks or no template."), "info")
    return _back(delegation)


@bp.route("/visits/<int:delegation_id>/checklist/tasks", methods=["POST"])
@staff_required
def add_task(delegation_id: int):
    delegation = _delegation(delegation_id)
    form = AddTaskForm()
    users = services.list_assignable_users()
    form.assignee_id.choices = user_choices(users)
    if not form.validate_on_submit():
        return _render_checklist(delegation, add_form=form, status=422)
    task = services.add_task(
        delegation,
        title=form.title.data,
        due_date=form.due_date.data,
        assignee=db.session.get(User, form.assignee_id.data)
        if form.assignee_id.data
        else None,
        actor=current_user,
        now=utcnow(),
    )
    db.session.commit()
    flash(_("Task added."), "success")
    return _back(delegation, task.id)


@bp.route(
    "/visits/<int:delegation_id>/checklist/tasks/<int:task_id>/done", methods=["POST"]
)
@staff_required
def complete_task(delegation_id: int, task_id: int):
    return _tick(delegation_id, task_id, services.complete_task)


@bp.route(
    "/visits/<int:delegation_id>/checklist/tasks/<int:task_id>/reopen",
    methods=["POST"],
)
@staff_required
def reopen_task(delegation_id: int, task_id: int):
    return _tick(delegation_id, task_id, services.reopen_task)


def _tick(delegation_id: int, task_id: int, change: Callable[..., None]):
    """Tick a task off or untick it, unless it changed since the page showed it."""
    delegation = _delegation(delegation_id)
    task = services.get_checklist_task(delegation, task_id)
    form = TaskActionForm()
    if not form.validate_on_submit():
        abort(400)
    commit_unless_stale(
        lambda: change(
            task,
            expected_version=form.loaded_version(),
            actor=current_user,
            now=utcnow(),
        )
    )
    return _back(delegation, task_id)


@bp.route(
    "/visits/<int:delegation_id>/checklist/tasks/<int:task_id>/assign",
    methods=["POST"],
)
@staff_required
def assign_task(delegation_id: int, task_id: int):
    delegation = _delegation(delegation_id)
    task = services.get_checklist_task(delegation, task_id)
    form = AssignTaskForm()
    form.assignee_id.choices = user_choices(services.list_assignable_users())
    if not form.validate_on_submit():
        flash(_("Choose one of the options in the list."), "error")
        return _back(delegation, task.id)
    assignee = (
        db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
    )
    saved = commit_unless_stale(
        lambda: services.assign_task(
            task,
            assignee=assignee,
            expected_version=form.loaded_version(),
            actor=current_user,
            now=utcnow(),
        )
    )
    if saved:
        flash(_("Task assignment saved."), "success")
    return _back(delegation, task_id)


# --- template editor (admins) -------------------------------------------------


@bp.route("/admin/checklists/")
@admin_required
def list_templates():
    return render_template(
        "delegations/checklists/templates.html",
        templates=services.list_templates(),
        level_labels=PROTOCOL_LEVEL_LABELS,
    )


@bp.route("/admin/checklists/new/<level>", methods=["GET", "POST"])
@admin_required
def new_template(level: str):
    try:
        protocol_level = ProtocolLevel(level)
    except ValueError:
        abort(404)
    existing = services.get_template_for_level(protocol_level)
    if existing is not None:
        return redirect(url_for("checklists.edit_template", template_id=existing.id))
    form = TemplateForm()
    if request.method == "GET":
        form.title.data = str(PROTOCOL_LEVEL_LABELS[protocol_level])
    if form.validate_on_submit():
        template = services.create_template(
            protocol_level=protocol_level, title=form.title.data
        )
        db.session.commit()
        flash(_("Template created. Add its steps below."), "success")
        return redirect(url_for("checklists.edit_template", template_id=template.id))
    return render_template(
        "delegations/checklists/new_template.html",
        form=form,
        level_label=PROTOCOL_LEVEL_LABELS[protocol_level],
    ), 422 if form.errors else 200


def _render_template_editor(template, *, title_form=None, item_form=None, status=200):
    if title_form is None:
        title_form = TemplateForm(formdata=None, obj=template)
    return render_template(
        "delegations/checklists/edit_template.html",
        template=template,
        items=sorted(template.items, key=lambda i: (i.position, i.id)),
        title_form=title_form,
        item_form=item_form or TemplateItemForm(formdata=None),
        action_form=FlaskForm(),
        level_label=PROTOCOL_LEVEL_LABELS[template.protocol_level],
    ), status


@bp.route("/admin/checklists/<int:template_id>", methods=["GET", "POST"])
@admin_required
def edit_template(template_id: int):
    template = services.get_template(template_id)
    if request.method == "GET":
        return _render_template_editor(template)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _render_template_editor(template, title_form=form, status=422)
    services.rename_template(template, title=form.title.data)
    db.session.commit()
    flash(_("Title saved."), "success")
    return redirect(url_for("checklists.edit_template", template_id=template.id))


@bp.route("/admin/checklists/<int:template_id>/items", methods=["POST"])
@admin_required
def add_item(template_id: int):
    template = services.get_template(template_id)
    form = TemplateItemForm()
    if not form.validate_on_submit():
        return _render_template_editor(template, item_form=form, status=422)
    services.add_template_item(
        template, title=form.title.data, due_days_before=form.due_days_before.data
    )
    db.session.commit()
    flash(_("Step added."), "success")
    return redirect(url_for("checklists.edit_template", template_id=template.id))


@bp.route(
    "/admin/checklists/<int:template_id>/items/<int:item_id>/edit",
    methods=["GET", "POST"],
)
@admin_required
def edit_item(template_id: int, item_id: int):
    template = services.get_template(template_id)
    item = services.get_template_item(template, item_id)
    form = TemplateItemForm(obj=item)
    if form.validate_on_submit():
        services.update_template_item(
            item, title=form.title.data, due_days_before=form.due_days_before.data
        )
        db.session.commit()
        flash(_("Step saved."), "success")
        return redirect(url_for("checklists.edit_template", template_id=template.id))
    return render_template(
        "delegations/checklists/edit_item.html",
        template=template,
        item=item,
        form=form,
        level_label=PROTOCOL_LEVEL_LABELS[template.protocol_level],
    ), 422 if form.errors else 200


@bp.route(
    "/admin/checklists/<int:template_id>/items/<int:item_id>/delete", methods=["POST"]
)
@admin_required
def delete_item(template_id: int, item_id: int):
    template = services.get_template(template_id)
    item = services.get_template_item(template, item_id)
    _require_valid_post()
    services.remove_template_item(template, item)
    db.session.commit()
    flash(_("Step removed."), "success")
    return redirect(url_for("checklists.edit_template", template_id=template.id))


@bp.route(
    "/admin/checklists/<int:template_id>/items/<int:item_id>/move", methods=["POST"]
)
@admin_required
def move_item(template_id: int, item_id: int):
    template = services.get_template(template_id)
    item = services.get_template_item(template, item_id)
    _require_valid_post()
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    services.move_template_item(template, item, offset=offset)
    db.session.commit()
    return redirect(
        url_for(
            "checklists.edit_template",
            template_id=template.id,
            _anchor=f"item-{item.id}",
        )
    )
