"""Creating, changing and cancelling events (services: never commit, never see a form)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.calendar.models import Event, EventStatus, Submission
from app.calendar.notices import NOTICE_FIELDS, queue_event_change_notices
from app.calendar.recurrence import (
    RecurrenceError,
    format_exdates,
    parse_exdates,
    parse_rule,
)
from app.core.audit import log_audit
from app.core.db import db
from app.core.timezones import local_to_utc, utc_to_local
from app.core.versioning import versioned_change
from app.core.visibility import Visibility
from app.directory.models import Theme


class EventError(ValueError):
    """A change the event's current state does not allow."""


@dataclass
class EventData:
    """Everything an event form or an approved submission sets on an event."""

    title: str
    start_dt: datetime
    end_dt: datetime
    timezone: str
    visibility: Visibility
    description: str = ""
    is_all_day: bool = False
    location: str = ""
    organiser_id: int | None = None
    organiser_name: str = ""
    initiative_id: int | None = None
    theme_ids: list[int] = field(default_factory=list)
    url: str = ""
    status: EventStatus = EventStatus.confirmed
    rrule: str = ""
    exdates: str = ""


#: The columns an EventData sets, in the order the audit log lists them.
_FIELDS = (
    "title",
    "description",
    "start_dt",
    "end_dt",
    "is_all_day",
    "timezone",
    "location",
    "organiser_id",
    "organiser_name",
    "initiative_id",
    "url",
    "visibility",
    "status",
    "rrule",
    "exdates",
)


def _apply(event: Event, data: EventData) -> None:
    for name in _FIELDS:
        setattr(event, name, getattr(data, name))
    event.themes = (
        list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(data.theme_ids))))
        if data.theme_ids
        else []
    )


def create_event(data: EventData, *, actor_id: int | None, now: datetime) -> Event:
    """Add a new event to the session, audited, and return it (flushed)."""
    event = Event(created_by_id=actor_id, created_dt=now, updated_dt=now)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    log_audit(event, action="create", actor_id=actor_id, now=now)
    return event


def update_event(
    event: Event,
    data: EventData,
    *,
    expected_version: int | None,
    actor_id: int | None,
    now: datetime,
) -> dict[str, list[Any]]:
    """Change an event to `data`, audited with the changed fields; return those changes.

    Raises VersionConflictError, changing nothing, when the event was saved
    since the editor loaded `expected_version` (app.core.versioning).
    A cancelled event stays cancelled whatever `data.status` says: only
    `reinstate_event` brings it back, so an edit cannot undo a cancellation by
    accident. The sequence rises on flush when time, place or status changed,
    and then the people behind the event get a change notice.
    """
    if event.is_cancelled:
        data.status = EventStatus.cancelled
    before = _snapshot(event)
    with versioned_change(event, expected_version):
        _apply(event, data)
        changes = {
            name: [before[name], value]
            for name, value in _snapshot(event).items()
            if value != before[name]
        }
        # An unchanged save keeps the version, so others' open pages stay current.
        if changes:
            event.updated_dt = now
    if changes:
        log_audit(event, action="update", actor_id=actor_id, now=now, changes=changes)
        noticed = {NOTICE_FIELDS[name] for name in changes if name in NOTICE_FIELDS}
        if "status" in changes:
            noticed.add("status")
        queue_event_change_notices(
            event,
            changed=sorted(noticed),
            actor_id=actor_id,
            now=now,
            previous_status=EventStatus(changes["status"][0])
            if "status" in changes
            else None,
        )
    return changes


def cancel_event(
    event: Event,
    *,
    expected_version: int | None,
    actor_id: int | None,
    now: datetime,
    reason: str = "",
) -> None:
    """Mark an event cancelled; it stays listed and published, as cancelled.

    Effects: status becomes cancelled, the sequence rises (RFC 5545 clients
    then replace their copy), and the audit log records the reason.
    Raises EventError when the event is already cancelled, and
    VersionConflictError when it changed since the page showed
    `expected_version` (the canceller has not seen that change).
    """
    if event.is_cancelled:
        raise EventError("the event is already cancelled")
    _set_status(
        event,
        EventStatus.cancelled,
        "cancel",
        expected_version=expected_version,
        actor_id=actor_id,
        now=now,
        comment=reason,
    )


