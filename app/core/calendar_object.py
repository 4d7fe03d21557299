"""Columns and rules shared by every calendar object (event, programme item, visit).

Each object carries a permanent UID, a `sequence` that rises when its time, place
or status changes (RFC 5545 section 3.8.7.4: clients replace an older copy only
when SEQUENCE grows), and `updated_dt`. The rise is done here, once, on flush,
so no service can forget it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import (
    MANYTOONE,
    ONETOMANY,
    InstanceState,
    Mapped,
    Session,
    mapped_column,
)

from app.core.db import UTCDateTime, enum_column_type, utcnow
from app.core.visibility import Visibility
from calendar_feeds import make_uid

#: PRODID of every file this app publishes; clients de-duplicate by it.
PRODID = "-//Vertskap//Vertskap calendar//EN"


def _uid_domain() -> str:
    if has_app_context():
        return str(current_app.config["UID_DOMAIN"])
    return "vertskap.invalid"


class CalendarObjectMixin:
    """UID, sequence, visibility and timestamps of a calendar object."""

    #: Kind written into the UID, e.g. "event" or "visit".
    uid_kind: ClassVar[str]
    #: Attributes whose change raises `sequence`: time, place and status.
    sequence_fields: ClassVar[tuple[str, ...]]

    #: Permanent iCalendar UID, fixed at creation and never changed.
    uid: Mapped[str] = mapped_column(sa.String(255), unique=True)
    #: RFC 5545 SEQUENCE: rises on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    visibility: Mapped[Visibility] = mapped_column(
        enum_column_type(Visibility, "visibility"), default=Visibility.internal
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "uid", make_uid(self.uid_kind, uuid.uuid4().hex, _uid_domain())
        )
        super().__init__(**kwargs)


@event.listens_for(Session, "before_flush")
def _bump_sequence(session: Session, flush_context: Any, instances: Any) -> None:
    """Raise `sequence` and stamp `updated_dt` on changed calendar objects.

    Each object rises by exactly one per flush, however many of its fields
    changed, and also when its parent's status changed (see `_children`).
    """
    touched: dict[int, CalendarObjectMixin] = {}
    bumped: dict[int, CalendarObjectMixin] = {}
    for obj in list(session.dirty):
        if not isinstance(obj, CalendarObjectMixin) or not session.is_modified(obj):
            continue
        touched[id(obj)] = obj
        state = sa.inspect(obj)
        if _time_place_or_status_changed(state, obj.sequence_fields):
            bumped[id(obj)] = obj
        if "status" in obj.sequence_fields and state.attrs.status.history.has_changes():
            bumped.update((id(child), child) for child in _children(obj))
    now = utcnow()
    for obj in bumped.values():
        obj.sequence = (obj.sequence or 0) + 1
    for obj in (touched | bumped).values():
        obj.updated_dt = _later_stamp(session, obj, now)


def _later_stamp(session: Session, obj: CalendarObjectMixin, now: datetime) -> datetime:
    """Return `now`, or a microsecond after the stored stamp if the clock is not past it.

    So `updated_dt` rises with every change, even when the clock stands still
    or steps back: feeds key their kept VEVENTs by it (`app.feeds.entries`).
    """
    history = sa.inspect(obj).attrs.updated_dt.history
    if history.added:
        stored = history.deleted[0] if history.deleted else None
    else:
        with session.no_autoflush:
            stored = obj.updated_dt  # loads the stored stamp if it was expired
    if stored is None or now > stored:
        return now
    return stored + timedelta(microseconds=1)


def _time_place_or_status_changed(
    state: InstanceState[Any], fields: tuple[str, ...]
) -> bool:
    if any(state.attrs[name].history.has_changes() for name in fields):
        return True
    # A place set through a relationship (item.venue = v) reaches its foreign
    # key column only during the flush, after this listener has run.
    for rel in state.mapper.relationships:
        if rel.direction is not MANYTOONE or len(rel.local_remote_pairs) != 1:
            continue
        [(local, remote)] = rel.local_remote_pairs
        key = state.mapper.get_property_by_column(local).key
        added = state.attrs[rel.key].history.added
        if key not in fields or not added:
            continue
        target = added[0]
        new_key = None
        if target is not None:
            new_key = getattr(
                target, sa.inspect(target).mapper.get_property_by_column(remote).key
            )
            if new_key is None:  # a new, unflushed place
                return True
        if new_key != getattr(state.obj(), key):
            return True
    return False


def _children(obj: CalendarObjectMixin) -> list[CalendarObjectMixin]:
    """Return the calendar objects shown with `obj`'s status: the items of a visit.

    A child names its parent in `__visibility_parent__` (a programme item is
    never shown wider than its visit, and is shown cancelled when the visit is),
    so when the parent's status changes the children's published copies change
    too, and RFC 5545 clients only take them if SEQUENCE rises.
    """
    children: list[CalendarObjectMixin] = []
    for rel in sa.inspect(type(obj)).relationships:
        child_class = rel.mapper.class_
        if (
            rel.direction is ONETOMANY
            and issubclass(child_class, CalendarObjectMixin)
            and getattr(child_class, "__visibility_parent__", None)
            == rel.back_populates
        ):
            children.extend(getattr(obj, rel.key))
    return children
