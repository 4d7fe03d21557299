"""The audit log: who changed what, when, on delegations, events and moderation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Model, UTCDateTime, db


class AuditEntry(Model):
    """One change to one object, kept even when the object's personal data is erased."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Null for changes made by the system or by an anonymous submitter.
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: Table name of the object, e.g. "delegations".
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[int] = mapped_column()
    #: What happened, e.g. "created", "status_changed", "approved".
    action: Mapped[str] = mapped_column(sa.String(64))
    #: Field -> [old, new] for the fields that changed, as JSON-safe values.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.Index("ix_audit_entries_object", "object_type", "object_id"),)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.object_type}#{self.object_id} {self.action}>"


def log_audit(
    obj: Any,
    *,
    action: str,
    actor_id: int | None,
    now: datetime,
    changes: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEntry:
    """Add an audit entry for `obj` to the session (the caller commits)."""
    entry = AuditEntry(
        created_dt=now,
        actor_id=actor_id,
        object_type=obj.__tablename__,
        object_id=obj.id,
        action=action,
        changes=changes or {},
        comment=comment,
    )
    db.session.add(entry)
    return entry
