"""Log-in, log-out, password reset, invitations, the language switch and user administration."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from app.auth.forms import (
    ROLE_LABELS,
    EditUserForm,
    InviteUserForm,
    LanguageForm,
    LoginForm,
    PasswordResetRequestForm,
    SetPasswordForm,
)
from app.auth.models import Role, TokenPurpose, User
from app.auth.services import (
    AccountError,
    UserChanges,
    authenticate_user,
    end_sessions,
    find_valid_token,
    invite_user,
    list_users,
    request_password_reset,
    resend_invitation,
    set_password_with_token,
    set_user_locale,
    update_user,
)
from app.core.access import admin_required
from app.core.db import db, utcnow
from app.core.errors import ask_to_retry_after
from app.core.security import safe_next_url
from app.core.sessions import session_has_expired, start_session_clock
from app.directory.services import (
    get_organisation,
    organisation_options,
)
from app.extensions import limiter

bp = Blueprint("auth", __name__)

ACCOUNT_MESSAGES = {
    "invalid": lambda: _("Wrong e-mail or password."),
    "invalid_email": lambda: _(
        "Enter a valid e-mail address, such as name@example.org."
    ),
    "throttled": lambda: _(
        "Too many failed attempts. Wait a quarter of an hour and try again, or reset your password."
    ),
    "email_taken": lambda: _("A user with this e-mail address already exists."),
    "invalid_link": lambda: _(
        "This link is invalid, used or expired. Ask for a new one."
    ),
    "cannot_demote_self": lambda: _(
        "You cannot remove your own admin role or deactivate yourself."
    ),
    "unknown_timezone": lambda: _(
        "Unknown time zone. Use an IANA name such as Europe/Oslo."
    ),
    "weak_password": lambda: _("Choose a stronger password."),
    "already_active": lambda: _("This user has already chosen a password."),
    "deactivated": lambda: _("This user is deactivated. Activate them first."),
}


def _account_message(error: AccountError) -> str:
    return ACCOUNT_MESSAGES[error.code]()


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _start_session(user: User) -> None:
    """Log `user` in on a fresh session that remembers when it began."""
    session.clear()  # nothing from before the log-in survives
    login_user(user)
    session.permanent = True
    start_session_clock(session, now=utcnow())


@bp.before_app_request
def end_old_sessions() -> None:
    """Log out a session older than SESSION_ABSOLUTE_HOURS, however active it was."""
    if not session_has_expired(
        session,
        now=utcnow(),
        limit=timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
    ):
        return
    logout_user()
    session.clear()
    flash(
        _(
            "For your safety a session lasts at most %(hours)d hours. Log in again.",
            hours=current_app.config["SESSION_ABSOLUTE_HOURS"],
        ),
        "info",
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("calendar.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next")) or ""
    if form.validate_on_submit():
        try:
            user = authenticate_user(
                form.email.data,
                password=form.password.data,
                address=_client_address(),
                now=utcnow(),
            )
        except AccountError as error:
            db.session.commit()  # keep the failed attempt: it is what throttles guessing
            form.password.errors = [_account_message(error)]
            if error.code == "throttled":
                # At the latest, the failures behind the throttle have aged out then.
                ask_to_retry_after(current_app.config["LOGIN_THROTTLE_MINUTES"] * 60)
            return render_template(
                "auth/login.html", form=form
            ), 429 if error.code == "throttled" else 200
        db.session.commit()
        _start_session(user)
        return redirect(safe_next_url(form.next.data) or url_for("calendar.home"))
    g.no_store = True
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("calendar.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data, now=utcnow())
        db.session.commit()
        flash(
            _(
                "If an account has this address, a link to choose a new password is on its way."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _set_password_page(token: str, purpose: TokenPurpose, template: str):
    g.no_store = True
    try:
        row = find_valid_token(token, purpose=purpose, now=utcnow())
    except AccountError as error:
        return render_template(
            "auth/invalid_link.html", message=_account_message(error)
        ), 410
    form = SetPasswordForm(email=row.user.email)
    if form.validate_on_submit():
        user = set_password_with_token(
            token, purpose=purpose, password=form.password.data, now=utcnow()
        )
        db.session.commit()
        if purpose is TokenPurpose.password_reset:
            # No log-in by the link alone: whoever had the mail must still
            # know the password, and the owner gets a mail about the change.
            flash(_("Your password is saved. Log in with it."), "success")
            return redirect(url_for("auth.login"))
        _start_session(user)
        flash(_("Your password is saved and you are logged in."), "success")
        return redirect(url_for("calendar.home"))
    return render_template(template, form=form, user=row.user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_page(
        token, TokenPurpose.password_reset, "auth/reset_password.html"
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_page(
        token, TokenPurpose.invitation, "auth/accept_invitation.html"
    )


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        # Only a hand-made request gets here: show the choice with its error.
        form.next.data = safe_next_url(form.next.data) or ""
        return render_template("auth/language.html", form=form), 400
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        set_user_locale(current_user, locale=form.locale.data)
        db.session.commit()
    return redirect(safe_next_url(form.next.data) or url_for("calendar.home"))


def _organisation_choices() -> list[SelectChoice]:
    return [SelectChoice("0", _("None")), *organisation_options()]


@bp.route("/admin/users")
@admin_required
def list_users_page():
    search = request.args.get("q", "")[:100]
    return render_template(
        "auth/users.html",
        users=list_users(search=search),
        search=search,
        role_labels=ROLE_LABELS,
    )


@bp.route("/admin/users/invite", methods=["GET", "POST"])
@admin_required
def invite_user_page():
    form = InviteUserForm()
    form.organisation_id.choices = _organisation_choices()
    if request.method == "GET":
        form.locale.data = current_app.config["DEFAULT_LOCALE"]
        form.role.data = Role.member.value
    if form.validate_on_submit():
        try:
            user = invite_user(
                form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                organisation=get_organisation(form.organisation_id.data),
                locale=form.locale.data,
                invited_by=current_user,
                now=utcnow(),
            )
        except AccountError as error:
            form.email.errors = [_account_message(error)]
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("auth.list_users_page"))
    return render_template("auth/invite_user.html", form=form)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    form.organisation_id.choices = _organisation_choices()
    if request.method == "GET":
        form.organisation_id.data = user.organisation_id or 0
        form.role.data = user.role.value
    if form.validate_on_submit():
        changes = UserChanges(
            name=form.name.data,
            role=Role(form.role.data),
            organisation_id=form.organisation_id.data or None,
            locale=form.locale.data,
            timezone=form.timezone.data,
            is_active=form.is_active.data,
        )
        try:
            update_user(user, changes=changes, actor=current_user, now=utcnow())
        except AccountError as error:
            target = form.role
            if error.code == "unknown_timezone":
                target = form.timezone
            elif changes.role is user.role:  # only the deactivation was refused
                target = form.is_active
            target.errors = [_account_message(error)]
        else:
            db.session.commit()
            flash(_("Changes to %(name)s are saved.", name=user.name), "success")
            return redirect(url_for("auth.list_users_page"))
    return render_template("auth/edit_user.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/resend-invitation", methods=["POST"])
@admin_required
def resend_invitation_page(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    try:
        resend_invitation(user, invited_by=current_user, now=utcnow())
    except AccountError as error:
        flash(_account_message(error), "error")
    else:
        db.session.commit()
        flash(
            _("A new invitation is on its way to %(email)s.", email=user.email),
            "success",
        )
    return redirect(url_for("auth.edit_user", user_id=user.id))
