"""The admins' moderation queue of partner submissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from app.calendar.models import Submission, SubmissionState
from app.calendar.moderation import (
    QUEUE_STATES,
    AlreadyDecidedError,
    ModerationError,
    RejectReason,
    approve,
    count_by_state,
    count_pending,
    get_submission,
    list_queue,
    mark_spam,
    reject,
    update_submission,
)
from app.calendar.moderation_forms import (
    ApproveForm,
    RejectForm,
    SpamForm,
    SubmissionEditForm,
)
from app.calendar.similar import flag_similar, similar_events, similar_submissions
from app.calendar.submissions import ProposedEvent
from app.core.access import admin_required
from app.core.db import db, utcnow
from app.core.errors import bad_request_page
from app.core.timezones import utc_to_local
from app.core.visibility import Visibility
from app.directory.services import (
    initiative_options,
    organisation_options,
)

bp = Blueprint("moderation", __name__, url_prefix="/admin/submissions")

#: Far beyond any real queue; a forged page number cannot overflow OFFSET.
MAX_PAGE = 100_000

STATE_LABELS = {
    SubmissionState.unconfirmed: _l("Waiting for e-mail confirmation"),
    SubmissionState.pending: _l("Waiting for a decision"),
    SubmissionState.approved: _l("Approved"),
    SubmissionState.rejected: _l("Rejected"),
    SubmissionState.spam: _l("Spam"),
    SubmissionState.withdrawn: _l("Withdrawn"),
}


@bp.context_processor
def inject_labels() -> dict[str, Any]:
    return {"state_labels": STATE_LABELS}


@bp.app_context_processor
def inject_pending_count() -> dict[str, Any]:
    """Give the header's "Moderation" link the number waiting (admins only: one count)."""
    # Mails render templates outside any request: no viewer, no count.
    if not has_request_context() or not (
        current_user.is_authenticated and current_user.is_admin
    ):
        return {}
    return {"pending_submissions": count_pending()}


