"""Users, their single-use links and the log-in attempts that throttle guessing."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Model, UTCDateTime, enum_column_type, utcnow
from app.core.visibility import Audience
from app.directory.models import Organisation


class Role(enum.StrEnum):
    """What a user may do (DESIGN.md section 1)."""

    admin = "admin"
    mayors_office = "mayors_office"
    member = "member"


class TokenPurpose(enum.StrEnum):
    """What a single-use e-mailed link is for."""

    invitation = "invitation"
    password_reset = "password_reset"  # noqa: S105 -- a purpose name, not a password


class User(UserMixin, Model):
    """A person with an account."""

    __tablename__ = "users"
    #: What decides the user's private feeds: what they may see, whether they
    #: answer, and their language (`app.core.calendar_version`).
    calendar_fields = ("role", "is_active", "locale")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    role: Mapped[Role] = mapped_column(
        enum_column_type(Role, "role"), default=Role.member
    )
    locale: Mapped[str] = mapped_column(sa.String(5), default="nb")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Oslo")
    #: Argon2id hash; null until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Part of the session cookie; raising it logs out every session of the user.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Days before a visit's arrival the user wants a reminder, e.g. "14,3,1".
    reminder_days: Mapped[str] = mapped_column(sa.String(40), default="14,3,1")
    #: A reminder the day before a checklist task or follow-up of theirs is due.
    wants_task_reminders: Mapped[bool] = mapped_column(
        default=True, server_default=sa.true()
    )
    #: Notices when a visit they follow changes time, place or status.
    wants_change_notices: Mapped[bool] = mapped_column(
        default=True, server_default=sa.true()
    )
    #: The weekly digest, Monday 08:00 Europe/Oslo.
    wants_digest: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("locale IN ('nb', 'en')", name="locale"),
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    def get_id(self) -> str:
        """Return the session identity: id and session version, so logout kills old cookies."""
        return f"{self.id}.{self.session_version}"

    @property
    def arrival_reminder_days(self) -> list[int]:
        """The days before a visit's arrival the user wants a reminder, largest first."""
        days = {int(d) for d in self.reminder_days.split(",") if d.strip().isdigit()}
        return sorted(days, reverse=True)

    @arrival_reminder_days.setter
    def arrival_reminder_days(self, days: list[int]) -> None:
        self.reminder_days = ",".join(str(d) for d in sorted(set(days), reverse=True))

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.admin, Role.mayors_office)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def audience(self) -> Audience:
        return Audience.staff if self.is_staff else Audience.forum

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserToken(Model):
    """A single-use link sent by e-mail: an invitation or a password reset."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(
        enum_column_type(TokenPurpose, "purpose")
    )
    #: SHA-256 of the token; the token itself is only in the mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserToken {self.purpose} user={self.user_id}>"


class LoginAttempt(Model):
    """A failed or successful log-in, counted to throttle guessing per account and per address."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    #: The client's IP address.
    address: Mapped[str] = mapped_column(sa.String(45))
    attempted_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    succeeded: Mapped[bool] = mapped_column()

    __table_args__ = (
        sa.Index("ix_login_attempts_email_dt", "email", "attempted_dt"),
        sa.Index("ix_login_attempts_address_dt", "address", "attempted_dt"),
    )
