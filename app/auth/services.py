"""Accounts: passwords, log-in and its throttle, invitations, resets and user changes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from blinker import Namespace
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from app.auth.models import LoginAttempt, Role, TokenPurpose, User, UserToken
from app.core.audit import log_audit
from app.core.db import db
from app.core.i18n import babel_locale, format_local_datetime
from app.core.security import hash_token, new_token
from app.core.timezones import is_valid_timezone
from app.directory.models import Organisation
from app.outbox.models import OutboxMail
from app.outbox.services import queue_mail

logger = logging.getLogger(__name__)

#: Sent with a user and `now` when what decides their reminders changed (their
#: role, organisation, zone, activity or reminder choices). Features that plan
#: mail for users, such as the visits' reminders, re-plan on it; accounts need
#: not know them.
mail_settings_changed = Namespace().signal("mail-settings-changed")

#: Argon2id with the library's defaults (RFC 9106's second recommended option).
_hasher = PasswordHasher()
#: Verified when the account does not exist, so a miss takes as long as a hit.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


class AccountError(Exception):
    """A request about an account that cannot be carried out; `code` names why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class UserChanges:
    """What an admin may change on a user."""

    name: str
    role: Role
    organisation_id: int | None
    locale: str
    timezone: str
    is_active: bool


def normalise_email(email: str) -> str:
    """Return the address as stored: trimmed and lower-cased."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password."""
    return _hasher.hash(password)


