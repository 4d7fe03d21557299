"""Tables of the hosting planner."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.calendar_object import CalendarObjectMixin
from app.core.db import Model, UTCDateTime, db, enum_column_type, utcnow
from app.directory.models import City, Initiative, Official, Organisation, Theme, Venue


class Direction(enum.StrEnum):
    """Whether a delegation comes to the city or goes from it."""

    incoming = "incoming"
    outgoing = "outgoing"


class ProtocolLevel(enum.StrEnum):
    """The protocol a visit calls for, highest first."""

    state = "state"  # state or royal
    ministerial = "ministerial"
    ambassador = "ambassador"
    mayoral = "mayoral"
    professional = "professional"
    business = "business"
    academic = "academic"
    youth = "youth"  # youth or school


class DelegationStatus(enum.StrEnum):
    """Life of a visit: enquiry -> tentative -> confirmed -> completed, or cancelled."""

    enquiry = "enquiry"
    tentative = "tentative"
    confirmed = "confirmed"
    completed = "completed"
    cancelled = "cancelled"


class FollowUpStatus(enum.StrEnum):
    """State of an after-visit opportunity (etterbruk)."""

    open = "open"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class InterestKind(enum.StrEnum):
    """What a member asks of a visit."""

    join_visit = "join"  # join an outgoing visit
    meet_delegation = "meet"  # meet an incoming delegation


class InterestState(enum.StrEnum):
    """The host's answer to a member's interest."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"


