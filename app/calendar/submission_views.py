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
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from app.calendar.models import SubmissionState
from app.calendar.submission_forms import MAX_EMAIL, SubmissionForm
from app.calendar.submissions import (
    AddressLimitError,
    ConfirmOutcome,
    SubmissionData,
    confirm_submission,
    confirmation_lifetime,
    create_submission,
    known_places,
)
from app.core.db import db, utcnow
from app.core.i18n import (
    format_local_datetime,
    select_language,
    select_locale,
    select_timezone,
)
from app.core.visibility import audience_for
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
#: Session key of where the last proposal's mail went (and its event, if
#: published), for the thanks page: kept out of its URL, which logs and
#: browser histories keep.
_SENT = "submission_sent"

ADDRESS_LIMIT = _l(
    "We take at most %(limit)d proposed events from one e-mail address in %(hours)d hours, and this address has reached that. You can send this one from %(time)s; everything you typed is kept."
)


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
    if request.method == "GET":
        session.pop(_SENT, None)  # the last thanks page is done with
    if request.method == "POST" and form.is_robot:
        # Pretend all went well: a robot learns nothing, and nothing is stored or sent.
        logger.info("submission honeypot filled; dropped")
        typed = member.email if member else form.submitter_email.data or ""
        _remember_sent(typed[:MAX_EMAIL], event_id=None)
        return redirect(url_for("submissions.submitted", outcome="unconfirmed"))
    if not form.validate_on_submit():
        return _form_page(form, member)
    try:
        submission, _token = create_submission(
            _data_from(form, member),
            submitter_user=member,
            locale=select_language(),
            now=utcnow(),
        )
    except AddressLimitError as full:
        message = str(ADDRESS_LIMIT) % {
            "limit": full.limit,
            "hours": full.hours,
            "time": format_local_datetime(
                full.retry_at, select_timezone(), locale=select_locale()
            ),
        }
        form.submitter_email.errors = [*form.submitter_email.errors, message]
        return _form_page(form, member)
    db.session.commit()
    _remember_sent(submission.submitter_email, event_id=submission.event_id)
    return redirect(url_for("submissions.submitted", outcome=submission.state.value))


@bp.route("/submit/thanks")
def submitted() -> str:
    outcome = request.args.get("outcome", "")
    if outcome not in _OUTCOMES:
        outcome = SubmissionState.unconfirmed.value
    sent = session.get(_SENT)
    if not isinstance(sent, dict):
        sent = {}
    g.no_store = True  # it names an e-mail address
    return render_template(
        "calendar/submitted.html",
        outcome=outcome,
        email=sent.get("email") or "",
        event_id=sent.get("event_id") if outcome == "approved" else None,
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


def _form_page(form: SubmissionForm, member: Any) -> str:
    """Render the form as typed, with its errors and the places to suggest."""
    return render_template(
        "calendar/submit.html",
        form=form,
        member=member,
        places=known_places(audience_for(member), now=utcnow()),
    )


def _remember_sent(email: str, *, event_id: int | None) -> None:
    """Keep where the mail went for the thanks page, in the signed session."""
    session[_SENT] = {"email": email, "event_id": event_id}


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