def password_problems(password: str, *, email: str = "") -> list[str]:
    """Return codes of what makes `password` unacceptable; empty when it is fine."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("too_long")
    if email and password.strip().lower() == email.strip().lower():
        problems.append("same_as_email")
    if len(set(password)) < 4:
        problems.append("too_simple")
    return problems


def load_user_from_session(identity: str) -> User | None:
    """Return the user of a session identity "<id>.<session_version>", or None if stale."""
    user_id, _, version = identity.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def get_user_by_email(email: str) -> User | None:
    """Return the user with this address, if any."""
    return db.session.scalar(sa.select(User).filter_by(email=normalise_email(email)))


def is_login_throttled(email: str, *, address: str, now: datetime) -> bool:
    """Return whether recent failures for this account or this address block a log-in."""
    config = current_app.config
    since = now - timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])
    failures = (
        sa.select(sa.func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.attempted_dt >= since, LoginAttempt.succeeded.is_(False))
    )
    per_account = (
        db.session.scalar(failures.where(LoginAttempt.email == normalise_email(email)))
        or 0
    )
    if per_account >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    per_address = (
        db.session.scalar(failures.where(LoginAttempt.address == address)) or 0
    )
    return per_address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def authenticate_user(
    email: str, *, password: str, address: str, now: datetime
) -> User:
    """Return the user whose credentials these are, recording the attempt.

    Raises AccountError("throttled") after too many failures for the account or
    the address, and AccountError("invalid") for any wrong e-mail, wrong password
    or inactive account, without saying which.
    """
    email = normalise_email(email)
    if is_login_throttled(email, address=address, now=now):
        raise AccountError("throttled")
    user = get_user_by_email(email)
    ok = _verify(user.password_hash if user and user.password_hash else None, password)
    ok = ok and user is not None and user.is_active
    db.session.add(
        LoginAttempt(email=email, address=address, attempted_dt=now, succeeded=ok)
    )
    if not ok or user is None:
        logger.info("failed log-in for an account from %s", address)
        raise AccountError("invalid")
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_login_dt = now
    return user


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _hasher.verify(password_hash or _DUMMY_HASH, password)
            and password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def end_sessions(user: User) -> None:
    """Invalidate every session of the user (log-out, deactivation, role change)."""
    user.session_version += 1


def create_user(
    email: str,
    *,
    name: str,
    role: Role,
    now: datetime,
    password: str | None = None,
    organisation: Organisation | None = None,
    locale: str | None = None,
    timezone: str | None = None,
) -> User:
    """Add a user; raise AccountError("invalid_email"), ("email_taken") or ("weak_password")."""
    email = normalise_email(email)
    try:
        # Syntax only: no DNS look-up, and reserved names (.example) are allowed
        # for demo accounts; .test too while testing.
        validate_email(
            email,
            check_deliverability=False,
            globally_deliverable=False,
            test_environment=bool(current_app.config["TESTING"]),
        )
    except EmailNotValidError as error:
        raise AccountError("invalid_email") from error
    if get_user_by_email(email) is not None:
        raise AccountError("email_taken")
    if password is not None and password_problems(password, email=email):
        raise AccountError("weak_password")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organisation=organisation,
        locale=locale or current_app.config["DEFAULT_LOCALE"],
        timezone=timezone or current_app.config["TIMEZONE"],
        password_hash=hash_password(password) if password is not None else None,
        created_dt=now,
    )
    db.session.add(user)
    db.session.flush()
    return user


def _issue_token(
    user: User, *, purpose: TokenPurpose, lifetime: timedelta, now: datetime
) -> str:
    token, digest = new_token()
    db.session.add(
        UserToken(
            user=user,
            purpose=purpose,
            token_hash=digest,
            created_dt=now,
            expires_dt=now + lifetime,
        )
    )
    db.session.flush()
    return token


def invite_user(
    email: str,
    *,
    name: str,
    role: Role,
    organisation: Organisation | None,
    locale: str,
    invited_by: User,
    now: datetime,
) -> User:
    """Create an account without a password and mail its owner a link to choose one.

    Effects: a new user, an audit entry, an invitation mail in the outbox.
    """
    user = create_user(
        email, name=name, role=role, organisation=organisation, locale=locale, now=now
    )
    _send_invitation(user, invited_by=invited_by, now=now)
    log_audit(
        user,
        action="invited",
        actor_id=invited_by.id,
        now=now,
        changes={"role": [None, role.value]},
    )
    return user


def resend_invitation(user: User, *, invited_by: User, now: datetime) -> None:
    """Mail a fresh invitation link to a user who has not chosen a password yet.

    Raises AccountError("already_active") once a password is chosen, and
    ("deactivated") for a deactivated user, whose link would not work.
    """
    if user.password_hash is not None:
        raise AccountError("already_active")
    if not user.is_active:
        raise AccountError("deactivated")
    _send_invitation(user, invited_by=invited_by, now=now)


def public_link(endpoint: str, **values: str) -> str:
    """Return the absolute address of one of our pages, for a mail.

    Built from PUBLIC_BASE_URL without url_for, so it works the same in a
    request, a scheduler job and a flask command.
    """
    path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"] + path


def _send_invitation(user: User, *, invited_by: User, now: datetime) -> None:
    lifetime = timedelta(days=current_app.config["INVITATION_DAYS"])
    token = _issue_token(
        user, purpose=TokenPurpose.invitation, lifetime=lifetime, now=now
    )
    link = public_link("auth.accept_invitation", token=token)
    queue_mail(
        "invitation",
        recipient=user.email,
        recipient_user_id=user.id,
        locale=user.locale,
        context={
            "user": user,
            "link": link,
            "invited_by": invited_by.name,
            "days": lifetime.days,
        },
        idempotency_key=f"invitation:{user.id}:{hash_token(token)[:16]}",
        now=now,
    )


def request_password_reset(email: str, *, now: datetime) -> None:
    """Mail a single-use reset link if an active account has this address.

    Says nothing either way to the caller, and takes as long either way, so the
    form cannot be used to learn who has an account. An account gets at most
    PASSWORD_RESET_MAILS_PER_ACCOUNT links in PASSWORD_RESET_LIMIT_MINUTES,
    counted in the database whatever address asks, so nobody can flood a
    mailbox from many addresses.
    """
    email = normalise_email(email)
    config = current_app.config
    lifetime = timedelta(minutes=config["PASSWORD_RESET_MINUTES"])
    # Both queries run for every address, known or not.
    recent = recent_reset_links(email, now=now)
    user = get_user_by_email(email)
    if (
        user is None
        or not user.is_active
        or user.password_hash is None
        or recent >= config["PASSWORD_RESET_MAILS_PER_ACCOUNT"]
    ):
        logger.info("password reset asked for an unknown, inactive or limited account")
        _spend_the_time_of_a_reset_mail(email, lifetime=lifetime, now=now)
        return
    token = _issue_token(
        user, purpose=TokenPurpose.password_reset, lifetime=lifetime, now=now
    )
    _queue_reset_mail(user, token=token, lifetime=lifetime, now=now)


def recent_reset_links(email: str, *, now: datetime) -> int:
    """Return how many reset links the account with this address got in the limit's window."""
    since = now - timedelta(minutes=current_app.config["PASSWORD_RESET_LIMIT_MINUTES"])
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserToken)
            .join(User, UserToken.user_id == User.id)
            .where(
                User.email == normalise_email(email),
                UserToken.purpose == TokenPurpose.password_reset,
                UserToken.created_dt > since,
            )
        )
        or 0
    )


