"""Participants of a visit: staff only, importable from CSV, erasable."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.core.access import staff_required
from app.core.conflicts import Conflict
from app.core.db import db, utcnow
from app.core.versioning import VersionConflictError
from app.core.visibility import Audience
from app.delegations.models import Delegation, Participant
from app.delegations.participants.forms import (
    EraseParticipantForm,
    ParticipantForm,
    ParticipantImportForm,
)
from app.delegations.participants.services import (
    HEADER_ALIASES,
    ParticipantData,
    ParticipantImportError,
    RowError,
    add_participant,
    erase_participant,
    get_participant,
    import_participants,
    parse_participants_csv,
    update_participant,
)
from app.delegations.participants.services import (
    list_participants as list_visit_participants,
)
from app.delegations.services import get_visible_delegation

bp = Blueprint("participants", __name__, url_prefix="/visits")


def _delegation(delegation_id: int) -> Delegation:
    return get_visible_delegation(delegation_id, Audience.staff)


def _participant(delegation: Delegation, participant_id: int) -> Participant:
    participant = get_participant(delegation, participant_id)
    if participant is None or participant.erased_dt is not None:
        abort(404)
    return participant


def _form_data(form: ParticipantForm) -> ParticipantData:
    return ParticipantData(
        name=form.name.data,
        title=form.title.data or "",
        organisation=form.organisation.data or "",
        dietary_needs=form.dietary_needs.data or "",
        accessibility_needs=form.accessibility_needs.data or "",
    )


@bp.route("/<int:delegation_id>/participants")
@staff_required
def list_participants(delegation_id: int):
    delegation = _delegation(delegation_id)
    return render_template(
        "delegations/participants/list.html",
        delegation=delegation,
        participants=list_visit_participants(delegation),
        active_tab="participants",
    )


@bp.route("/<int:delegation_id>/participants/new", methods=["GET", "POST"])
@staff_required
def new_participant(delegation_id: int):
    delegation = _delegation(delegation_id)
    form = ParticipantForm()
    if form.validate_on_submit():
        add_participant(delegation, _form_data(form), actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Participant %(name)s added.", name=form.name.data), "success")
        return redirect(
            url_for("participants.list_participants", delegation_id=delegation.id)
        )
    return render_template(
        "delegations/participants/form.html",
        delegation=delegation,
        form=form,
        participant=None,
        active_tab="participants",
    )


@bp.route(
    "/<int:delegation_id>/participants/<int:participant_id>/edit",
    methods=["GET", "POST"],
)
@staff_required
def edit_participant(delegation_id: int, participant_id: int):
    delegation = _delegation(delegation_id)
    participant = _participant(delegation, participant_id)
    form = _loaded_form(participant) if request.method == "GET" else ParticipantForm()
    if not form.validate_on_submit():
        return _edit_page(delegation, participant, form)
    try:
        update_participant(
            participant,
            _form_data(form),
            expected_version=form.loaded_version(),
            actor=current_user,
            now=utcnow(),
        )
        db.session.commit()
    except VersionConflictError:
        db.session.rollback()
        saved = _participant(delegation, participant_id)
        conflict = form.merge_saved(_loaded_form(saved), version=saved.version)
        return _edit_page(delegation, saved, form, conflict=conflict), 409
    flash(_("Changes to %(name)s are saved.", name=participant.name), "success")
    return redirect(
        url_for("participants.list_participants", delegation_id=delegation.id)
    )


def _loaded_form(participant: Participant) -> ParticipantForm:
    """Return the edit form filled from the participant as saved, remembering its version."""
    form = ParticipantForm(formdata=None, obj=participant)
    form.remember_loaded(participant.version)
    return form


def _edit_page(
    delegation: Delegation,
    participant: Participant,
    form: ParticipantForm,
    *,
    conflict: Conflict | None = None,
) -> str:
    return render_template(
        "delegations/participants/form.html",
        delegation=delegation,
        form=form,
        participant=participant,
        conflict=conflict,
        active_tab="participants",
    )


@bp.route(
    "/<int:delegation_id>/participants/<int:participant_id>/erase",
    methods=["GET", "POST"],
)
@staff_required
def erase_participant_page(delegation_id: int, participant_id: int):
    delegation = _delegation(delegation_id)
    participant = _participant(delegation, participant_id)
    form = EraseParticipantForm()
    if form.validate_on_submit():
        erase_participant(participant, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("The participant's personal data is erased."), "success")
        return redirect(
            url_for("participants.list_participants", delegation_id=delegation.id)
        )
    return render_template(
        "delegations/participants/erase.html",
        delegation=delegation,
        participant=participant,
        form=form,
        active_tab="participants",
    )


@bp.route("/<int:delegation_id>/participants/import", methods=["GET", "POST"])
@staff_required
def import_participants_page(delegation_id: int):
    delegation = _delegation(delegation_id)
    form = ParticipantImportForm()
    row_errors: list[RowError] = []
    if form.validate_on_submit():
        try:
            rows, row_errors = parse_participants_csv(form.file.data.read())
        except ParticipantImportError as error:
            form.file.errors = [str(error.message)]
        else:
            if not row_errors:
                import_participants(delegation, rows, actor=current_user, now=utcnow())
                db.session.commit()
                flash(
                    ngettext(
                        "%(num)d participant imported.",
                        "%(num)d participants imported.",
                        len(rows),
                    ),
                    "success",
                )
                return redirect(
                    url_for(
                        "participants.list_participants", delegation_id=delegation.id
                    )
                )
            form.file.errors = [
                _("Nothing was imported. Correct the rows listed below and try again.")
            ]
    status = 422 if form.is_submitted() and (form.errors or row_errors) else 200
    return (
        render_template(
            "delegations/participants/import.html",
            delegation=delegation,
            form=form,
            row_errors=row_errors,
            english_headers=[k for k, v in HEADER_ALIASES.items() if k == v],
            active_tab="participants",
        ),
        status,
    )