@bp.route("")
@admin_required
def queue() -> Any:
    raw_state = request.args.get("state") or SubmissionState.pending.value
    if raw_state != "all" and raw_state not in QUEUE_STATES:
        # A forged or outdated link is not "all": say so instead of listing it.
        return bad_request_page(
            _(
                "“state=%(value)s” is not a state of the queue: use %(choices)s.",
                value=raw_state[:40],
                choices=", ".join([*QUEUE_STATES, "all"]),
            )
        )
    state = SubmissionState(raw_state) if raw_state != "all" else None
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    per_page = current_app.config["PAGE_SIZE"]
    submissions, total = list_queue(state, page=page, per_page=per_page)
    return render_template(
        "calendar/moderation/queue.html",
        submissions=submissions,
        total=total,
        state=state,
        counts=count_by_state(),
        similar=flag_similar(submissions),
        page=page,
        pages=max((total + per_page - 1) // per_page, 1),
    )


@bp.route("/<int:submission_id>")
@admin_required
def show_submission(submission_id: int) -> Any:
    return _show(_submission(submission_id))


@bp.route("/<int:submission_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_submission(submission_id: int) -> Any:
    submission = _submission(submission_id)
    if submission.state is not SubmissionState.pending:
        flash(_decided_message(submission), "error")
        return redirect(_show_url(submission))
    if request.method == "GET":
        form = SubmissionEditForm(formdata=None, **_form_values(submission))
    else:
        form = SubmissionEditForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            update_submission(
                submission, _data_from(form), actor_id=current_user.id, now=utcnow()
            )
        except AlreadyDecidedError as error:
            db.session.rollback()
            flash(_decided_message(error.submission), "error")
            return redirect(_show_url(submission))
        db.session.commit()
        flash(_("Your changes to the submission are saved."), "success")
        return redirect(_show_url(submission))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "calendar/moderation/edit.html", form=form, submission=submission
    ), status


@bp.route("/<int:submission_id>/approve", methods=["POST"])
@admin_required
def approve_submission(submission_id: int) -> Any:
    submission = _submission(submission_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _show(submission, approve_form=form), 422
    try:
        event = approve(
            submission.id,
            visibility=Visibility(form.visibility.data),
            actor_id=current_user.id,
            now=utcnow(),
        )
    except AlreadyDecidedError as error:
        return _lost_race(error)
    db.session.commit()
    # Flask keeps any JSON value as a message; base.html draws this one with its link.
    message = {
        "text": _(
            "“%(title)s” is approved and published in the calendar.", title=event.title
        ),
        "url": url_for("events.show_event", event_id=event.id),
        "label": _("Open the event"),
    }
    flash(cast("str", message), "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/<int:submission_id>/reject", methods=["POST"])
@admin_required
def reject_submission(submission_id: int) -> Any:
    submission = _submission(submission_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _show(submission, reject_form=form), 422
    try:
        reject(
            submission.id,
            reason=RejectReason(form.reason.data),
            note=form.note.data or "",
            actor_id=current_user.id,
            now=utcnow(),
        )
    except AlreadyDecidedError as error:
        return _lost_race(error)
    except ModerationError:
        abort(400)
    db.session.commit()
    flash(
        _(
            "“%(title)s” is rejected; the submitter will get the reason by e-mail.",
            title=submission.title,
        ),
        "success",
    )
    return redirect(url_for("moderation.queue"))


@bp.route("/<int:submission_id>/spam", methods=["POST"])
@admin_required
def mark_submission_spam(submission_id: int) -> Any:
    submission = _submission(submission_id)
    if not SpamForm().validate_on_submit():
        abort(400)
    try:
        mark_spam(submission.id, actor_id=current_user.id, now=utcnow())
    except AlreadyDecidedError as error:
        return _lost_race(error)
    db.session.commit()
    flash(_("“%(title)s” is marked as spam.", title=submission.title), "success")
    return redirect(url_for("moderation.queue"))


def _submission(submission_id: int) -> Submission:
    return get_submission(submission_id) or abort(404)


def _show_url(submission: Submission) -> str:
    return url_for("moderation.show_submission", submission_id=submission.id)


def _show(
    submission: Submission,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
) -> str:
    pending = submission.state is SubmissionState.pending
    return render_template(
        "calendar/moderation/show.html",
        submission=submission,
        similar_events=similar_events(submission) if pending else [],
        similar_submissions=similar_submissions(submission) if pending else [],
        approve_form=approve_form or ApproveForm(),
        reject_form=reject_form or RejectForm(),
        spam_form=SpamForm(),
        local=lambda instant: utc_to_local(instant, submission.timezone),
    )


def _decided_message(submission: Submission) -> str:
    """Say what became of a submission that is no longer waiting for a decision."""
    label = str(STATE_LABELS[submission.state])
    if submission.state in QUEUE_STATES and submission.decided_dt is not None:
        return _(
            "This submission was already decided: %(state)s by %(name)s on %(date)s.",
            state=label.lower(),
            name=submission.moderator.name if submission.moderator else _("someone"),
            date=format_datetime(submission.decided_dt, "medium"),
        )
    return _("This submission is not waiting for a decision (%(state)s).", state=label)


def _lost_race(error: AlreadyDecidedError) -> Any:
    """Another moderator decided first: nothing of ours is kept; show what stands."""
    db.session.rollback()
    flash(_decided_message(error.submission), "error")
    return redirect(_show_url(error.submission))


def _fill_choices(form: SubmissionEditForm) -> None:
    none = SelectChoice("0", _("None"))
    form.organiser_id.choices = [none, *organisation_options()]
    form.initiative_id.choices = [none, *initiative_options()]


def _form_values(submission: Submission) -> dict[str, Any]:
    """Return the edit form's initial values: wall times in the submission's own zone."""
    zone = submission.timezone
    start = utc_to_local(submission.start_dt, zone).replace(tzinfo=None)
    end = utc_to_local(submission.end_dt, zone).replace(tzinfo=None)
    if submission.is_all_day:
        end -= timedelta(days=1)  # the form names the last day, not the day after
    return {
        "title": submission.title,
        "description": submission.description,
        "start": start,
        "end": end,
        "is_all_day": submission.is_all_day,
        "timezone": zone,
        "location": submission.location,
        "organiser_id": submission.organiser_id or 0,
        "organiser_name": submission.organiser_name,
        "initiative_id": submission.initiative_id or 0,
        "url": submission.url,
    }


def _data_from(form: SubmissionEditForm) -> ProposedEvent:
    if form.start_utc is None or form.end_utc is None:
        raise ValueError("validate() sets both times")
    return ProposedEvent(
        title=form.title.data or "",
        description=form.description.data or "",
        start_dt=form.start_utc,
        end_dt=form.end_utc,
        is_all_day=bool(form.is_all_day.data),
        timezone=form.timezone.data,
        location=form.location.data or "",
        organiser_id=form.organiser_id.data or None,
        organiser_name=form.organiser_name.data or "",
        initiative_id=form.initiative_id.data or None,
        url=form.url.data or "",
    )
