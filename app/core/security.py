"""Security helpers shared by every feature: tokens, safe redirects, hosts and headers."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException, SecurityError
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


#: Endpoints and blueprints that decide their own caching: static files and
#: robots.txt, the feeds (public ones a CDN may keep), the read API and the
#: widget partners embed.
OWN_CACHING = frozenset({"static", "robots_txt", "feeds", "api", "widget"})
#: The name of a route's URL part that is a secret: an e-mailed link
#: (reset, invitation, unsubscribe, confirmation) or a private feed.
SECRET_URL_PART = "token"  # noqa: S105 -- a URL part's name, not a secret


def has_secret_url() -> bool:
    """Return whether the URL of the current request holds a secret."""
    return SECRET_URL_PART in (request.view_args or {})


def set_privacy_headers(response: Response) -> None:
    """Keep personal pages out of caches, and secret links out of Referer headers.

    Every answer to a logged-in user may be personal or internal, and every
    page at a secret URL shows what the secret opens: neither may be stored, by
    a shared proxy or by the browser of a shared computer (no-store). A page
    at a secret URL also sends no Referer, so the link does not reach the
    files and sites it loads or links to. Endpoints in OWN_CACHING keep the
    caching they chose.
    """
    secret_url = has_secret_url()
    if secret_url:
        response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint in OWN_CACHING or request.blueprint in OWN_CACHING:
        return
    if secret_url or current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"


def set_transport_security(response: Response) -> None:
    """Tell browsers to use HTTPS only (HSTS), when the site's address is https."""
    seconds = current_app.config["HSTS_SECONDS"]
    if seconds and current_app.config["PUBLIC_BASE_URL"].startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}")


def trusted_hosts(
    setting: str | Collection[str], *, base_url: str, env: str
) -> list[str] | None:
    """Return the host names requests may name, for Flask's TRUSTED_HOSTS; None for any.

    A list in the setting (comma separated) wins. Without one, production
    answers only to PUBLIC_BASE_URL's host, so a forged Host header cannot
    steer the links we build; development and tests answer to any host
    (localhost, 127.0.0.1, the test client's "localhost").
    """
    names = setting.split(",") if isinstance(setting, str) else list(setting)
    hosts = [name.strip() for name in names if name.strip()]
    if hosts:
        return hosts
    if env in {"development", "testing"}:
        return None
    host = urlsplit(base_url).hostname
    return [host] if host else None


def refuse_untrusted_host(error: SecurityError) -> Response:
    """Answer a request for a host name not in TRUSTED_HOSTS: 400, in plain text.

    No page layout: its links cannot be built for a host we do not serve.
    """
    return Response(
        _("This site does not answer to that host name."),
        status=400,
        mimetype="text/plain",
    )


#: Crawlers may read the public calendar, its events, a visit's own page (it
#: shows each reader only what they may see), the annual report, the widget and
#: the log-in page; nothing personal, internal or behind a log-in, and no secret
#: link (RFC 9309: the longest matching rule wins, "*" matches any characters,
#: "$" the end).
ROBOTS_TXT = """\
User-agent: *
Allow: /feeds/public.ics
Allow: /reports/annual
Disallow: /action-programme/*/edit
Disallow: /action-programme/themes/
Disallow: /admin/
Disallow: /api/
Disallow: /api-tokens
Disallow: /calendar/entries.json
Disallow: /calendar/export.
Disallow: /events/*/edit
Disallow: /events/new
Disallow: /feeds/
Disallow: /invitation/
Disallow: /language
Disallow: /logout
Disallow: /password/
Disallow: /planner/
Disallow: /preferences
Disallow: /reports/
Disallow: /reports/annual/*.xlsx
Disallow: /submissions/confirm/
Disallow: /submit/thanks
Disallow: /unsubscribe/
Disallow: /visits/$
Disallow: /visits/*/
Disallow: /visits/*.
Disallow: /visits/new
Disallow: /visits/export.
Disallow: /visits/follow-ups.
Disallow: /visits/participants.
Disallow: /widget/*.
"""


def robots_txt() -> Response:
    """Answer /robots.txt: which pages crawlers may read."""
    response = Response(ROBOTS_TXT, mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
