"""Columns and rules shared by every calendar object (event, programme item, visit).

Each object carries a permanent UID, a `sequence` that rises when its time, place
or status changes (RFC 5545 section 3.8.7.4: clients replace an older copy only
when SEQUENCE grows), and `updated_dt`. The rise is done here, once, on flush,
so no service can forget it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import UTCDateTime, enum_column_type, utcnow
from app.core.visibility import Visibility
from calendar_feeds import make_uid


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
    """Raise `sequence` and stamp `updated_dt` on changed calendar objects."""
    for obj in session.dirty:
        if not isinstance(obj, CalendarObjectMixin) or not session.is_modified(obj):
            continue
        state = sa.inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in obj.sequence_fields):
            obj.sequence = (obj.sequence or 0) + 1
        obj.updated_dt = utcnow()
