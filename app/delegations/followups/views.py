"""After-visit follow-up (etterbruk)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.core.access import staff_required
from app.core.conflicts import Conflict, commit_unless_stale
from app.core.db import db, utcnow
from app.core.timezones import utc_to_local
from app.core.versioning import VersionConflictError
from app.core.visibility import Audience
from app.delegations.followups.forms import (
    STATUS_LABELS,
    FollowUpForm,
    FollowUpStatusForm,
)
from app.delegations.followups.services import (
    CLOSED_STATUSES,
    FollowUpData,
    add_followup,
    get_followup,
    is_overdue,
    list_possible_owners,
    set_followup_status,
    update_followup,
)
from app.delegations.followups.services import (
    list_followups as list_visit_followups,
)
from app.delegations.models import Delegation, FollowUp, FollowUpStatus
from app.delegations.services import get_visible_delegation

bp = Blueprint("followups", __name__, url_prefix="/visits")


def _delegation(delegation_id: int) -> Delegation:
    return get_visible_delegation(delegation_id, Audience.staff)


def _followup(delegation: Delegation, followup_id: int) -> FollowUp:
    return get_followup(delegation, followup_id) or abort(404)


def _form(obj: FollowUp | None = None, *, saved: bool = False) -> FollowUpForm:
    """Return the form as posted, or filled from `obj` on a GET (or when `saved`)."""
    from_obj = obj is not None and (saved or request.method == "GET")
    form = FollowUpForm(formdata=None, obj=obj) if from_obj else FollowUpForm()
    form.owner_id.choices = [SelectChoice(0, _("Nobody yet"))] + [
        SelectChoice(user.id, user.name) for user in list_possible_owners()
    ]
    if obj is not None and from_obj:
        form.owner_id.data = obj.owner_id or 0
        form.status.data = obj.status.value
        form.remember_loaded(obj.version)
    return form


def _form_data(form: FollowUpForm) -> FollowUpData:
    return FollowUpData(
        title=form.title.data,
        owner_id=form.owner_id.data or None,
        deadline=form.deadline.data,
        status=FollowUpStatus(form.status.data),
        notes=form.notes.data or "",
    )


def _back(delegation: Delegation):
    return redirect(url_for("followups.list_followups", delegation_id=delegation.id))


@bp.route("/<int:delegation_id>/follow-up")
@staff_required
def list_followups(delegation_id: int):
    delegation = _delegation(delegation_id)
    today = utc_to_local(utcnow(), current_app.config["TIMEZONE"]).date()
    followups = list_visit_followups(delegation)
    return render_template(
        "delegations/followups/list.html",
        delegation=delegation,
        followups=followups,
        overdue={f.id for f in followups if is_overdue(f, today=today)},
        closed_statuses=CLOSED_STATUSES,
        status_labels=STATUS_LABELS,
        status_form=FollowUpStatusForm(),
        active_tab="followups",
    )


@bp.route("/<int:delegation_id>/follow-up/new", methods=["GET", "POST"])
@staff_required
def new_followup(delegation_id: int):
    delegation = _delegation(delegation_id)
    form = _form()
    if form.validate_on_submit():
        add_followup(delegation, _form_data(form), actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Follow-up item added."), "success")
        return _back(delegation)
    return render_template(
        "delegations/followups/form.html",
        delegation=delegation,
        form=form,
        followup=None,
        active_tab="followups",
    )


@bp.route(
    "/<int:delegation_id>/follow-up/<int:followup_id>/edit", methods=["GET", "POST"]
)
@staff_required
def edit_followup(delegation_id: int, followup_id: int):
    delegation = _delegation(delegation_id)
    followup = _followup(delegation, followup_id)
    form = _form(followup)
    if not form.validate_on_submit():
        return _edit_page(delegation, followup, form)
    try:
        update_followup(
            followup,
            _form_data(form),
            expected_version=form.loaded_version(),
            actor=current_user,
            now=utcnow(),
        )
        db.session.commit()
    except VersionConflictError:
        db.session.rollback()
        saved = _followup(delegation, followup_id)
        conflict = form.merge_saved(_form(saved, saved=True), version=saved.version)
        return _edit_page(delegation, saved, form, conflict=conflict), 409
    flash(_("Follow-up item saved."), "success")
    return _back(delegation)


def _edit_page(
    delegation: Delegation,
    followup: FollowUp,
    form: FollowUpForm,
    *,
    conflict: Conflict | None = None,
) -> str:
    return render_template(
        "delegations/followups/form.html",
        delegation=delegation,
        form=form,
        followup=followup,
        conflict=conflict,
        active_tab="followups",
    )


@bp.route("/<int:delegation_id>/follow-up/<int:followup_id>/status", methods=["POST"])
@staff_required
def change_followup_status(delegation_id: int, followup_id: int):
    delegation = _delegation(delegation_id)
    followup = _followup(delegation, followup_id)
    form = FollowUpStatusForm()
    if not form.validate_on_submit():
        flash(_("The status could not be changed. Try again."), "error")
        return _back(delegation)
    status = FollowUpStatus(form.status.data)
    if not commit_unless_stale(
        lambda: set_followup_status(
            followup,
            status,
            expected_version=form.loaded_version(),
            actor=current_user,
            now=utcnow(),
        )
    ):
        return _back(delegation)
    flash(
        _(
            "“%(title)s” is now %(status)s.",
            title=followup.title,
            status=str(STATUS_LABELS[status]).lower(),
        ),
        "success",
    )
    return _back(delegation)
