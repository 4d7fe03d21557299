"""Error pages: 400, 403, 404, 405, 410, 413, 429, 500, in the viewer's language."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from app.core.db import db

logger = logging.getLogger(__name__)

_PAGES = {400, 403, 404, 405, 410, 413, 429, 500}

#: Read by calendar programs, not people: their errors are plain text, start no
#: session and never echo the path (a private feed's path holds its token).
_PLAIN_PREFIX = "/feeds/"


def _plain(code: int) -> Response:
    text = HTTP_STATUS_CODES.get(code, "Error")
    return Response(f"{text}\n", status=code, content_type="text/plain; charset=utf-8")


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
