"""A fast lane for feeds that did not change: answered before Flask is entered.

Calendar clients poll feeds every few minutes, and almost every poll finds
nothing new (DESIGN.md section 5). Going through Flask costs more than the
answer itself (sessions, locale, security hooks), so this WSGI middleware
keeps, per worker, the answers the feed views gave (their status, headers and
body, which are the same bytes objects the views keep) under everything that
shapes one: path (with the token), query string, Accept-Language and
Accept-Encoding. It answers a later fetch from them, 304 or full, while:

- the calendar version the view built it at is still current (a change, a
  revocation, a deactivation or a role change raises it, see
  `app.core.calendar_version`), and
- it was kept today (UTC; the feed views' cache is keyed by the day too), and
- it is younger than `FEED_LANE_SECONDS`: then one fetch goes through the
  view again, which checks the token and notes its use.

Every fetch counts against the same rate limits as in the views
(`app.feeds.limits`); a client over its limit is sent on to the view, which
answers 429. Only answers a view marked (`LANE_VERSION` in the environ) are
kept: never an error, a 404 or a 429.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.http import parse_date

from app.core.calendar_version import version_reader
from app.core.db import utcnow
from app.feeds.http import not_modified, not_modified_headers
from app.feeds.limits import feed_limits, token_key

#: Set by a feed view: the calendar version its answer was built at.
LANE_VERSION = "vertskap.feed_version"
#: Set by the lane for the view: the client is over a limit; wait this many seconds.
LANE_RETRY_AFTER = "vertskap.feed_retry_after"

PREFIX = "/feeds/"
SUFFIX = ".ics"
PUBLIC_PATH = "/feeds/public.ics"

#: Answers kept per worker; each holds references, not copies, of feed bytes.
LANE_ENTRIES = 256

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Key = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class Answer:
    """A feed answer as a view gave it, and what a 304 needs."""

    version: int
    #: Feeds move on daily without a change (the window, expired cancellations).
    day: date
    kept_at: float
    headers: list[tuple[str, str]]
    #: None when the view answered 304: the lane can repeat that only.
    body: bytes | None
    etag: str
    last_modified: datetime | None


class FeedLane:
    """WSGI middleware answering unchanged feeds from memory."""

    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self._app = app
        self._wsgi_app = wsgi_app
        self._answers: OrderedDict[Key, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self._max_age = float(app.config["FEED_LANE_SECONDS"])

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        if (
            not (path.startswith(PREFIX) and path.endswith(SUFFIX))
            or method not in {"GET", "HEAD"}
            or "/" in path[len(PREFIX) :]
        ):
            return self._wsgi_app(environ, start_response)
        key = (
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            environ.get("HTTP_ACCEPT_ENCODING", ""),
        )
        answer = self._answers.get(key)
        if answer is not None and self._still_good(answer):
            wait = self._count(environ, path)
            if wait is not None:
                environ[LANE_RETRY_AFTER] = wait
                return self._wsgi_app(environ, start_response)
            if not_modified(
                environ.get("HTTP_IF_NONE_MATCH"),
                environ.get("HTTP_IF_MODIFIED_SINCE"),
                answer.etag,
                answer.last_modified,
            ):
                start_response("304 NOT MODIFIED", not_modified_headers(answer.headers))
                return []
            if answer.body is not None:
                start_response("200 OK", list(answer.headers))
                return [] if method == "HEAD" else [answer.body]
            environ[LANE_RETRY_AFTER] = None  # counted here already
        return self._through_view(environ, start_response, key, method)

    def _still_good(self, answer: Answer) -> bool:
        if (
            time.monotonic() - answer.kept_at > self._max_age
            or utcnow().date() != answer.day
        ):
            return False
        return answer.version == version_reader(self._app).current()

    def _count(self, environ: dict[str, Any], path: str) -> int | None:
        token = path[len(PREFIX) : -len(SUFFIX)]
        token_hash = None if path == PUBLIC_PATH else token_key(token)
        return feed_limits(self._app).hit(environ.get("REMOTE_ADDR", ""), token_hash)

    def _through_view(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key: Key,
        method: str,
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, *args)

        body = self._wsgi_app(environ, capture)
        version = environ.get(LANE_VERSION)
        status = str(seen.get("status", ""))
        if version is None or not status.startswith(("200", "304")):
            return body
        headers: list[tuple[str, str]] = seen["headers"]
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body
        data = None
        if status.startswith("200"):
            if method != "GET":
                return body
            data = b"".join(body)
            _close(body)
            body = [data]
        self._keep(key, _answer(version, headers, data))
        return body

    def _keep(self, key: Key, answer: Answer) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > LANE_ENTRIES:
                self._answers.popitem(last=False)


def _answer(version: int, headers: list[tuple[str, str]], body: bytes | None) -> Answer:
    found = {name.lower(): value for name, value in headers}
    modified = found.get("last-modified")
    return Answer(
        version=version,
        day=utcnow().date(),
        kept_at=time.monotonic(),
        headers=list(headers),
        body=body,
        etag=found.get("etag", "").strip('"'),
        last_modified=parse_date(modified) if modified else None,
    )


def _close(body: Iterable[bytes]) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


class SessionlessFeeds(SecureCookieSessionInterface):
    """Feeds under /feeds/ get no session: they answer by token or to everyone.

    A session read by any hook (Flask-Login reads it after every request)
    would add "Vary: Cookie" and keep a CDN from caching the public feed.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(PREFIX):
            return self.null_session_class()
        return super().open_session(app, request)


def install_feed_lane(app: Flask) -> None:
    """Put the lane in front of the app (inside any proxy fix, which must wrap it)."""
    app.wsgi_app = FeedLane(app, app.wsgi_app)  # type: ignore[method-assign]
    app.session_interface = SessionlessFeeds()
