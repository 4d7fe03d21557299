"""Members' interest in joining a visit or meeting a delegation, and the host's answer."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.access import staff_required
from app.core.db import db, utcnow
from app.delegations.interests.forms import (
    STATE_LABELS,
    DecideInterestForm,
    InterestRequestForm,
    WithdrawInterestForm,
)
from app.delegations.interests.services import (
    InterestError,
    decide_interest,
    get_interest,
    get_member_interest,
    kind_for,
    request_interest,
    withdraw_interest,
)
from app.delegations.interests.services import (
    list_interests as list_visit_interests,
)
from app.delegations.models import Delegation, InterestState
from app.delegations.services import get_visible_delegation

bp = Blueprint("interests", __name__, url_prefix="/visits")

ERROR_MESSAGES = {
    "not_member": lambda: _("Only forum members can send a request."),
    "exists": lambda: _("You have already sent a request about this visit."),
    "not_yours": lambda: _("This is not your request."),
    "decided": lambda: _("The host has already answered this request."),
    "invalid_transition": lambda: _("This request already has that answer."),
}


def _delegation(delegation_id: int) -> Delegation:
    return get_visible_delegation(delegation_id, current_user.audience)


def _back(delegation: Delegation):
    return redirect(url_for("interests.list_interests", delegation_id=delegation.id))


def _page(delegation: Delegation, *, form: InterestRequestForm | None = None):
    context = {
        "delegation": delegation,
        "active_tab": "interests",
        "kind": kind_for(delegation).value,
        "state_labels": STATE_LABELS,
    }
    if current_user.is_staff:
        context.update(
            interests=list_visit_interests(delegation),
            decide_form=DecideInterestForm(),
        )
    else:
        context.update(
            interest=get_member_interest(delegation, current_user),
            form=form or InterestRequestForm(),
            withdraw_form=WithdrawInterestForm(),
        )
    return render_template("delegations/interests/page.html", **context)


@bp.route("/<int:delegation_id>/interest")
@login_required
def list_interests(delegation_id: int):
    return _page(_delegation(delegation_id))


@bp.route("/<int:delegation_id>/interest", methods=["POST"])
@login_required
def request_interest_page(delegation_id: int):
    delegation = _delegation(delegation_id)
    if current_user.is_staff:
        abort(403)
    form = InterestRequestForm()
    if not form.validate_on_submit():
        return _page(delegation, form=form), 422
    try:
        request_interest(
            delegation, user=current_user, message=form.message.data or "", now=utcnow()
        )
    except InterestError as error:
        flash(ERROR_MESSAGES[error.code](), "error")
        return _back(delegation)
    db.session.commit()
    flash(_("Your request is sent. The host will answer you by e-mail."), "success")
    return _back(delegation)


@bp.route("/<int:delegation_id>/interest/withdraw", methods=["POST"])
@login_required
def withdraw_interest_page(delegation_id: int):
    delegation = _delegation(delegation_id)
    interest = get_member_interest(delegation, current_user)
    form = WithdrawInterestForm()
    if interest is None or not form.validate_on_submit():
        abort(404 if interest is None else 400)
    try:
        withdraw_interest(interest, user=current_user, now=utcnow())
    except InterestError as error:
        flash(ERROR_MESSAGES[error.code](), "error")
        return _back(delegation)
    db.session.commit()
    flash(_("Your request is withdrawn."), "success")
    return _back(delegation)


@bp.route("/<int:delegation_id>/interest/<int:interest_id>/decide", methods=["POST"])
@staff_required
def decide_interest_page(delegation_id: int, interest_id: int):
    delegation = _delegation(delegation_id)
    interest = get_interest(delegation, interest_id) or abort(404)
    form = DecideInterestForm()
    if not form.validate_on_submit():
        abort(400)
    state = InterestState(form.state.data)
    try:
        decide_interest(interest, state=state, actor=current_user, now=utcnow())
    except InterestError as error:
        flash(ERROR_MESSAGES[error.code](), "error")
        return _back(delegation)
    db.session.commit()
    flash(
        _(
            "The request from %(name)s is %(answer)s; they will get an e-mail.",
            name=interest.user.name,
            answer=str(STATE_LABELS[state]).lower(),
        ),
        "success",
    )
    return _back(delegation)
