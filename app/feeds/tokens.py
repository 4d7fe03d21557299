"""Personal tokens: issue, list, revoke, rotate, and resolve them.

A token is 256 random bits, looked up by its SHA-256. A feed token also
keeps its secret encrypted (`app.feeds.sealing`), so that its owner can see
and copy the link again (`reveal_feed_token`); an API token is shown once. A
token shows what its owner may see at the moment of each use, so a deactivated owner or a lowered
role takes effect on the next fetch. Each token has one purpose
(`AccessPurpose`): a private feed URL or the read API. Every function takes
the purpose it works on (feed tokens by default); the other kind is invisible
to it, has its own cap and labels, and is never accepted in its place.
"""

from __future__ import annotations

import enum
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.audit import log_audit
from app.core.db import db
from app.core.security import hash_token, new_token
from app.feeds.models import AccessPurpose, FeedToken
from app.feeds.sealing import open_secret, seal_secret

#: Longest label; the column holds 100 characters.
MAX_LABEL_LENGTH = 100
#: Most unrevoked tokens of one purpose a user may hold: enough for every device, few
#: enough to review.
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


def _owned(user: User, purpose: AccessPurpose) -> sa.Select[FeedToken]:
    return sa.select(FeedToken).where(
        FeedToken.user_id == user.id, FeedToken.purpose == purpose
    )


def list_feed_tokens(
    user: User, *, purpose: AccessPurpose = AccessPurpose.feed
) -> list[FeedToken]:
    """Return the user's unrevoked tokens of this purpose, newest first."""
    query = (
        _owned(user, purpose)
        .where(FeedToken.revoked_dt.is_(None))
        .order_by(FeedToken.created_dt.desc(), FeedToken.id.desc())
    )
    return list(db.session.scalars(query))


