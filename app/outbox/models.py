"""The outbox: every mail Vertskap sends, written in the transaction that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Model, UTCDateTime, enum_column_type


class MailState(enum.StrEnum):
    """Delivery state of an outbox mail."""

    queued = "queued"
    sending = "sending"  # claimed by a sender until claimed_until_dt
    sent = "sent"
    failed = "failed"  # permanently; an admin may resend


class OutboxMail(Model):
    """One e-mail to one recipient."""

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Template name, e.g. "password_reset"; also the unsubscribe category.
    kind: Mapped[str] = mapped_column(sa.String(64))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    recipient_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    locale: Mapped[str] = mapped_column(sa.String(5))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    #: An .ics attachment built by calendar_feeds, if any.
    ics: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    #: The one-click unsubscribe link of a mail people may stop (RFC 8058), or "".
    list_unsubscribe: Mapped[str] = mapped_column(
        sa.String(500), default="", server_default=""
    )
    #: One row per (object, kind, recipient, due time): a second queueing is a no-op.
    idempotency_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    #: Stable Message-ID, so a resend after a crash is recognisably the same mail.
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    state: Mapped[MailState] = mapped_column(
        enum_column_type(MailState, "state"), default=MailState.queued
    )
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    due_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The SMTP server's last answer or the error that stopped delivery.
    last_response: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.Index("ix_outbox_mails_state_due", "state", "due_dt"),
        sa.CheckConstraint(
            "state != 'sent' OR sent_dt IS NOT NULL", name="sent_is_dated"
        ),
    )

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.kind} to={self.recipient} {self.state}>"