delegation_co_hosts = sa.Table(
    "delegation_co_hosts",
    db.metadata,
    sa.Column(
        "delegation_id",
        sa.ForeignKey("delegations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)

delegation_themes = sa.Table(
    "delegation_themes",
    db.metadata,
    sa.Column(
        "delegation_id",
        sa.ForeignKey("delegations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    ),
)

programme_item_officials = sa.Table(
    "programme_item_officials",
    db.metadata,
    sa.Column(
        "programme_item_id",
        sa.ForeignKey("programme_items.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "official_id",
        sa.ForeignKey("officials.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Delegation(CalendarObjectMixin, Model):
    """An incoming or outgoing delegation visit; its span is a calendar object."""

    __tablename__ = "delegations"
    uid_kind = "visit"
    sequence_fields = ("arrival_dt", "departure_dt", "city_id", "status")

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(
        enum_column_type(Direction, "direction")
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    city_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cities.id", ondelete="SET NULL")
    )
    #: ISO 3166-1 alpha-2; kept even without a city (a national delegation).
    country: Mapped[str] = mapped_column(sa.String(2))
    #: The foreign organisations visiting us, or visited by us.
    foreign_organisations: Mapped[str] = mapped_column(sa.Text, default="")
    head_of_delegation: Mapped[str] = mapped_column(sa.String(200), default="")
    protocol_level: Mapped[ProtocolLevel] = mapped_column(
        enum_column_type(ProtocolLevel, "protocol_level")
    )
    size: Mapped[int | None] = mapped_column()
    arrival_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    departure_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: IANA zone of where the visit happens (Asia/Kolkata for a visit to Mumbai).
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Oslo")
    status: Mapped[DelegationStatus] = mapped_column(
        enum_column_type(DelegationStatus, "status"), default=DelegationStatus.enquiry
    )
    #: The named contact point at the host side.
    host_contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    host_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    initiative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="SET NULL")
    )
    languages: Mapped[str] = mapped_column(sa.String(200), default="")
    needs_interpreter: Mapped[bool] = mapped_column(default=False)
    #: Who pays for what, e.g. "guests pay travel; the city hosts dinner".
    cost_bearer: Mapped[str] = mapped_column(sa.String(300), default="")
    budget_nok: Mapped[int | None] = mapped_column()
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: Optimistic lock: a stale save is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    city: Mapped[City | None] = relationship()
    host_contact: Mapped[User | None] = relationship()
    host_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[host_organisation_id]
    )
    co_hosts: Mapped[list[Organisation]] = relationship(secondary=delegation_co_hosts)
    initiative: Mapped[Initiative | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=delegation_themes)
    programme_items: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="delegation",
        order_by="ProgrammeItem.start_dt",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 -- SQLAlchemy's declarative API
    __table_args__ = (
        sa.CheckConstraint(
            "departure_dt >= arrival_dt", name="departure_after_arrival"
        ),
        sa.CheckConstraint("size IS NULL OR size > 0", name="size_positive"),
    )

    def __repr__(self) -> str:
        return f"<Delegation {self.id} {self.title!r}>"


class ProgrammeItem(CalendarObjectMixin, Model):
    """One slot of a visit programme, shown in the calendar like an event."""

    __tablename__ = "programme_items"
    uid_kind = "programme"
    sequence_fields = ("start_dt", "end_dt", "venue_id", "location")
    #: Never shown wider than its visit (app.core.visibility).
    __visibility_parent__ = "delegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("venues.id", ondelete="SET NULL")
    )
    #: Free-text place when there is no venue record (a factory, a ship).
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    responsible_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    responsible_person: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Optimistic lock: a stale save is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    delegation: Mapped[Delegation] = relationship(back_populates="programme_items")
    venue: Mapped[Venue | None] = relationship()
    responsible_organisation: Mapped[Organisation | None] = relationship()
    officials: Mapped[list[Official]] = relationship(secondary=programme_item_officials)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 -- SQLAlchemy's declarative API
    __table_args__ = (sa.CheckConstraint("end_dt >= start_dt", name="end_after_start"),)

    @property
    def timezone(self) -> str:
        return self.delegation.timezone

    def __repr__(self) -> str:
        return f"<ProgrammeItem {self.id} {self.title!r}>"


class Participant(Model):
    """A member of a delegation. Personal data: staff only, never in a feed, erasable."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    dietary_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    accessibility_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Set when the personal fields were erased; the row stays for the audit trail.
    erased_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Optimistic lock: a stale save is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    delegation: Mapped[Delegation] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 -- SQLAlchemy's declarative API


class ChecklistTemplate(Model):
    """Hosting guidelines for one protocol level."""

    __tablename__ = "checklist_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_level: Mapped[ProtocolLevel] = mapped_column(
        enum_column_type(ProtocolLevel, "protocol_level"), unique=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))

    items: Mapped[list[ChecklistTemplateItem]] = relationship(
        order_by="ChecklistTemplateItem.position", cascade="all, delete-orphan"
    )


class ChecklistTemplateItem(Model):
    """One step of a template, due a number of days before arrival."""

    __tablename__ = "checklist_template_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checklist_templates.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    #: Days before arrival the step is due (0: on the day; negative: after).
    due_days_before: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)


class ChecklistTask(Model):
    """A visit's own copy of a checklist step."""

    __tablename__ = "checklist_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    due_date: Mapped[date] = mapped_column()
    #: Copied from the template step: the task follows the arrival when the visit
    #: moves, whatever later happens to the template. Null for tasks added by hand.
    due_days_before: Mapped[int | None] = mapped_column()
    assignee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    done_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(default=0)
    #: Optimistic lock: a stale save is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    delegation: Mapped[Delegation] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 -- SQLAlchemy's declarative API


class FollowUp(Model):
    """An after-visit opportunity (etterbruk) with an owner and a deadline."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    deadline: Mapped[date | None] = mapped_column()
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column_type(FollowUpStatus, "status"), default=FollowUpStatus.open
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Optimistic lock: a stale save is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    delegation: Mapped[Delegation] = relationship()
    owner: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 -- SQLAlchemy's declarative API


class Interest(Model):
    """A member's request to join an outgoing visit or meet an incoming delegation."""

    __tablename__ = "interests"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[InterestKind] = mapped_column(enum_column_type(InterestKind, "kind"))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[InterestState] = mapped_column(
        enum_column_type(InterestState, "state"), default=InterestState.pending
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    delegation: Mapped[Delegation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        sa.UniqueConstraint("delegation_id", "user_id"),
        sa.CheckConstraint(
            "(state = 'pending') = (decided_dt IS NULL)",
            name="decision_has_decider",
        ),
    )


class ReminderRule(enum.StrEnum):
    """Why a reminder is sent."""

    arrival_14 = "arrival_14"  # 14 days before a confirmed visit arrives
    arrival_3 = "arrival_3"
    arrival_1 = "arrival_1"
    task_due = "task_due"  # a checklist task is due the next day
    follow_up_due = "follow_up_due"  # a follow-up's deadline is the next day

    @property
    def days_before(self) -> int:
        """Days between the reminder and the arrival or deadline it announces."""
        if self.value.startswith("arrival_"):
            return int(self.value.removeprefix("arrival_"))
        return 1


#: The arrival rules by the days a user may pick on the preferences page.
ARRIVAL_RULES = {
    rule.days_before: rule for rule in ReminderRule if rule.value.startswith("arrival_")
}


class Reminder(Model):
    """A reminder planned for one recipient; queued into the outbox when due.

    Unsent rows are re-planned whenever what they depend on changes (the
    visit's arrival or status, a task's due date, a user's choices), so a
    moved visit moves its reminders and a cancelled one loses them. Sent rows
    stay as history and keep a later plan from queueing the same mail again.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[ReminderRule] = mapped_column(enum_column_type(ReminderRule, "rule"))
    #: The visit the reminder belongs to; deleting the visit deletes its reminders.
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    #: What the reminder is about: "delegation:7", "task:12" or "follow_up:3".
    object_key: Mapped[str] = mapped_column(sa.String(40))
    recipient_user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    due_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the tick turned the reminder into an outbox mail; null while planned.
    queued_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_mail_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_mails.id", ondelete="SET NULL")
    )

    __table_args__ = (
        sa.UniqueConstraint(
            "object_key", "rule", "recipient_user_id", "due_dt", name="one_per_due"
        ),
        sa.Index("ix_reminders_due_unqueued", "queued_dt", "due_dt"),
    )

    def __repr__(self) -> str:
        return f"<Reminder {self.rule} {self.object_key} to={self.recipient_user_id} at {self.due_dt}>"
