"""Each user's mail preferences, and the one-click unsubscribe page that mail links to."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth.unsubscribe import (
    MailKind,
    is_subscribed,
    read_unsubscribe_token,
)
from app.core.db import db, utcnow
from app.delegations.models import ReminderRule
from app.delegations.reminders import list_user_reminders
from app.extensions import csrf
from app.notifications.forms import PreferencesForm
from app.notifications.services import (
    Preferences,
    preferences_of,
    save_preferences,
)
from app.notifications.services import (
    unsubscribe as stop_mail,
)

bp = Blueprint("notifications", __name__)

#: What each kind of mail is, as the unsubscribe page names it.
KIND_LABELS = {
    MailKind.arrival_reminders: _l("reminders before a visit you host arrives"),
    MailKind.task_reminders: _l("reminders of checklist tasks and follow-ups due"),
    MailKind.change_notices: _l("notices when a visit you follow changes"),
    MailKind.digest: _l("the weekly digest"),
}

#: What each reminder is about, on the preferences page.
REMINDER_LABELS = {
    ReminderRule.arrival_14: _l("Arrival in 14 days"),
    ReminderRule.arrival_3: _l("Arrival in 3 days"),
    ReminderRule.arrival_1: _l("Arrival tomorrow"),
    ReminderRule.task_due: _l("A checklist task due tomorrow"),
    ReminderRule.follow_up_due: _l("A follow-up due tomorrow"),
}


@bp.context_processor
def inject_labels() -> dict[str, object]:
    return {
        "reminder_labels": {
            rule.value: label for rule, label in REMINDER_LABELS.items()
        }
    }


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    user = current_user._get_current_object()
    form = PreferencesForm()
    if request.method == "GET":
        current = preferences_of(user)
        form.arrival_days.data = current.arrival_days
        form.task_reminders.data = current.task_reminders
        form.change_notices.data = current.change_notices
        form.digest.data = current.digest
        form.locale.data = current.locale
        form.timezone.data = current.timezone
    elif form.validate_on_submit():
        choices = Preferences(
            arrival_days=list(form.arrival_days.data or []),
            task_reminders=form.task_reminders.data,
            change_notices=form.change_notices.data,
            digest=form.digest.data,
            locale=form.locale.data,
            timezone=form.timezone.data,
        )
        if save_preferences(user, choices, now=utcnow()):
            db.session.commit()
            session["locale"] = choices.locale
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("notifications.preferences"))
    status = 400 if form.errors else 200
    return render_template(
        "notifications/preferences.html",
        form=form,
        reminders=list_user_reminders(user.id, now=utcnow(), limit=20),
    ), status


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed link is the credential; mail programs POST it without a form (RFC 8058)
def unsubscribe(token: str):
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user, kind = found
    done = False
    if request.method == "POST":
        if is_subscribed(user, kind):
            stop_mail(user, kind, now=utcnow())
            db.session.commit()
        done = True
    return render_template(
        "notifications/unsubscribe.html",
        token=token,
        kind_label=KIND_LABELS[kind],
        email=user.email,
        done=done,
        subscribed=is_subscribed(user, kind),
    )
