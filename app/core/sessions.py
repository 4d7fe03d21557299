"""Sessions: paths that never get one, and the clock of a logged-in session.

Feeds answer by token or to everyone, and the widget shows public events to
whoever visits a partner's page. A session read by any hook (Flask-Login
reads it after every request) would add "Vary: Cookie", keep a CDN from
caching them, and could set a cookie inside someone else's site.

A logged-in session ends after SESSION_HOURS without a request (the cookie's
lifetime, renewed by each request) and, whatever its activity, a fixed time
after the log-in: the session remembers when it began.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, Request
from flask.sessions import (
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionMixin,
)

#: The session key holding when a logged-in session began, in UTC seconds.
STARTED_KEY = "_started"
#: The key Flask-Login keeps the logged-in user's identity under.
USER_KEY = "_user_id"


class SessionlessPaths(SecureCookieSessionInterface):
    """The usual signed-cookie sessions, except under `prefixes`: there a null session."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        self.prefixes = prefixes

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(self.prefixes):
            return self.null_session_class()
        return super().open_session(app, request)


def start_session_clock(session: SessionMixin, *, now: datetime) -> None:
    """Note in a session that it begins now (at a log-in)."""
    session[STARTED_KEY] = int(now.timestamp())


def session_has_expired(
    session: SessionMixin, *, now: datetime, limit: timedelta
) -> bool:
    """Return whether a logged-in session began `limit` or longer before `now`.

    A logged-in session that does not know when it began (one made before the
    limit existed) starts its clock now, so it lasts at most `limit` from here.
    """
    if USER_KEY not in session:
        return False
    started = session.get(STARTED_KEY)
    if not isinstance(started, int):
        start_session_clock(session, now=now)
        return False
    return now.timestamp() - started >= limit.total_seconds()
