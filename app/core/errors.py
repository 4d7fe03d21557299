"""Error pages: 400, 403, 404, 405, 410, 413, 429, 500, 503, in the viewer's language.

Every 429 and 503 says when to come back (Retry-After, in seconds): whatever
refuses the request notes the wait with `ask_to_retry_after`, and the header
is added on the way out, also to answers made by a blueprint's own handlers
(the API's JSON). A database that cannot be reached (a PostgreSQL restart or
fail-over, no free connection) is a 503, not a 500.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from app.core.db import db

logger = logging.getLogger(__name__)

_PAGES = {400, 403, 404, 405, 410, 413, 429, 500}

#: What SQLAlchemy raises when the database cannot be reached, rather than for
#: a fault of the query: a refused or dropped connection, a server starting or
#: shutting down (OperationalError), a closed connection (InterfaceError), no
#: free connection in the pool (TimeoutError).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
)
_RETRY_AFTER = "vertskap_retry_after"

#: Read by calendar programs, not people: their errors are plain text, start no
#: session and never echo the path (a private feed's path holds its token).
_PLAIN_PREFIX = "/feeds/"


def _plain(code: int) -> Response:
    text = HTTP_STATUS_CODES.get(code, "Error")
    return Response(f"{text}\n", status=code, content_type="text/plain; charset=utf-8")


def ask_to_retry_after(seconds: float) -> None:
    """Have this request's 429 or 503 answer carry Retry-After: `seconds` (at least 1).

    Noted more than once (two limits exceeded), the longest wait wins.
    """
    wait = max(1, math.ceil(seconds))
    setattr(g, _RETRY_AFTER, max(wait, g.get(_RETRY_AFTER, 0)))


def database_unavailable(error: Exception) -> int:
    """Clean up after `error` (see DATABASE_UNAVAILABLE); return the seconds to wait.

    The session is rolled back, so the pool takes a fresh connection next
    time (with pool_pre_ping on PostgreSQL, a dead one is noticed before use),
    and the rest of the request sees an anonymous user: the error page must not
    need the database that just failed.
    """
    logger.error(
        "database unavailable on %s %s: %s",
        request.method,
        request.path,
        error.__class__.__name__,
        exc_info=error,
    )
    try:
        db.session.rollback()
    except DATABASE_UNAVAILABLE:  # nothing left to roll back on a dead connection
        logger.warning("rollback after a database error failed too")
    # Flask-Login keeps the request's user here; a user read earlier is
    # expired by the rollback and would be read again from the database.
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    seconds = int(current_app.config["DATABASE_RETRY_SECONDS"])
    ask_to_retry_after(seconds)
    return seconds


def _database_page(seconds: int) -> Response:
    if request.path.startswith(_PLAIN_PREFIX):
        return _plain(503)
    try:
        body = render_template("errors/503.html", seconds=seconds)
    except Exception:  # the page itself may need what failed; words are enough
        logger.exception("the 503 page could not be rendered")
        return _plain(503)
    return Response(body, status=503, content_type="text/html; charset=utf-8")


def bad_request_page(message: str) -> tuple[str, int]:
    """Return the 400 page saying what was wrong, in words, instead of the general text."""
    return render_template("errors/400.html", error=BadRequest(), message=message), 400


def register_error_handlers(app: Flask) -> None:
    """Answer HTTP errors with our own pages."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return render_template("errors/csrf.html", error=error), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if code in {401} or (300 <= code < 400):
            return error
        if request.path.startswith(_PLAIN_PREFIX):
            return _plain(code)
        template = f"errors/{code}.html" if code in _PAGES else "errors/generic.html"
        return render_template(template, error=error), code

    def database_error(error: Exception) -> Response:
        return _database_page(database_unavailable(error))

    for kind in DATABASE_UNAVAILABLE:
        app.register_error_handler(kind, database_error)

    @app.after_request
    def retry_after(response: Response) -> Response:
        wait = g.get(_RETRY_AFTER)
        if (
            wait
            and response.status_code in {429, 503}
            and "Retry-After" not in response.headers
        ):
            response.headers["Retry-After"] = str(wait)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        logger.error(
            "unhandled error on %s %s", request.method, request.path, exc_info=error
        )
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        if request.path.startswith(_PLAIN_PREFIX):
            return _plain(500)
        return render_template("errors/500.html", error=InternalServerError()), 500
