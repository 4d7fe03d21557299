"""One number that rises with every change the calendar shows (DESIGN.md section 5).

Feeds answer 304 from it without assembling anything: a feed's cached bytes stay
good while the version they were built at is still the current one. The rise is
done here, once, after every flush that touched a calendar object or something
shown with one (a venue, a city, a theme, an organisation, an initiative), so no
service can forget it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.calendar_object import CalendarObjectMixin
from app.core.db import Model, UTCDateTime, db, utcnow


class CalendarVersion(Model):
    """The single row holding the calendar's version."""

    __tablename__ = "calendar_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    changed_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _shows_in_calendar(obj: Any) -> bool:
    return isinstance(obj, CalendarObjectMixin) or bool(
        getattr(type(obj), "shown_in_calendar", False)
    )


@event.listens_for(Session, "after_flush")
def _raise_version(session: Session, flush_context: Any) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if not any(_shows_in_calendar(obj) for obj in touched):
        return
    session.connection().execute(
        sa.update(CalendarVersion)
        .where(CalendarVersion.id == 1)
        .values(version=CalendarVersion.version + 1, changed_dt=utcnow())
    )


def current_calendar_version() -> int:
    """Return the calendar's version (one indexed read)."""
    return (
        db.session.scalar(
            sa.select(CalendarVersion.version).where(CalendarVersion.id == 1)
        )
        or 0
    )
