"""Private feed tokens: issue, list, revoke, rotate, and resolve the token of a feed URL.

A token is 256 random bits in the URL of a private feed; only its SHA-256 is
stored. It shows what its owner may see at the moment of each fetch, so a
deactivated owner or a lowered role takes effect on the next fetch.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.audit import log_audit
from app.core.db import db
from app.core.security import hash_token, new_token
from app.feeds.models import FeedToken

#: Longest label; the column holds 100 characters.
MAX_LABEL_LENGTH = 100
#: Most unrevoked tokens one user may hold: enough for every device, few enough to review.
MAX_ACTIVE_TOKENS = 10
#: `last_used_dt` is written at most this often, so a fetch does not write each time.
LAST_USED_RESOLUTION = timedelta(hours=1)
#: Revoked tokens shown as history on the subscribe page.
REVOKED_HISTORY = 5

#: What `new_token` makes: `secrets.token_urlsafe(32)`, 43 URL-safe characters.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
#: Longest text hashed for a lookup; a forged megabyte costs no more than a real token.
_MAX_HASHED = 64


class FeedTokenError(Exception):
    """A token request that cannot be carried out; `code` names why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean_label(label: str) -> str:
    """Return the label as stored: blanks collapsed, control characters removed.

    Raises FeedTokenError "label_empty" or "label_too_long".
    """
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in label).split())
    if not text:
        raise FeedTokenError("label_empty")
    if len(text) > MAX_LABEL_LENGTH:
        raise FeedTokenError("label_too_long")
    return text


def _active(user: User) -> sa.Select[FeedToken]:
    return sa.select(FeedToken).where(
        FeedToken.user_id == user.id, FeedToken.revoked_dt.is_(None)
    )


def list_feed_tokens(user: User) -> list[FeedToken]:
    """Return the user's unrevoked tokens, newest first."""
    query = _active(user).order_by(FeedToken.created_dt.desc(), FeedToken.id.desc())
    return list(db.session.scalars(query))


def list_revoked_feed_tokens(
    user: User, *, limit: int = REVOKED_HISTORY
) -> list[FeedToken]:
    """Return the user's most recently revoked tokens, latest revocation first."""
    query = (
        sa.select(FeedToken)
        .where(FeedToken.user_id == user.id, FeedToken.revoked_dt.is_not(None))
        .order_by(FeedToken.revoked_dt.desc(), FeedToken.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_own_feed_token(user: User, token_id: int) -> FeedToken | None:
    """Return the user's token with this id, revoked or not; None for anyone else's."""
    return db.session.scalar(
        sa.select(FeedToken).where(
            FeedToken.id == token_id, FeedToken.user_id == user.id
        )
    )


def _check_new_label(user: User, label: str) -> str:
    label = clean_label(label)
    active = list_feed_tokens(user)
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise FeedTokenError("too_many")
    if any(token.label.casefold() == label.casefold() for token in active):
        # Also what stops a reloaded form from issuing a second, forgotten link.
        raise FeedTokenError("label_taken")
    return label


def _issue(user: User, *, label: str, now: datetime) -> tuple[FeedToken, str]:
    raw, digest = new_token()
    token = FeedToken(user_id=user.id, label=label, token_hash=digest, created_dt=now)
    db.session.add(token)
    db.session.flush()
    return token, raw


def create_feed_token(
    user: User, *, label: str, now: datetime, by_owner: bool = True
) -> tuple[FeedToken, str]:
    """Issue a new token for `user`; return it with the raw secret, which is never stored.

    Audits "created" (by the owner, or by the system when `by_owner` is false,
    as from the command line). Raises FeedTokenError "label_empty",
    "label_too_long", "label_taken" (an active token has that label) or
    "too_many" (MAX_ACTIVE_TOKENS reached).
    """
    label = _check_new_label(user, label)
    token, raw = _issue(user, label=label, now=now)
    log_audit(
        token,
        action="created",
        actor_id=user.id if by_owner else None,
        now=now,
        changes={"label": [None, label]},
    )
    return token, raw


def _check_may_manage(token: FeedToken, actor: User) -> None:
    if token.user_id != actor.id and not actor.is_admin:
        raise FeedTokenError("not_owner")
    if token.revoked_dt is not None:
        raise FeedTokenError("already_revoked")


def revoke_feed_token(token: FeedToken, *, actor: User, now: datetime) -> None:
    """Revoke a token: its feed answers 404 from the next fetch on.

    Only the owner or an admin may; audits "revoked". Raises FeedTokenError
    "not_owner" or "already_revoked".
    """
    _check_may_manage(token, actor)
    token.revoked_dt = now
    log_audit(token, action="revoked", actor_id=actor.id, now=now)
    db.session.flush()


def rotate_feed_token(
    token: FeedToken, *, actor: User, now: datetime
) -> tuple[FeedToken, str]:
    """Revoke a token and issue its successor with the same label; return it and its secret.

    Audits "rotated" on the old token and "created" on the new one. Raises
    FeedTokenError "not_owner" or "already_revoked".
    """
    _check_may_manage(token, actor)
    token.revoked_dt = now
    db.session.flush()
    owner = db.session.get_one(User, token.user_id)
    successor, raw = _issue(owner, label=token.label, now=now)
    log_audit(
        token,
        action="rotated",
        actor_id=actor.id,
        now=now,
        changes={"replaced_by": [None, successor.id]},
    )
    log_audit(
        successor,
        action="created",
        actor_id=actor.id,
        now=now,
        changes={"label": [None, successor.label]},
        comment=f"rotation of feed token {token.id}",
    )
    return successor, raw


def resolve_feed_token(raw: str, *, now: datetime) -> User | None:
    """Return the active owner of an unrevoked token, else None.

    Every call hashes and queries once, whatever the input, so an unknown or
    malformed token costs the same time as a real one; the lookup is by hash,
    so its timing says nothing about the secret. `last_used_dt` is written at
    most once per LAST_USED_RESOLUTION (the caller commits).
    """
    well_formed = _TOKEN_SHAPE.fullmatch(raw) is not None
    digest = hash_token(raw[:_MAX_HASHED])
    row = db.session.execute(
        sa.select(FeedToken, User)
        .join(User, FeedToken.user_id == User.id)
        .where(FeedToken.token_hash == digest)
    ).first()
    if row is None:
        return None
    token, owner = row
    if (
        not well_formed
        or not hmac.compare_digest(token.token_hash, digest)
        or token.revoked_dt is not None
        or not owner.is_active
    ):
        return None
    if token.last_used_dt is None or now - token.last_used_dt >= LAST_USED_RESOLUTION:
        token.last_used_dt = now
        db.session.flush()
    return owner
