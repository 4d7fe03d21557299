"""One number that rises with every change the calendar or its feeds show (DESIGN.md section 5).

Feeds answer 304 from it without assembling anything: a feed's cached bytes stay
good while the version they were built at is still the current one. The rise is
done here, just before each commit of a transaction that touched a calendar object
or something shown with one (a venue, a city, a theme, an organisation, an
initiative), so no service can forget it. A class may name `calendar_fields`:
then only a change of those attributes, or a deletion, counts (a user's role,
activity and language decide what a private feed shows; a token's revocation
decides whether it answers). An object whose `answers_feeds` is false (an API
token) never counts.

Workers read the version at most once per `FEED_VERSION_SECONDS` (`VersionReader`).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.calendar_object import CalendarObjectMixin
from app.core.db import Model, UTCDateTime, db, utcnow
from app.core.per_app import per_app


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


def _changes_feeds(obj: Any, *, deleted: bool) -> bool:
    if not getattr(obj, "answers_feeds", True):
        return False  # e.g. an API token: no feed reads it
    fields: tuple[str, ...] | None = getattr(type(obj), "calendar_fields", None)
    if fields is None:
        return _shows_in_calendar(obj)
    if deleted:
        return True
    state = sa.inspect(obj)
    return not state.pending and any(
        state.attrs[name].history.has_changes() for name in fields
    )


@event.listens_for(Session, "after_flush")
def _note_calendar_change(session: Session, flush_context: Any) -> None:
    changed = any(
        _changes_feeds(obj, deleted=False) for obj in (*session.new, *session.dirty)
    ) or any(_changes_feeds(obj, deleted=True) for obj in session.deleted)
    if changed:
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


_VERSION_QUERY = sa.select(CalendarVersion.version).where(CalendarVersion.id == 1)


class VersionReader:
    """Reads the version with its own connection, at most once per `max_age` seconds.

    Used inside and outside a request (`app.feeds.lane` answers before Flask
    does), so it holds the engine rather than the request's session.
    """

    def __init__(self, engine: sa.Engine, max_age: float) -> None:
        self._engine = engine
        self._max_age = max_age
        self._value = 0
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def current(self) -> int:
        """Return the version, read again when the last read is older than `max_age`."""
        if time.monotonic() - self._read_at < self._max_age:
            return self._value
        with self._lock:
            began = time.monotonic()
            if began - self._read_at < self._max_age:
                return self._value
            with self._engine.connect() as connection:
                self._value = connection.execute(_VERSION_QUERY).scalar() or 0
            self._read_at = began
            return self._value


def version_reader(app: Flask) -> VersionReader:
    """Return the app's version reader, made on first use."""

    def make() -> VersionReader:
        with app.app_context():
            engine = db.engine
        return VersionReader(engine, float(app.config["FEED_VERSION_SECONDS"]))

    return per_app(app, "vertskap_calendar_version", make)


def current_calendar_version() -> int:
    """Return the calendar's version as the current app's workers see it."""
    return version_reader(current_app._get_current_object()).current()  # type: ignore[attr-defined]
