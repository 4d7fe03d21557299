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

import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, BinaryIO

from flask import Flask
from werkzeug.http import parse_date

from app.core.calendar_version import VersionReader, version_reader
from app.core.db import utcnow
from app.core.errors import DATABASE_UNAVAILABLE
from app.core.http_cache import not_modified, not_modified_headers
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
#: Bodies from this size on are also kept in an in-memory file (see `BodyFile`).
FILE_THRESHOLD = 64 * 1024
FILE_BLOCK = 1024 * 1024

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Key = tuple[str, str, str, str]


class BodyFile:
    """A feed body in an anonymous in-memory file (Linux memfd).

    Handed to the server's `wsgi.file_wrapper`, it lets gunicorn send the body
    with sendfile(2) instead of copying it through Python, as nginx serves a
    static file. Each request opens it anew through /proc, so concurrent
    sends never share a file offset. The file is closed when the last answer
    holding it is dropped.
    """

    def __init__(self, fd: int) -> None:
        self._path = f"/proc/self/fd/{fd}"
        self._finalizer = weakref.finalize(self, os.close, fd)

    @classmethod
    def holding(cls, body: bytes) -> BodyFile | None:
        """Return a file holding `body`, or None where memfd is missing."""
        create = getattr(os, "memfd_create", None)
        if create is None or not os.path.isdir("/proc/self/fd"):
            return None
        fd = create("vertskap-feed", getattr(os, "MFD_CLOEXEC", 0))
        view = memoryview(body)
        written = 0
        while written < len(body):
            written += os.write(fd, view[written:])
        return cls(fd)

    def open(self) -> BinaryIO:
        return open(self._path, "rb")


@dataclass(frozen=True, slots=True)
class Answer:
    """A feed answer as a view gave it, and what a 304 needs."""

    version: int
    #: Feeds move on daily without a change (the window, expired cancellations).
    day: date
    kept_at: float
    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]
    #: None when the view answered 304: the lane can repeat that only.
    body: bytes | None
    #: The same bytes in an in-memory file, for a large body.
    file: BodyFile | None
    etag: str
    #: The ETag header as sent; most clients send it back as it came.
    quoted_etag: str
    last_modified: datetime | None

    def matches(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Return whether these validators get a 304 (`not_modified`, quicker for the usual case)."""
        if if_none_match == self.quoted_etag:
            return True
        return not_modified(
            if_none_match, if_modified_since, self.etag, self.last_modified
        )


class FeedLane:
    """WSGI middleware answering unchanged feeds from memory."""

    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self._app = app
        self._wsgi_app = wsgi_app
        self._answers: OrderedDict[Key, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self._max_age = float(app.config["FEED_LANE_SECONDS"])
        self._reader: VersionReader | None = None
        #: Closed (and freed) once no kept answer holds them.
        self._files: weakref.WeakValueDictionary[str, BodyFile] = (
            weakref.WeakValueDictionary()
        )

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
            if answer.matches(
                environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")
            ):
                start_response("304 NOT MODIFIED", list(answer.not_modified_headers))
                return []
            if answer.body is not None:
                start_response("200 OK", list(answer.headers))
                if method == "HEAD":
                    return []
                wrapper = environ.get("wsgi.file_wrapper")
                if answer.file is not None and wrapper is not None:
                    # The server may send it with sendfile(2), as nginx would.
                    return wrapper(answer.file.open(), FILE_BLOCK)
                return [answer.body]
            environ[LANE_RETRY_AFTER] = None  # counted here already
        return self._through_view(environ, start_response, key, method)

    def _still_good(self, answer: Answer) -> bool:
        if (
            time.monotonic() - answer.kept_at > self._max_age
            or utcnow().date() != answer.day
        ):
            return False
        if self._reader is None:
            self._reader = version_reader(self._app)
        try:
            return answer.version == self._reader.current()
        except DATABASE_UNAVAILABLE:
            # Unknown version: the view answers, with its 503 and Retry-After.
            return False

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
        self._keep(key, self._answer(version, headers, data))
        return body

    def _answer(
        self, version: int, headers: list[tuple[str, str]], body: bytes | None
    ) -> Answer:
        found = {name.lower(): value for name, value in headers}
        modified = found.get("last-modified")
        quoted = found.get("etag", "")
        return Answer(
            version=version,
            day=utcnow().date(),
            kept_at=time.monotonic(),
            headers=list(headers),
            not_modified_headers=not_modified_headers(headers),
            body=body,
            file=self._file_for(quoted, body),
            etag=quoted.strip('"'),
            quoted_etag=quoted,
            last_modified=parse_date(modified) if modified else None,
        )

    def _file_for(self, etag: str, body: bytes | None) -> BodyFile | None:
        """Return the in-memory file of a large body, one per entity tag."""
        if body is None or len(body) < FILE_THRESHOLD or not etag:
            return None
        with self._lock:
            found = self._files.get(etag)
            if found is None:
                found = BodyFile.holding(body)
                if found is not None:
                    self._files[etag] = found
            return found

    def _keep(self, key: Key, answer: Answer) -> None:
        with self._lock:
            kept = self._answers.get(key)
            if (
                answer.body is None
                and kept is not None
                and kept.body is not None
                and kept.etag == answer.etag
            ):
                # The view answered a 304 for bytes the lane holds: refresh the
                # answer's date and version, keep its body for full fetches.
                answer = replace(
                    answer, headers=kept.headers, body=kept.body, file=kept.file
                )
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > LANE_ENTRIES:
                self._answers.popitem(last=False)


def _close(body: Iterable[bytes]) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


def install_feed_lane(app: Flask) -> None:
    """Put the lane in front of the app (inside any proxy fix, which must wrap it)."""
    app.wsgi_app = FeedLane(app, app.wsgi_app)  # type: ignore[method-assign]
