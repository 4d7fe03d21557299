"""Change notices of events: tell the people behind an event that its time, place or status changed.

The people behind an event are the staff member who created it and the
partner who proposed it (by the public form, with or without an account).
Like the visits' notices (`app.delegations.notices`), they are outbox rows
written in the caller's transaction, each with the event as an .ics file.
Whoever made the change is not told of it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.auth.models import User
from app.auth.services import public_link
from app.auth.unsubscribe import MailKind, unsubscribe_url
from app.calendar.ical import event_ics
from app.calendar.models import Event, EventStatus, Submission
from app.core.db import db
from app.core.i18n import babel_locale, format_local_datetime
from app.core.visibility import audience_for, can_see
from app.outbox.models import OutboxMail
from app.outbox.services import queue_mail

logger = logging.getLogger(__name__)

#: Event fields whose change is "time" or "place" in a notice.
NOTICE_FIELDS = {
    "start_dt": "time",
    "end_dt": "time",
    "timezone": "time",
    "is_all_day": "time",
    "rrule": "time",
    "location": "place",
}

#: Statuses people behind an event must hear about leaving or entering.
_NOTICE_STATUSES = frozenset({EventStatus.confirmed, EventStatus.cancelled})


@dataclass(frozen=True)
class _Recipient:
    email: str
    locale: str
    timezone: str
    name: str
    user: User | None


def queue_event_change_notices(
    event: Event,
    *,
    changed: Sequence[str],
    actor_id: int | None,
    now: datetime,
    previous_status: EventStatus | None = None,
    occurrence: datetime | None = None,
) -> list[OutboxMail]:
    """Queue one "event_changed" mail per person behind `event`; return the rows.

    `changed` names what changed: "time", "place" and/or "status", or for one
    date of a series "occurrence_cancelled" or "occurrence_restored" with that
    date's start as `occurrence` (UTC). Nothing is queued unless the event is,
    or was (`previous_status`), confirmed or cancelled. A user is told only if
    they may see the event and have not turned change notices off; the
    idempotency key holds the event's sequence.
    """
    if not changed or not {event.status, previous_status} & _NOTICE_STATUSES:
        return []
    mails = []
    for person in _recipients(event, actor_id):
        user = person.user
        key_owner = f"user{user.id}" if user is not None else person.email
        mails.append(
            queue_mail(
                "event_changed",
                recipient=person.email,
                recipient_user_id=user.id if user is not None else None,
                locale=person.locale,
                context=_context(event, person, changed, occurrence),
                idempotency_key=f"event-change:{event.uid}:{event.sequence}:{key_owner}",
                now=now,
                ics=event_ics(event, language=person.locale),
                list_unsubscribe=(
                    unsubscribe_url(user, MailKind.change_notices)
                    if user is not None
                    else ""
                ),
            )
        )
    logger.info("queued %s change notices for %s", len(mails), event.uid)
    return mails


def _recipients(event: Event, actor_id: int | None) -> list[_Recipient]:
    """Return the creator and the proposer of `event`, each once, never the actor."""
    people: dict[str, _Recipient] = {}
    submission = db.session.scalar(
        sa.select(Submission).where(Submission.event_id == event.id)
    )
    user_ids = {event.created_by_id}
    if submission is not None:
        user_ids.add(submission.submitter_user_id)
    users = db.session.scalars(
        sa.select(User).where(User.id.in_([i for i in user_ids if i is not None]))
    )
    for user in users:
        if (
            user.id != actor_id
            and user.is_active
            and user.wants_change_notices
            and can_see(event, audience_for(user))
        ):
            people[user.email] = _Recipient(
                user.email, user.locale, user.timezone, user.name, user
            )
    if submission is not None and submission.submitter_user_id is None:
        # A partner without an account hears of their own event in the
        # language they wrote in, on the event's own clock.
        people.setdefault(
            submission.submitter_email,
            _Recipient(
                submission.submitter_email,
                submission.locale,
                event.timezone,
                submission.submitter_name,
                None,
            ),
        )
    return sorted(people.values(), key=lambda person: person.email)


def _context(
    event: Event,
    person: _Recipient,
    changed: Sequence[str],
    occurrence: datetime | None,
) -> dict[str, object]:
    locale = babel_locale(person.locale)
    return {
        "occurrence": (
            format_local_datetime(occurrence, person.timezone, locale=locale)
            if occurrence is not None
            else ""
        ),
        "name": person.name,
        "event": event,
        "changed": list(changed),
        "start": format_local_datetime(event.start_dt, person.timezone, locale=locale),
        "end": format_local_datetime(event.end_dt, person.timezone, locale=locale),
        "zone": person.timezone,
        "place": event.location,
        "status": event.status.value,
        "link": public_link("events.show_event", event_id=str(event.id)),
        "preferences_link": (
            public_link("notifications.preferences") if person.user else ""
        ),
    }
