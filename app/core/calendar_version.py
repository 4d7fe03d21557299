"""One number that rises with every change the calendar shows (DESIGN.md section 5).

Feeds answer 304 from it without assembling anything: a feed's cached bytes stay
good while the version they were built at is still the current one. The rise is
done here, just before each commit of a transaction that touched a calendar object
or something shown with one (a venue, a city, a theme, an organisation, an
initiative), so no service can forget it.
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
def _note_calendar_change(session: Session, flush_context: Any) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(_shows_in_calendar(obj) for obj in touched):
        session.info["calendar_changed"] = True


@event.listens_for(Session, "before_commit")
def _raise_version(session: Session) -> None:
    """Raise the version once per transaction, as its last statement.

    Every writer updates this one row; taking its lock last, just before the
    commit, keeps two transactions that touch several events from waiting on
    each other in a circle (a deadlock on PostgreSQL).
    """
    session.flush()
    if not session.info.pop("calendar_changed", False):
        return
    session.execute(
        sa.update(CalendarVersion)
        .where(CalendarVersion.id == 1)
        .values(version=CalendarVersion.version + 1, changed_dt=utcnow())
    )


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    session.info.pop("calendar_changed", None)


def current_calendar_version() -> int:
    """Return the calendar's version (one indexed read)."""
    return (
        db.session.scalar(
            sa.select(CalendarVersion.version).where(CalendarVersion.id == 1)
        )
        or 0
    )
