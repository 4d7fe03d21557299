"""Personal tokens: private feed links and read-API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Model, UTCDateTime, enum_column_type


class AccessPurpose(enum.StrEnum):
    """What a personal token opens; one kind never stands in for the other."""

    #: The private calendar feed URL `/feeds/<token>.ics`.
    feed = "feed"
    #: The read API, sent as `Authorization: Bearer <token>`.
    api = "api"


class FeedToken(Model):
    """A revocable personal secret; it shows what its owner may see at the time of each use.

    Its `purpose` says where it is accepted: in a private feed URL, or by the
    read API. A feed URL pasted into a shared calendar app must not open the
    API, and an API token must not work as a feed URL.
    """

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
    #: A feed token's secret, encrypted under a key derived from SECRET_KEY
    #: (`app.feeds.sealing`), so its owner can see the link again; a database
    #: dump alone does not reveal it. Null for API tokens (shown once) and for
    #: feed tokens made before links were kept.
    secret_sealed: Mapped[str | None] = mapped_column(sa.String(255))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Where the token is accepted; tokens made before API tokens existed are feed tokens.
    purpose: Mapped[AccessPurpose] = mapped_column(
        enum_column_type(AccessPurpose, "purpose"),
        default=AccessPurpose.feed,
        server_default=AccessPurpose.feed.value,
    )

    user: Mapped[User] = relationship()

    @property
    def answers_feeds(self) -> bool:
        """Whether a feed URL reads this token: an API token's revocation changes no feed."""
        return self.purpose is not AccessPurpose.api

    def __repr__(self) -> str:
        return f"<FeedToken {self.purpose.value} {self.label!r} user={self.user_id}>"
