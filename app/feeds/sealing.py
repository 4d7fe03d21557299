"""Personal feed links kept encrypted at rest, so that their owner can see them again.

A feed token authenticates by its SHA-256 alone (`app.feeds.tokens`). Beside
the hash, a feed token keeps its secret sealed with Fernet (AES-128-CBC with
an HMAC-SHA256, from `cryptography`) under a key derived from the app's
SECRET_KEY with HKDF-SHA256. A dump of the database alone therefore reveals
no link, while the running site can show each owner their own links again.

Keys derived from Flask's SECRET_KEY_FALLBACKS still open what an earlier key
sealed, so a planned key change keeps links showable while the old key is
listed there. A link sealed under a key the site no longer has cannot be
opened: it still authenticates (by its hash), and its owner is offered a
replacement (`app.feeds.tokens.reveal_feed_token`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

#: HKDF's salt and info bind the derived key to this one use of SECRET_KEY:
#: sessions and signed links derive theirs differently, so no key serves two uses.
_SALT = b"vertskap feed links"
_INFO = b"fernet key, version 1"


@lru_cache(maxsize=16)
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _secrets(config: Mapping[str, Any]) -> Sequence[str]:
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or ()
    if isinstance(fallbacks, str):
        fallbacks = (fallbacks,)
    return [str(config["SECRET_KEY"]), *(str(key) for key in fallbacks if key)]


def _keys() -> MultiFernet:
    """Return the current key first (it seals), then the fallbacks (they only open)."""
    return MultiFernet([_fernet(secret) for secret in _secrets(current_app.config)])


def seal_secret(raw: str, *, now: datetime) -> str:
    """Return `raw` encrypted under the current key, as URL-safe text to store."""
    return _keys().encrypt_at_time(raw.encode("utf-8"), int(now.timestamp())).decode()


def open_secret(sealed: str) -> str | None:
    """Return the secret `sealed` holds, or None if no key the site has opens it."""
    try:
        return _keys().decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        return None
