"""One-click unsubscribe links (RFC 8058): one signed link per recipient and kind of mail.

The link is the credential: whoever holds the mail may stop that kind of mail
for its recipient, and nothing else. It never expires, because old mails keep
their links; it carries no secret beyond its signature.
"""

from __future__ import annotations

import enum

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.auth.models import User
from app.auth.services import public_link
from app.core.db import db

_SALT = "vertskap-unsubscribe"


class MailKind(enum.StrEnum):
    """A kind of mail a recipient may stop with one click."""

    arrival_reminders = "arrival_reminders"
    task_reminders = "task_reminders"
    change_notices = "change_notices"
    digest = "digest"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user: User, kind: MailKind) -> str:
    """Return the signed token naming `user` and `kind`."""
    return str(_serializer().dumps([user.id, kind.value]))


def unsubscribe_url(user: User, kind: MailKind) -> str:
    """Return the absolute one-click unsubscribe link for `user` and `kind`."""
    return public_link("notifications.unsubscribe", token=unsubscribe_token(user, kind))


def read_unsubscribe_token(token: str) -> tuple[User, MailKind] | None:
    """Return the user and kind a token names, or None for a forged or stale one."""
    try:
        user_id, kind = _serializer().loads(token)
        mail_kind = MailKind(kind)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return (user, mail_kind) if user is not None else None


def is_subscribed(user: User, kind: MailKind) -> bool:
    """Return whether `user` still receives mail of `kind`."""
    if kind is MailKind.arrival_reminders:
        return bool(user.arrival_reminder_days)
    if kind is MailKind.task_reminders:
        return user.wants_task_reminders
    if kind is MailKind.change_notices:
        return user.wants_change_notices
    return user.wants_digest
