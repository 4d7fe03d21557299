"""A user's mail preferences: saving them, one-click unsubscribing, and re-planning reminders."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from app.auth.models import User
from app.auth.services import mail_settings_changed
from app.auth.unsubscribe import MailKind
from app.core.timezones import is_valid_timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preferences:
    """What the preferences page sets."""

    arrival_days: list[int]
    task_reminders: bool
    change_notices: bool
    digest: bool
    locale: str
    timezone: str


def preferences_of(user: User) -> Preferences:
    """Return a user's current choices."""
    return Preferences(
        arrival_days=user.arrival_reminder_days,
        task_reminders=user.wants_task_reminders,
        change_notices=user.wants_change_notices,
        digest=user.wants_digest,
        locale=user.locale,
        timezone=user.timezone,
    )


def save_preferences(user: User, choices: Preferences, *, now: datetime) -> bool:
    """Store a user's choices; return whether anything changed.

    Effects: when the reminder days, task reminders or time zone change, the
    user's planned reminders are re-planned at once (a zone change moves
    their 08:00). Raises ValueError for an unknown zone or language.
    """
    if not is_valid_timezone(choices.timezone) or choices.locale not in ("nb", "en"):
        raise ValueError("unknown time zone or language")
    before = preferences_of(user)
    if before == choices:
        return False
    user.arrival_reminder_days = choices.arrival_days
    user.wants_task_reminders = choices.task_reminders
    user.wants_change_notices = choices.change_notices
    user.wants_digest = choices.digest
    user.locale = choices.locale
    user.timezone = choices.timezone
    if (
        sorted(before.arrival_days) != sorted(choices.arrival_days)
        or before.task_reminders != choices.task_reminders
        or before.timezone != choices.timezone
    ):
        mail_settings_changed.send(user, now=now)
    logger.info("user %s saved their preferences", user.id)
    return True


def unsubscribe(user: User, kind: MailKind, *, now: datetime) -> None:
    """Stop mail of `kind` for `user`, as a one-click unsubscribe link asks."""
    choices = preferences_of(user)
    if kind is MailKind.arrival_reminders:
        choices = replace(choices, arrival_days=[])
    elif kind is MailKind.task_reminders:
        choices = replace(choices, task_reminders=False)
    elif kind is MailKind.change_notices:
        choices = replace(choices, change_notices=False)
    else:
        choices = replace(choices, digest=False)
    save_preferences(user, choices, now=now)
    logger.info("user %s unsubscribed from %s", user.id, kind.value)