def list_revoked_feed_tokens(
    user: User,
    *,
    limit: int = REVOKED_HISTORY,
    purpose: AccessPurpose = AccessPurpose.feed,
) -> list[FeedToken]:
    """Return the user's most recently revoked tokens of this purpose, latest revocation first."""
    query = (
        _owned(user, purpose)
        .where(FeedToken.revoked_dt.is_not(None))
        .order_by(FeedToken.revoked_dt.desc(), FeedToken.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_own_feed_token(
    user: User, token_id: int, *, purpose: AccessPurpose = AccessPurpose.feed
) -> FeedToken | None:
    """Return the user's token of this purpose with this id, revoked or not.

    None for anyone else's token and for the user's own token of the other purpose.
    """
    return db.session.scalar(_owned(user, purpose).where(FeedToken.id == token_id))


def _check_new_label(user: User, label: str, purpose: AccessPurpose) -> str:
    label = clean_label(label)
    active = list_feed_tokens(user, purpose=purpose)
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise FeedTokenError("too_many")
    if any(token.label.casefold() == label.casefold() for token in active):
        # Also what stops a reloaded form from issuing a second, forgotten link.
        raise FeedTokenError("label_taken")
    return label


def _issue(
    user: User, *, label: str, now: datetime, purpose: AccessPurpose
) -> tuple[FeedToken, str]:
    raw, digest = new_token()
    token = FeedToken(
        user_id=user.id,
        label=label,
        token_hash=digest,
        # A feed link may be shown to its owner again; an API token never is.
        secret_sealed=seal_secret(raw, now=now)
        if purpose is AccessPurpose.feed
        else None,
        created_dt=now,
        purpose=purpose,
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def _kind(token: FeedToken) -> str:
    """Name the token's purpose in its audit entries."""
    return f"{token.purpose.value} token"


def create_feed_token(
    user: User,
    *,
    label: str,
    now: datetime,
    by_owner: bool = True,
    purpose: AccessPurpose = AccessPurpose.feed,
) -> tuple[FeedToken, str]:
    """Issue a new token of `purpose` for `user`; return it with the raw secret, never stored.

    Audits "created" with the purpose (by the owner, or by the system when
    `by_owner` is false, as from the command line). Raises FeedTokenError
    "label_empty", "label_too_long", "label_taken" (an active token of the
    same purpose has that label) or "too_many" (MAX_ACTIVE_TOKENS of this
    purpose reached).
    """
    label = _check_new_label(user, label, purpose)
    token, raw = _issue(user, label=label, now=now, purpose=purpose)
    log_audit(
        token,
        action="created",
        actor_id=user.id if by_owner else None,
        now=now,
        changes={"label": [None, label], "purpose": [None, purpose.value]},
        comment=_kind(token),
    )
    return token, raw


def _check_may_manage(token: FeedToken, actor: User, purpose: AccessPurpose) -> None:
    if token.purpose != purpose:
        # A page for one kind never acts on the other kind.
        raise FeedTokenError("wrong_purpose")
    if token.user_id != actor.id and not actor.is_admin:
        raise FeedTokenError("not_owner")
    if token.revoked_dt is not None:
        raise FeedTokenError("already_revoked")


def revoke_feed_token(
    token: FeedToken,
    *,
    actor: User,
    now: datetime,
    purpose: AccessPurpose = AccessPurpose.feed,
) -> None:
    """Revoke a token of `purpose`: its feed answers 404, or the API 401, from the next use on.

    Only the owner or an admin may; audits "revoked" naming the purpose.
    Raises FeedTokenError "wrong_purpose" (the token is of the other kind),
    "not_owner" or "already_revoked".
    """
    _check_may_manage(token, actor, purpose)
    token.revoked_dt = now
    # A revoked link is never shown again: its sealed secret goes with it.
    token.secret_sealed = None
    log_audit(token, action="revoked", actor_id=actor.id, now=now, comment=_kind(token))
    db.session.flush()


def rotate_feed_token(
    token: FeedToken,
    *,
    actor: User,
    now: datetime,
    purpose: AccessPurpose = AccessPurpose.feed,
) -> tuple[FeedToken, str]:
    """Revoke a token and issue its successor with the same label and purpose.

    Returns the successor and its secret. Audits "rotated" on the old token
    and "created" on the new one, both naming the purpose. Raises
    FeedTokenError "wrong_purpose", "not_owner" or "already_revoked".
    """
    _check_may_manage(token, actor, purpose)
    token.revoked_dt = now
    # A revoked link is never shown again: its sealed secret goes with it.
    token.secret_sealed = None
    db.session.flush()
    owner = db.session.get_one(User, token.user_id)
    successor, raw = _issue(owner, label=token.label, now=now, purpose=purpose)
    log_audit(
        token,
        action="rotated",
        actor_id=actor.id,
        now=now,
        changes={"replaced_by": [None, successor.id]},
        comment=_kind(token),
    )
    log_audit(
        successor,
        action="created",
        actor_id=actor.id,
        now=now,
        changes={
            "label": [None, successor.label],
            "purpose": [None, purpose.value],
        },
        comment=f"rotation of {_kind(token)} {token.id}",
    )
    return successor, raw


class KeptState(enum.StrEnum):
    """Whether a feed link can be shown to its owner again, and if not, why."""

    #: The secret opened and matches the token's hash.
    shown = "shown"
    #: Made before links were kept encrypted: only its hash exists.
    not_kept = "not_kept"
    #: Sealed under a key the site no longer has (SECRET_KEY was changed), or
    #: what opened does not match the hash.
    unreadable = "unreadable"


@dataclass(frozen=True)
class KeptLink:
    """A feed token of its owner, with its secret when it can be shown."""

    token: FeedToken
    state: KeptState
    raw: str | None = None


def reveal_feed_token(token: FeedToken, *, owner: User) -> KeptLink:
    """Return `token` with its secret, for its owner to see and copy again.

    Only the owner's own unrevoked feed tokens are opened: not an admin's view
    of someone else's, never an API token. The opened secret must hash to the
    stored digest, so a sealed value moved to another row opens nothing.
    Raises FeedTokenError "not_owner", "wrong_purpose" or "already_revoked".
    """
    if token.user_id != owner.id:
        raise FeedTokenError("not_owner")
    if token.purpose is not AccessPurpose.feed:
        raise FeedTokenError("wrong_purpose")
    if token.revoked_dt is not None:
        raise FeedTokenError("already_revoked")
    if token.secret_sealed is None:
        return KeptLink(token, KeptState.not_kept)
    raw = open_secret(token.secret_sealed)
    if raw is None or not hmac.compare_digest(hash_token(raw), token.token_hash):
        return KeptLink(token, KeptState.unreadable)
    return KeptLink(token, KeptState.shown, raw)


def list_kept_links(user: User) -> list[KeptLink]:
    """Return the user's unrevoked feed links, newest first, each opened if it can be."""
    return [reveal_feed_token(token, owner=user) for token in list_feed_tokens(user)]


def resolve_feed_token(
    raw: str, *, now: datetime, purpose: AccessPurpose = AccessPurpose.feed
) -> User | None:
    """Return the active owner of an unrevoked token of `purpose`, else None.

    A token of the other purpose is refused like an unknown one. Every call
    hashes and queries once, whatever the input, so an unknown or malformed
    token costs the same time as a real one; the lookup is by hash (the
    purpose is checked on the row found, not in the query), so its timing says
    nothing about the secret. `last_used_dt` is written at most once per
    LAST_USED_RESOLUTION, and never by a refused token (the caller commits).
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
        or token.purpose != purpose
        or token.revoked_dt is not None
        or not owner.is_active
    ):
        return None
    if token.last_used_dt is None or now - token.last_used_dt >= LAST_USED_RESOLUTION:
        token.last_used_dt = now
        db.session.flush()
    return owner
