"""A visit's programme: items in the visit's own time zone, copying and day-by-day listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.core.audit import log_audit
from app.core.db import db
from app.core.timezones import LocalTimeError, local_to_utc, utc_to_local
from app.core.versioning import versioned_change
from app.core.visibility import Audience, Visibility, visible_clause
from app.delegations.models import Delegation, ProgrammeItem
from app.delegations.notices import queue_change_notices
from app.directory.models import Official, Organisation, Venue
from app.directory.services import list_organisations

#: Fields of an item whose change is a change of time, and of place.
TIME_FIELDS = ("start_dt", "end_dt")
PLACE_FIELDS = ("venue_id", "location")


@dataclass(frozen=True)
class ItemData:
    """What the programme form says about one item (times already in UTC)."""

    title: str
    start_dt: datetime
    end_dt: datetime
    visibility: Visibility
    venue_id: int | None = None
    location: str = ""
    responsible_organisation_id: int | None = None
    responsible_person: str = ""
    official_ids: tuple[int, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class SkippedItem:
    """An item a copy left out: its local time does not exist, or exists twice, in the new visit."""

    title: str
    local_start: datetime
    kind: str  # "nonexistent" or "ambiguous"


@dataclass
class CopyResult:
    """What `copy_programme` made and what it left out."""

    copied: list[ProgrammeItem] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)


def list_programme_items(
    delegation: Delegation, audience: Audience
) -> list[ProgrammeItem]:
    """Return the visit's items that `audience` may see, ordered by time."""
    return list(
        db.session.scalars(
            sa.select(ProgrammeItem)
            .where(
                ProgrammeItem.delegation_id == delegation.id,
                visible_clause(ProgrammeItem, audience),
            )
            .order_by(ProgrammeItem.start_dt, ProgrammeItem.end_dt, ProgrammeItem.id)
        )
    )


def get_programme_item(delegation: Delegation, item_id: int) -> ProgrammeItem:
    """Return one item of the visit; raise 404 if it belongs to another visit or none."""
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.delegation_id != delegation.id:
        raise NotFound()
    return item


def group_items_by_day(
    items: Sequence[ProgrammeItem], zone: str
) -> list[tuple[date, list[ProgrammeItem]]]:
    """Return the items grouped by their local start date in `zone`, in order."""
    return [
        (day, list(group))
        for day, group in groupby(
            items, key=lambda item: utc_to_local(item.start_dt, zone).date()
        )
    ]


def list_venues() -> list[Venue]:
    """Return every venue, by name."""
    return list(db.session.scalars(sa.select(Venue).order_by(Venue.name)))


def list_officials() -> list[Official]:
    """Return every official, by name."""
    return list(db.session.scalars(sa.select(Official).order_by(Official.name)))


def list_responsible_organisations() -> list[Organisation]:
    """Return every organisation that can be responsible for an item, as people sort them."""
    return list_organisations()


def _officials(ids: Sequence[int]) -> list[Official]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Official).where(Official.id.in_(ids))))


def _apply(item: ProgrammeItem, data: ItemData, officials: list[Official]) -> None:
    # Officials are read by the caller first: a query after the columns are set
    # would autoflush a half-changed item.
    item.title = data.title
    item.start_dt = data.start_dt
    item.end_dt = data.end_dt
    item.visibility = data.visibility
    item.venue_id = data.venue_id
    item.location = data.location
    item.responsible_organisation_id = data.responsible_organisation_id
    item.responsible_person = data.responsible_person
    item.description = data.description
    item.officials = officials


def _snapshot(item: ProgrammeItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "start_dt": item.start_dt.isoformat() if item.start_dt else None,
        "end_dt": item.end_dt.isoformat() if item.end_dt else None,
        "visibility": item.visibility.value if item.visibility else None,
        "venue_id": item.venue_id,
        "location": item.location,
        "responsible_organisation_id": item.responsible_organisation_id,
        "responsible_person": item.responsible_person,
        "official_ids": sorted(official.id for official in item.officials),
        "description": item.description,
    }


def add_programme_item(
    delegation: Delegation, data: ItemData, *, actor_id: int | None, now: datetime
) -> ProgrammeItem:
    """Add an item to the visit's programme and audit it; flushes, never commits."""
    officials = _officials(data.official_ids)
    item = ProgrammeItem(delegation=delegation)
    _apply(item, data, officials)
    db.session.add(item)
    db.session.flush()
    log_audit(
        item,
        action="created",
        actor_id=actor_id,
        now=now,
        changes={key: [None, value] for key, value in _snapshot(item).items()},
    )
    return item


