"""Events of the activity calendar and the partner submissions that propose them."""

from __future__ import annotations

import enum
import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.calendar.recurrence import (
    Occurrence,
    RecurrenceError,
    occurrences,
    series_end,
)
from app.core.calendar_object import CalendarObjectMixin
from app.core.db import Model, UTCDateTime, db, enum_column_type, utcnow
from app.directory.models import Initiative, Organisation, Theme

logger = logging.getLogger(__name__)


class EventStatus(enum.StrEnum):
    """RFC 5545 STATUS of an event; a cancelled event stays visible as cancelled."""

    tentative = "tentative"
    confirmed = "confirmed"
    cancelled = "cancelled"


class SubmissionState(enum.StrEnum):
    """Moderation state of a partner's proposed event."""

    unconfirmed = "unconfirmed"  # waiting for the submitter to confirm the address
    pending = "pending"  # in the moderation queue
    approved = "approved"
    rejected = "rejected"
    spam = "spam"
    withdrawn = "withdrawn"


event_themes = sa.Table(
    "event_themes",
    db.metadata,
    sa.Column(
        "event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Event(CalendarObjectMixin, Model):
    """An entry of the activity calendar."""

    __tablename__ = "events"
    uid_kind = "event"
    sequence_fields = (
        "start_dt",
        "end_dt",
        "is_all_day",
        "location",
        "status",
        "rrule",
        "exdates",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Limited Markdown, sanitised when rendered.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Start and end as UTC instants; for all-day events, local midnight of the
    #: first day and of the day after the last, so ranges compare uniformly.
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    is_all_day: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Oslo")
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    organiser_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    #: Name of an organiser not in the directory (from an approved submission).
    organiser_name: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default=""
    )
    initiative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="SET NULL")
    )
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[EventStatus] = mapped_column(
        enum_column_type(EventStatus, "status"), default=EventStatus.confirmed
    )
    #: RFC 5545 RRULE value without the "RRULE:" prefix, e.g. "FREQ=WEEKLY;BYDAY=TU".
    rrule: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Local start times of cancelled occurrences, ISO 8601, comma separated.
    exdates: Mapped[str] = mapped_column(sa.Text, default="")
    #: End of the last occurrence (`end_dt` without a rule), None for an endless
    #: series; kept by a mapper listener so window queries need no expansion.
    series_end_dt: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: Optimistic lock: a stale save is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    organiser: Mapped[Organisation | None] = relationship()
    initiative: Mapped[Initiative | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=event_themes)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 -- SQLAlchemy's declarative API
    __table_args__ = (sa.CheckConstraint("end_dt >= start_dt", name="end_after_start"),)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.cancelled

    def occurrences_between(
        self, window_start: datetime, window_end: datetime
    ) -> list[Occurrence]:
        """Return the occurrences overlapping [window_start, window_end), in time order.

        Rules are checked when saved; should a stored one no longer parse (a
        hand edit, a library change), the event still shows its first occurrence.
        """
        try:
            return occurrences(
                start_dt=self.start_dt,
                end_dt=self.end_dt,
                timezone=self.timezone,
                rule=self.rrule or "",
                exdates=self.exdates or "",
                window_start=window_start,
                window_end=window_end,
            )
        except (RecurrenceError, ValueError):
            logger.warning("event %s has a rule that does not expand", self.id)
            return occurrences(
                start_dt=self.start_dt,
                end_dt=self.end_dt,
                timezone=self.timezone,
                rule="",
                exdates="",
                window_start=window_start,
                window_end=window_end,
            )

    @property
    def organiser_label(self) -> str:
        """The organiser's name, from the directory or as the submitter named it."""
        return self.organiser.name if self.organiser else self.organiser_name


@sa.event.listens_for(Event, "before_insert")
@sa.event.listens_for(Event, "before_update")
def _keep_series_end(mapper: object, connection: object, target: Event) -> None:
    target.series_end_dt = series_end(
        start_dt=target.start_dt,
        end_dt=target.end_dt,
        timezone=target.timezone,
        rule=target.rrule or "",
        exdates=target.exdates or "",
    )


class Submission(Model):
    """A partner's proposed event, with its submitter and its moderation state."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[SubmissionState] = mapped_column(
        enum_column_type(SubmissionState, "state"), default=SubmissionState.unconfirmed
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    end_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    is_all_day: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Oslo")
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    organiser_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    #: Name of an organisation not yet in the directory.
    organiser_name: Mapped[str] = mapped_column(sa.String(200), default="")
    initiative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="SET NULL")
    )
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    submitter_name: Mapped[str] = mapped_column(sa.String(200))
    submitter_email: Mapped[str] = mapped_column(sa.String(254))
    #: Set when a logged-in member submitted; no e-mail confirmation is needed then.
    submitter_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    locale: Mapped[str] = mapped_column(sa.String(5), default="nb")
    #: SHA-256 of the e-mailed confirmation token.
    confirmation_token_hash: Mapped[str | None] = mapped_column(
        sa.String(64), unique=True
    )
    email_confirmed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: When the moderators' batched notice first listed this submission.
    moderators_notified_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The event an approval created.
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL"), unique=True
    )

    organiser: Mapped[Organisation | None] = relationship()
    initiative: Mapped[Initiative | None] = relationship()
    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])
    event: Mapped[Event | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("end_dt >= start_dt", name="end_after_start"),
        # A decision is dated; a rejection carries its reason.
        sa.CheckConstraint(
            "state NOT IN ('approved', 'rejected', 'spam') OR decided_dt IS NOT NULL",
            name="decision_is_dated",
        ),
        sa.CheckConstraint(
            "state != 'rejected' OR reject_reason != ''", name="rejection_has_reason"
        ),
        sa.Index("ix_submissions_state_created", "state", "created_dt"),
    )

    def __repr__(self) -> str:
        return f"<Submission {self.id} {self.state}>"