def reinstate_event(
    event: Event,
    *,
    expected_version: int | None,
    actor_id: int | None,
    now: datetime,
    status: EventStatus = EventStatus.confirmed,
) -> None:
    """Bring a cancelled event back as `status` (confirmed unless told), audited.

    Raises EventError when the event is not cancelled or `status` is cancelled,
    and VersionConflictError when it changed since `expected_version`.
    """
    if not event.is_cancelled:
        raise EventError("only a cancelled event can be reinstated")
    if status is EventStatus.cancelled:
        raise EventError("reinstating needs a status other than cancelled")
    _set_status(
        event,
        status,
        "reinstate",
        expected_version=expected_version,
        actor_id=actor_id,
        now=now,
        comment="",
    )


def _set_status(
    event: Event,
    status: EventStatus,
    action: str,
    *,
    expected_version: int | None,
    actor_id: int | None,
    now: datetime,
    comment: str,
) -> None:
    old = event.status
    with versioned_change(event, expected_version):
        event.status = status
        event.updated_dt = now
    log_audit(
        event,
        action=action,
        actor_id=actor_id,
        now=now,
        changes={"status": [old.value, status.value]},
        comment=comment,
    )
    queue_event_change_notices(
        event, changed=["status"], actor_id=actor_id, now=now, previous_status=old
    )


def cancel_occurrence(
    event: Event,
    local_start: datetime,
    *,
    expected_version: int | None,
    actor_id: int | None,
    now: datetime,
    reason: str = "",
) -> None:
    """Cancel one occurrence of a recurring event by adding it to the exception dates.

    `local_start` is the occurrence's naive local start time in the event's
    zone. The people behind the event are told, with the updated series. Raises EventError for an event without a rule, a time that is not an
    occurrence of the series, or one already cancelled; VersionConflictError
    when the event changed since the page showed `expected_version`.
    """
    if not event.is_recurring:
        raise EventError("only a recurring event has occurrences to cancel")
    if not is_occurrence(event, local_start):
        raise EventError(f"{local_start:%Y-%m-%d %H:%M} is not an occurrence")
    excluded = parse_exdates(event.exdates or "")
    if local_start in excluded:
        raise EventError("that occurrence is already cancelled")
    old = event.exdates or ""
    with versioned_change(event, expected_version):
        event.exdates = format_exdates(excluded | {local_start})
        event.updated_dt = now
    log_audit(
        event,
        action="cancel_occurrence",
        actor_id=actor_id,
        now=now,
        changes={"exdates": [old, event.exdates]},
        comment=reason,
    )
    queue_event_change_notices(
        event,
        changed=["occurrence_cancelled"],
        actor_id=actor_id,
        now=now,
        occurrence=local_to_utc(local_start, event.timezone),
    )


def restore_occurrence(
    event: Event,
    local_start: datetime,
    *,
    expected_version: int | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Take one cancelled occurrence off the exception dates again, audited and told.

    Raises EventError when that occurrence is not cancelled, and
    VersionConflictError when the event changed since `expected_version`.
    """
    excluded = parse_exdates(event.exdates or "")
    if local_start not in excluded:
        raise EventError("that occurrence is not cancelled")
    old = event.exdates or ""
    with versioned_change(event, expected_version):
        event.exdates = format_exdates(excluded - {local_start})
        event.updated_dt = now
    log_audit(
        event,
        action="restore_occurrence",
        actor_id=actor_id,
        now=now,
        changes={"exdates": [old, event.exdates]},
    )
    queue_event_change_notices(
        event,
        changed=["occurrence_restored"],
        actor_id=actor_id,
        now=now,
        occurrence=local_to_utc(local_start, event.timezone),
    )


def is_occurrence(event: Event, local_start: datetime) -> bool:
    """Return whether a naive local time is a start of the event's series."""
    first = utc_to_local(event.start_dt, event.timezone).replace(tzinfo=None)
    if not event.rrule:
        return local_start == first
    try:
        rule = parse_rule(event.rrule, first)
    except RecurrenceError:
        return False
    found = rule.after(local_start, inc=True)
    return found == local_start


def _snapshot(event: Event) -> dict[str, Any]:
    """Return the audited fields of an event as JSON-safe values."""
    values: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(event, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        values[name] = value
    values["themes"] = sorted(theme.slug for theme in event.themes)
    return values


def event_data_from_submission(
    submission: Submission, *, visibility: Visibility
) -> EventData:
    """Return the event a submission proposes, with the visibility the moderator chose."""
    return EventData(
        title=submission.title,
        description=submission.description,
        start_dt=submission.start_dt,
        end_dt=submission.end_dt,
        is_all_day=submission.is_all_day,
        timezone=submission.timezone,
        location=submission.location,
        organiser_id=submission.organiser_id,
        organiser_name="" if submission.organiser_id else submission.organiser_name,
        initiative_id=submission.initiative_id,
        url=submission.url,
        visibility=visibility,
    )
