"""The public submission form, its e-mailed confirmation link and its receipt."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.calendar.models import SubmissionState
from app.calendar.submission_forms import SubmissionForm
from app.calendar.submissions import (
    ConfirmOutcome,
    SubmissionData,
    confirm_submission,
    confirmation_lifetime,
    create_submission,
)
from app.core.db import db, utcnow
from app.core.i18n import select_language
from app.directory.services import (
    initiative_options,
    organisation_options,
)
from app.extensions import limiter

bp = Blueprint("submissions", __name__)
logger = logging.getLogger(__name__)

#: What the thanks page says next, by the state the submission reached.
_OUTCOMES = {
    SubmissionState.unconfirmed.value,
    SubmissionState.pending.value,
    SubmissionState.approved.value,
}


def _submission_limit() -> str:
    return str(current_app.config["SUBMISSION_RATE_LIMIT"])


def _attempt_limit() -> str:
    return str(current_app.config["SUBMISSION_ATTEMPT_RATE_LIMIT"])


def _accepted(response: Response) -> bool:
    """Return whether a post of the form was taken (it goes on to the thanks page).

    Only those count against SUBMISSION_RATE_LIMIT: a partner fixing a typo
    four times is not locked out for an hour.
    """
    return response.status_code == 302


@bp.route("/submit", methods=["GET", "POST"])
@limiter.limit(_submission_limit, methods=["POST"], deduct_when=_accepted)
@limiter.limit(_attempt_limit, methods=["POST"])
def new_submission() -> Any:
    member = current_user if current_user.is_authenticated else None
    form = SubmissionForm(zone=current_app.config["TIMEZONE"], now=utcnow())
    if member is not None:
        del form.submitter_name
        del form.submitter_email
    _fill_choices(form)
    g.no_store = True
    if request.method == "POST" and form.is_robot:
        # Pretend all went well: a robot learns nothing, and nothing is stored or sent.
        logger.info("submission honeypot filled; dropped")
        return redirect(url_for("submissions.submitted", outcome="unconfirmed"))
    if not form.validate_on_submit():
        return render_template("calendar/submit.html", form=form, member=member)
    submission, _token = create_submission(
        _data_from(form, member),
        submitter_user=member,
        locale=select_language(),
        now=utcnow(),
    )
    db.session.commit()
    return redirect(url_for("submissions.submitted", outcome=submission.state.value))


@bp.route("/submit/thanks")
def submitted() -> str:
    outcome = request.args.get("outcome", "")
    if outcome not in _OUTCOMES:
        outcome = SubmissionState.unconfirmed.value
    return render_template(
        "calendar/submitted.html",
        outcome=outcome,
        hours=current_app.config["SUBMISSION_CONFIRM_HOURS"],
    )


@bp.route("/submissions/confirm/<token>", endpoint="confirm_submission")
def confirm_submission_page(token: str) -> Any:
    confirmation = confirm_submission(token, now=utcnow())
    db.session.commit()
    g.no_store = True
    status = 404 if confirmation.outcome is ConfirmOutcome.invalid else 200
    return render_template(
        "calendar/submission_confirmed.html",
        outcome=confirmation.outcome.value,
        submission=confirmation.submission,
        hours=int(confirmation_lifetime().total_seconds() // 3600),
    ), status


def _fill_choices(form: SubmissionForm) -> None:
    form.organiser_id.choices = [
        SelectChoice("0", _("Choose an organisation")),
        *organisation_options(),
    ]
    form.initiative_id.choices = [SelectChoice("0", _("None")), *initiative_options()]


def _data_from(form: SubmissionForm, member: Any) -> SubmissionData:
    if form.start_utc is None or form.end_utc is None:
        raise ValueError("validate() sets both times")
    return SubmissionData(
        title=form.title.data,
        description=form.description.data or "",
        start_dt=form.start_utc,
        end_dt=form.end_utc,
        is_all_day=bool(form.is_all_day.data),
        timezone=form.zone,
        location=form.location.data or "",
        organiser_id=form.organiser_id.data or None,
        organiser_name=form.organiser_name.data or "",
        initiative_id=form.initiative_id.data or None,
        url=form.link.data or "",
        submitter_name=member.name if member else form.submitter_name.data,
        submitter_email=member.email if member else form.submitter_email.data,
    )
