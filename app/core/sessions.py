"""Paths that never get a session: calendar feeds and the widget partners frame.

Feeds answer by token or to everyone, and the widget shows public events to
whoever visits a partner's page. A session read by any hook (Flask-Login
reads it after every request) would add "Vary: Cookie", keep a CDN from
caching them, and could set a cookie inside someone else's site.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class SessionlessPaths(SecureCookieSessionInterface):
    """The usual signed-cookie sessions, except under `prefixes`: there a null session."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        self.prefixes = prefixes

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(self.prefixes):
            return self.null_session_class()
        return super().open_session(app, request)
