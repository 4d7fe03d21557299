"""Small security helpers shared by every feature: tokens and safe redirects."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import unquote, urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect


def new_token() -> tuple[str, str]:
    """Return a new URL-safe secret of 256 random bits and the SHA-256 hex digest to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def safe_next_url(target: str | None) -> str | None:
    """Return `target` if it is a path of one of this site's own pages, else None.

    Checking only for "no scheme and no host" lets `////example.org/` through
    (Werkzeug turns it into `//example.org/`), so we require one leading slash
    and a route of ours (FACTS.md, web and mail).
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    # A browser resolves "." and ".." (also as %2e) before it asks: the route
    # we matched would not be the page it loads.
    if any(unquote(segment) in {".", ".."} for segment in parts.path.split("/")):
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(parts.path, method="GET")
    except RequestRedirect:
        return target
    except HTTPException:
        return None
    return target