def update_programme_item(
    item: ProgrammeItem,
    data: ItemData,
    *,
    expected_version: int | None,
    actor_id: int | None,
    now: datetime,
) -> list[str]:
    """Change an item, audit the change and, if its time or place moved, queue notices.

    Returns what moved: a list of "time" and "place" (empty when neither did).
    Raises VersionConflictError, changing nothing, when the item was saved
    since the editor loaded `expected_version` (app.core.versioning).
    The flush raises the item's `sequence` (app.core.calendar_object) before the
    notices are queued, so their idempotency keys differ from earlier notices.
    """
    officials = _officials(data.official_ids)
    before = _snapshot(item)
    with versioned_change(item, expected_version):
        _apply(item, data, officials)
    after = _snapshot(item)
    changes = {
        key: [before[key], after[key]] for key in after if before[key] != after[key]
    }
    changed = []
    if any(name in changes for name in TIME_FIELDS):
        changed.append("time")
    if any(name in changes for name in PLACE_FIELDS):
        changed.append("place")
    if changes:
        log_audit(item, action="updated", actor_id=actor_id, now=now, changes=changes)
    if changed:
        queue_change_notices(item, changed=changed, now=now)
    return changed


def delete_programme_item(
    item: ProgrammeItem,
    *,
    expected_version: int | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Remove an item, audit it and queue notices on its visit; flushes, never commits.

    Raises VersionConflictError, deleting nothing, when the item changed since
    the page that asked showed `expected_version`.
    """
    delegation = item.delegation
    with versioned_change(item, expected_version):
        log_audit(
            item,
            action="deleted",
            actor_id=actor_id,
            now=now,
            changes={key: [value, None] for key, value in _snapshot(item).items()},
        )
        # Tell its followers (its officials included) while the item still exists.
        queue_change_notices(item, changed=["deleted"], now=now)
        delegation.programme_items.remove(item)
        db.session.delete(item)


def list_copy_sources(delegation: Delegation) -> list[Delegation]:
    """Return earlier visits (arriving before this one) that have programme items, latest first."""
    has_items = sa.select(ProgrammeItem.id).where(
        ProgrammeItem.delegation_id == Delegation.id
    )
    return list(
        db.session.scalars(
            sa.select(Delegation)
            .where(
                Delegation.id != delegation.id,
                Delegation.arrival_dt < delegation.arrival_dt,
                has_items.exists(),
            )
            .order_by(Delegation.arrival_dt.desc())
            .limit(200)
        )
    )


def local_arrival_date(delegation: Delegation) -> date:
    """Return the visit's arrival date in its own time zone."""
    return utc_to_local(delegation.arrival_dt, delegation.timezone).date()


def _wall_time(instant: datetime, zone: str, days: timedelta) -> datetime:
    return utc_to_local(instant, zone).replace(tzinfo=None) + days


def copy_programme(
    target: Delegation,
    source: Delegation,
    *,
    actor_id: int | None,
    now: datetime,
) -> CopyResult:
    """Copy `source`'s items into `target`, keeping their local wall-clock times.

    Each item moves by the number of days between the visits' local arrival
    dates and keeps its wall time (09:00 stays 09:00 across a daylight-saving
    change, and in the target's own zone). An item whose new wall time is
    skipped or repeated by a daylight-saving change is left out and reported,
    never guessed. Copies get new UIDs and the same venues, officials and
    visibility. One audit entry on the target; flushes, never commits.
    """
    days = local_arrival_date(target) - local_arrival_date(source)
    result = CopyResult()
    for original in sorted(source.programme_items, key=lambda i: (i.start_dt, i.id)):
        walls = [
            _wall_time(original.start_dt, source.timezone, days),
            _wall_time(original.end_dt, source.timezone, days),
        ]
        instants = []
        for wall in walls:
            try:
                instants.append(local_to_utc(wall, target.timezone))
            except LocalTimeError as error:
                result.skipped.append(SkippedItem(original.title, wall, error.kind))
                break
        if len(instants) < len(walls):
            continue
        start, end = instants
        copy = ProgrammeItem(
            delegation=target,
            title=original.title,
            start_dt=start,
            end_dt=max(start, end),
            visibility=original.visibility,
            venue_id=original.venue_id,
            location=original.location,
            responsible_organisation_id=original.responsible_organisation_id,
            responsible_person=original.responsible_person,
            description=original.description,
            officials=list(original.officials),
        )
        db.session.add(copy)
        result.copied.append(copy)
    db.session.flush()
    log_audit(
        target,
        action="programme_copied",
        actor_id=actor_id,
        now=now,
        changes={
            "source_id": [None, source.id],
            "copied": [None, [item.id for item in result.copied]],
            "skipped": [None, [item.title for item in result.skipped]],
        },
    )
    return result
