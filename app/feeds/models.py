"""Private feed tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Model, UTCDateTime


class FeedToken(Model):
    """A revocable secret in a private feed URL; it shows what its owner may see at fetch time."""

    __tablename__ = "feed_tokens"
    #: A revocation ends the feed at once (`app.core.calendar_version`); its
    #: hourly `last_used_dt` changes no feed.
    calendar_fields = ("revoked_dt",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(sa.String(100))
    #: SHA-256 of the token: a leaked database does not leak the feeds.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<FeedToken {self.label!r} user={self.user_id}>"
