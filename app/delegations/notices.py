"""Change notices: tell the people who follow a visit that its time, place or status changed.

The notices are outbox rows written in the caller's transaction; the
notifications job sends them. Call after a flush, so `sequence` has risen.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from app.auth.models import User
from app.auth.services import public_link
from app.auth.unsubscribe import MailKind, unsubscribe_url
from app.core.db import db
from app.core.i18n import babel_locale, format_local_datetime
from app.core.visibility import audience_for, can_see
from app.delegations.ical import change_ics
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Interest,
    InterestState,
    ProgrammeItem,
)
from app.outbox.models import OutboxMail
from app.outbox.services import queue_mail

logger = logging.getLogger(__name__)

#: Statuses whose arrival or departure people following a visit must hear about.
_NOTICE_STATUSES = frozenset({DelegationStatus.confirmed, DelegationStatus.cancelled})


def queue_change_notices(
    obj: Delegation | ProgrammeItem,
    *,
    changed: Sequence[str],
    now: datetime,
    previous_status: DelegationStatus | None = None,
) -> list[OutboxMail]:
    """Queue one "visit_changed" mail per person following the visit; return the rows.

    `changed` names what changed: "time", "place" and/or "status", or
    "deleted" for a programme item about to be deleted. Nothing is queued unless the visit is confirmed or
    cancelled, or `previous_status` (given on a status change) was. Recipients:
    the visit's host contact, the officials (with an account) attending the
    affected programme items, and members whose interest in the visit was
    accepted; each once, in their own language and time zone, only if they
    may see `obj` (a member never hears of an internal item) and have not
    turned change notices off. Each mail carries the item as an .ics file
    (cancelled when the item was deleted) and a one-click unsubscribe link. The idempotency
    key holds the object's sequence, so a retry adds nothing.
    """
    delegation = obj if isinstance(obj, Delegation) else obj.delegation
    statuses = {delegation.status, previous_status}
    if not statuses & _NOTICE_STATUSES:
        return []
    # A deleted item's sequence no longer rises, so its notice has a key of its own.
    version = "deleted" if "deleted" in changed else str(obj.sequence)
    mails = []
    for user in _recipients(obj, delegation):
        if (
            not user.is_active
            or not user.wants_change_notices
            or not can_see(obj, audience_for(user))
        ):
            continue
        mails.append(
            queue_mail(
                "visit_changed",
                recipient=user.email,
                recipient_user_id=user.id,
                locale=user.locale,
                context=_context(obj, delegation, user, changed),
                idempotency_key=f"visit-change:{obj.uid}:{version}:{user.id}",
                now=now,
                ics=change_ics(obj, language=user.locale, removed="deleted" in changed),
                list_unsubscribe=unsubscribe_url(user, MailKind.change_notices),
            )
        )
    logger.info("queued %s change notices for %s", len(mails), obj.uid)
    return mails


def _recipients(obj: Delegation | ProgrammeItem, delegation: Delegation) -> list[User]:
    """Return the people following `obj`, each once, in a stable order."""
    people: dict[int, User] = {}
    if delegation.host_contact is not None:
        people[delegation.host_contact.id] = delegation.host_contact
    items = delegation.programme_items if obj is delegation else [obj]
    official_user_ids = [
        official.user_id
        for item in items
        for official in item.officials  # type: ignore[union-attr]
        if official.user_id is not None
    ]
    if official_user_ids:
        for user in db.session.scalars(
            sa.select(User).where(User.id.in_(official_user_ids))
        ):
            people.setdefault(user.id, user)
    accepted = db.session.scalars(
        sa.select(User)
        .join(Interest, Interest.user_id == User.id)
        .where(
            Interest.delegation_id == delegation.id,
            Interest.state == InterestState.accepted,
        )
    )
    for user in accepted:
        people.setdefault(user.id, user)
    return sorted(people.values(), key=lambda user: user.id)


def _format(instant: datetime, user: User) -> str:
    return format_local_datetime(
        instant, user.timezone, locale=babel_locale(user.locale)
    )


def _context(
    obj: Delegation | ProgrammeItem,
    delegation: Delegation,
    user: User,
    changed: Sequence[str],
) -> dict[str, object]:
    if isinstance(obj, Delegation):
        start, end = obj.arrival_dt, obj.departure_dt
        place = obj.city.name if obj.city else obj.country
    else:
        start, end = obj.start_dt, obj.end_dt
        place = obj.venue.name if obj.venue else obj.location
    link = public_link("delegations.show_delegation", delegation_id=str(delegation.id))
    return {
        "user": user,
        "delegation": delegation,
        "item": obj if isinstance(obj, ProgrammeItem) else None,
        "changed": list(changed),
        "start": _format(start, user),
        "end": _format(end, user),
        "zone": user.timezone,
        "place": place,
        "status": delegation.status.value,
        "link": link,
        "preferences_link": public_link("notifications.preferences"),
    }