def _queue_reset_mail(
    user: User, *, token: str, lifetime: timedelta, now: datetime
) -> OutboxMail:
    return queue_mail(
        "password_reset",
        recipient=user.email,
        recipient_user_id=user.id,
        locale=user.locale,
        context={
            "user": user,
            "link": public_link("auth.reset_password", token=token),
            "minutes": int(lifetime.total_seconds() // 60),
        },
        idempotency_key=f"password_reset:{user.id}:{hash_token(token)[:16]}",
        now=now,
    )


def _spend_the_time_of_a_reset_mail(
    email: str, *, lifetime: timedelta, now: datetime
) -> None:
    """Do the work of a reset mail for an address that gets none, then undo it.

    Most of a mail's cost is not the token or the template but writing the
    outbox row and committing it to disk, so the row is written as for a real
    mail and deleted again in the same transaction: nothing is sent, and the
    commit still writes. bench/reset_timing.py measures the two paths.
    """
    stand_in = User(email=email, name="", locale=current_app.config["DEFAULT_LOCALE"])
    token, _digest = new_token()
    mail = _queue_reset_mail(stand_in, token=token, lifetime=lifetime, now=now)
    db.session.delete(mail)
    db.session.flush()


def find_valid_token(token: str, *, purpose: TokenPurpose, now: datetime) -> UserToken:
    """Return the unused, unexpired token row; raise AccountError("invalid_link") otherwise."""
    row = db.session.scalar(
        sa.select(UserToken).filter_by(token_hash=hash_token(token), purpose=purpose)
    )
    if (
        row is None
        or row.used_dt is not None
        or row.expires_dt <= now
        or not row.user.is_active
    ):
        raise AccountError("invalid_link")
    return row


def set_password_with_token(
    token: str, *, purpose: TokenPurpose, password: str, now: datetime
) -> User:
    """Use a single-use link to set a password; every session of the user ends.

    Effects: the token and every other open token of the same purpose are spent,
    the password is replaced, all sessions end, an audit entry is written; after
    a reset, a "your password was changed" mail goes to the account.
    """
    row = find_valid_token(token, purpose=purpose, now=now)
    user = row.user
    if password_problems(password, email=user.email):
        raise AccountError("weak_password")
    db.session.execute(
        sa.update(UserToken)
        .where(
            UserToken.user_id == user.id,
            UserToken.purpose == purpose,
            UserToken.used_dt.is_(None),
        )
        .values(used_dt=now)
    )
    user.password_hash = hash_password(password)
    end_sessions(user)
    log_audit(
        user, action=f"password_set_by_{purpose.value}", actor_id=user.id, now=now
    )
    if purpose is TokenPurpose.password_reset:
        notify_password_changed(user, change_id=row.token_hash[:16], now=now)
    return user


def notify_password_changed(user: User, *, change_id: str, now: datetime) -> OutboxMail:
    """Tell the account's owner that its password changed, and what to do if it was not them.

    `change_id` tells one change from another in the idempotency key (the spent
    link's hash prefix, for a reset).
    """
    return queue_mail(
        "password_changed",
        recipient=user.email,
        recipient_user_id=user.id,
        locale=user.locale,
        context={
            "user": user,
            "changed": format_local_datetime(
                now, user.timezone, locale=babel_locale(user.locale)
            ),
            "zone": user.timezone,
            "reset_link": public_link("auth.forgot_password"),
        },
        idempotency_key=f"password_changed:{user.id}:{change_id}",
        now=now,
    )


def update_user(
    user: User, *, changes: UserChanges, actor: User, now: datetime
) -> None:
    """Apply an admin's changes to a user.

    Effects: deactivation or a change of role ends the user's sessions (and so,
    with the feeds issue, narrows their feeds at the next fetch); an audit entry
    lists the changed fields; a change of role, organisation, zone or activity
    sends `mail_settings_changed`, so their planned reminders follow. An admin
    cannot demote or deactivate themself.
    """
    if user.id == actor.id and (changes.role is not user.role or not changes.is_active):
        raise AccountError("cannot_demote_self")
    if not is_valid_timezone(changes.timezone):
        raise AccountError("unknown_timezone")
    diff = {}
    for field in ("name", "role", "organisation_id", "locale", "timezone", "is_active"):
        old, new = getattr(user, field), getattr(changes, field)
        if old != new:
            diff[field] = [
                str(old) if old is not None else None,
                str(new) if new is not None else None,
            ]
            setattr(user, field, new)
    if "role" in diff or "is_active" in diff:
        end_sessions(user)
    if diff:
        log_audit(user, action="updated", actor_id=actor.id, now=now, changes=diff)
    if diff.keys() & {"role", "organisation_id", "timezone", "is_active"}:
        mail_settings_changed.send(user, now=now)


def list_users(*, search: str = "") -> list[User]:
    """Return every user, active ones first, then by name; optionally filtered by name or e-mail.

    The filter runs in Python: SQLite's lower() and LIKE fold ASCII only, so
    "øystein" would miss "Øystein" there, and an office has hundreds of users
    at most. A "%" or "_" in the search is a plain character.
    """
    users = db.session.scalars(
        sa.select(User)
        .options(selectinload(User.organisation))  # the list shows it: no N+1
        .order_by(User.is_active.desc(), User.name, User.id)
    )
    term = search.strip().casefold()
    return [
        user
        for user in users
        if not term or term in user.name.casefold() or term in user.email.casefold()
    ]


def set_user_locale(user: User, *, locale: str) -> None:
    """Remember the user's language."""
    user.locale = locale


#: Log-in attempts are kept this long for the throttle and for investigation.
LOGIN_ATTEMPT_RETENTION = timedelta(days=30)
#: Spent or expired single-use links are kept this long, then deleted.
TOKEN_RETENTION = timedelta(days=7)


def _delete(statement: sa.Delete) -> int:
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


def purge_expired_account_records(*, now: datetime) -> dict[str, int]:
    """Delete old log-in attempts and spent links; return how many of each went."""
    cutoff = now - TOKEN_RETENTION
    return {
        "login_attempts": _delete(
            sa.delete(LoginAttempt).where(
                LoginAttempt.attempted_dt < now - LOGIN_ATTEMPT_RETENTION
            )
        ),
        "user_tokens": _delete(
            sa.delete(UserToken).where(
                sa.or_(UserToken.expires_dt < cutoff, UserToken.used_dt < cutoff)
            )
        ),
    }
