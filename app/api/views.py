"""The read API's blueprint: /api/v1/, JSON only, GET only.

Each request is either anonymous (the public audience) or carries a personal
token (`Authorization: Bearer`, an API token made on /api-tokens, never a
feed token) and sees what its owner sees; the browser session is never
consulted, so a page of another site reading the API with
`Access-Control-Allow-Origin: *` learns only public data. Answers carry a strong ETag over their bytes and are answered
304 when the client's copy still holds. Errors are RFC 9457 problem details.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, NoReturn
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound
from werkzeug.http import HTTP_STATUS_CODES

from app.api import services
from app.api.openapi import (
    DEFAULT_PER_PAGE,
    DEFAULT_WINDOW_DAYS,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_ID,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_WINDOW_DAYS,
    build_openapi,
)
from app.api.services import ListQuery, Page, Window
from app.calendar.filters import FilterError, parse_filters
from app.calendar.models import EventStatus
from app.calendar.services import CalendarFilters
from app.core.db import db, utcnow
from app.core.errors import DATABASE_UNAVAILABLE, database_unavailable
from app.core.http_cache import body_etag, not_modified
from app.core.visibility import Audience, audience_for
from app.delegations.models import DelegationStatus
from app.extensions import limiter
from app.feeds.limits import token_key
from app.feeds.models import AccessPurpose
from app.feeds.tokens import resolve_feed_token

logger = logging.getLogger(__name__)

#: Where the API lives; the OpenAPI document's server URL ends with it.
API_ROOT = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=API_ROOT)

PREFIX = "/api/"
PROBLEM_TYPE = "application/problem+json"
#: Seconds an anonymous answer may be cached by browsers and proxies.
PUBLIC_MAX_AGE = 60
_INTEGER = re.compile(r"[0-9]{1,9}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
#: Calendar years accepted in `from` and `to`: far wider than any real plan.
_YEARS = range(FIRST_YEAR, LAST_YEAR + 1)


class ApiProblem(HTTPException):
    """An error answered as problem details, with a message for the client."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(description=detail)
        self.code = code


def _bad(detail: str) -> NoReturn:
    raise ApiProblem(400, detail)


# ---- who is asking -------------------------------------------------------------


def _bearer() -> str | None:
    """Return the token of the Authorization header; None when no header is sent."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(
            401, _("Send a personal token as “Authorization: Bearer <token>”.")
        )
    return token.strip()


def _audience() -> Audience:
    """Return the audience of this request: its token's owner, or the public.

    An unknown or revoked token is refused, never read as anonymous; so is a
    feed token, whose URL may sit in a calendar app shared with others.
    """
    raw = _bearer()
    g.api_token = raw is not None
    if raw is None:
        return Audience.public
    owner = resolve_feed_token(raw, now=utcnow(), purpose=AccessPurpose.api)
    if owner is None:
        raise ApiProblem(401, _("This token is unknown or has been revoked."))
    db.session.commit()  # the token's last use, written at most hourly
    return audience_for(owner)


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _rate_limit_key() -> str:
    """Count a token's requests by its hash, anonymous ones by the client address."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "api-token:" + token_key(token.strip())
    return "api-address:" + get_remote_address()


limiter.limit(_rate_limit, key_func=_rate_limit_key)(bp)


# ---- parameters ------------------------------------------------------------------


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw) or not low <= int(raw) <= high:
        _bad(
            _(
                "“%(name)s” must be a whole number from %(low)d to %(high)d.",
                name=name,
                low=low,
                high=high,
            )
        )
    return int(raw)


def _site_zone() -> ZoneInfo:
    return ZoneInfo(str(current_app.config["TIMEZONE"]))


def _parse_instant(name: str, *, end_of_day: bool) -> datetime | None:
    """Return the instant a `from`/`to` value names, or None when absent.

    A date is midnight in the site's zone, the day after it for `to`; a
    date-time needs its offset, so no local time is ever guessed.
    """
    raw = request.args.get(name)
    if raw is None:
        return None
    message = _(
        "“%(name)s” must be a date (2026-11-26) or a date-time with its UTC "
        "offset (2026-11-26T09:00:00+01:00), in a year from 1900 to 2199.",
        name=name,
    )
    try:
        if _DATE.fullmatch(raw):
            day = date.fromisoformat(raw)
            if day.year not in _YEARS:
                _bad(message)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(), _site_zone()).astimezone(
                ZoneInfo("UTC")
            )
        if _DATETIME.fullmatch(raw.upper()):
            instant = datetime.fromisoformat(raw.upper())
            if instant.year not in _YEARS:
                _bad(message)
            return instant.astimezone(ZoneInfo("UTC"))
    except (ValueError, OverflowError):
        pass
    _bad(message)


def _default_start() -> datetime:
    """Return the start of the default window: now, down to the whole minute (UTC).

    The answer's `meta.from` carries it, so a finer instant would change the
    ETag on every call and no client would ever get a 304.
    """
    return utcnow().replace(second=0, microsecond=0)


def _window() -> Window:
    start = _parse_instant("from", end_of_day=False)
    end = _parse_instant("to", end_of_day=True)
    default = timedelta(days=DEFAULT_WINDOW_DAYS)
    if start is None:
        start = end - default if end is not None else _default_start()
    if end is None:
        end = start + default
    if end <= start:
        _bad(_("“to” must be later than “from”."))
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        _bad(
            _(
                "The period may cover at most %(days)d days.",
                days=MAX_WINDOW_DAYS,
            )
        )
    return Window(start=start, end=end)


def _filters() -> CalendarFilters:
    """Return the calendar's filters (app.calendar.filters), without its free text.

    A value that names nothing is refused, so a mistyped slug never answers
    with the whole calendar.
    """
    try:
        filters = parse_filters(request.args, empty_is_any=False)
    except FilterError as error:
        _bad(str(error))
    return replace(filters, q="")


def _statuses(allowed: list[str]) -> frozenset[str]:
    values = request.args.getlist("status")
    for value in values:
        if value not in allowed:
            _bad(
                _(
                    "“status” must be one of: %(values)s.",
                    values=", ".join(allowed),
                )
            )
    return frozenset(values)


def _paging() -> tuple[int, int]:
    page = _int_param("page", 1, 1, MAX_PAGE)
    per_page = _int_param("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return page, per_page


def _calendar_query(statuses: list[str]) -> ListQuery:
    window = _window()
    filters = _filters()
    chosen = _statuses(statuses)
    page, per_page = _paging()
    return ListQuery(
        window=window,
        filters=filters,
        statuses=chosen,
        offset=(page - 1) * per_page,
        limit=per_page,
    )


def _directory_query() -> ListQuery:
    page, per_page = _paging()
    now = utcnow()
    return ListQuery(
        window=Window(start=now, end=now), offset=(page - 1) * per_page, limit=per_page
    )


# ---- answers -----------------------------------------------------------------------


def _json_response(payload: dict[str, Any], status: int = 200) -> Response:
    """Return `payload` as JSON with a strong ETag; 304 when the client's tag matches."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    tag = body_etag(body)
    response = Response(body, status=status, content_type="application/json")
    response.set_etag(tag)
    if not_modified(request.headers.get("If-None-Match"), None, tag, None):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Type", None)
    return response


def _link(page: int, per_page: int) -> str:
    args = [
        (k, v)
        for k, v in request.args.items(multi=True)
        if k not in {"page", "per_page"}
    ]
    args += [("page", str(page)), ("per_page", str(per_page))]
    return f"{request.path}?{urlencode(args)}"


def _list_response(result: Page, q: ListQuery, *, dated: bool) -> Response:
    page = q.offset // q.limit + 1
    has_next = q.offset + q.limit < result.total
    links = {
        "self": _link(page, q.limit),
        "next": _link(page + 1, q.limit) if has_next else None,
        "prev": _link(page - 1, q.limit) if page > 1 else None,
    }
    meta = {
        "page": page,
        "per_page": q.limit,
        "total": result.total,
        "from": services.utc_iso(q.window.start) if dated else None,
        "to": services.utc_iso(q.window.end) if dated else None,
    }
    response = _json_response({"data": result.items, "meta": meta, "links": links})
    header = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items() if rel != "self" and url
    )
    if header:
        response.headers["Link"] = header
    return response


def _item_response(found: dict[str, Any] | None) -> Response:
    if found is None:
        raise ApiProblem(
            404, _("There is no such object, or it is not visible to you.")
        )
    return _json_response({"data": found})


def _checked_id(item_id: int) -> int:
    if not 1 <= item_id <= MAX_ID:
        raise ApiProblem(
            404, _("There is no such object, or it is not visible to you.")
        )
    return item_id


@bp.after_request
def _rate_limit_headers(response: Response) -> Response:
    """Tell the client its limit, what is left of it and when its count starts again.

    Only the API's answers carry them (the site's own limits stay silent):
    X-RateLimit-Reset is a Unix time in seconds. Nothing is added while
    rate limiting is off.
    """
    current = limiter.current_limit
    if current is not None:
        response.headers["X-RateLimit-Limit"] = str(current.limit.amount)
        response.headers["X-RateLimit-Remaining"] = str(current.remaining)
        response.headers["X-RateLimit-Reset"] = str(current.reset_at)
    return response


@bp.after_request
def _caching_headers(response: Response) -> Response:
    """Public answers are cacheable by anyone and readable from any origin; token answers are private.

    Errors are not stored: a 429 or a 401 says nothing about the next request.
    """
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif g.get("api_token"):
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Authorization")
    else:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.vary.add("Authorization")
    return response


# ---- routes --------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """Answer the OpenAPI document of this API."""
    g.api_token = False
    return _json_response(
        build_openapi(request.host_url.rstrip("/") + API_ROOT, services.filter_names())
    )


@bp.get("/events")
def list_events() -> Response:
    audience = _audience()
    q = _calendar_query([s.value for s in EventStatus])
    return _list_response(services.list_events(audience, q), q, dated=True)


@bp.get("/events/<int:item_id>")
def get_event(item_id: int) -> Response:
    audience = _audience()
    window = _window()
    return _item_response(services.get_event(_checked_id(item_id), audience, window))


@bp.get("/programme-items")
def list_programme_items() -> Response:
    audience = _audience()
    q = _calendar_query([s.value for s in DelegationStatus])
    return _list_response(services.list_programme_items(audience, q), q, dated=True)


@bp.get("/programme-items/<int:item_id>")
def get_programme_item(item_id: int) -> Response:
    audience = _audience()
    return _item_response(services.get_programme_item(_checked_id(item_id), audience))


@bp.get("/visits")
def list_visits() -> Response:
    audience = _audience()
    q = _calendar_query([s.value for s in DelegationStatus])
    return _list_response(services.list_visits(audience, q), q, dated=True)


@bp.get("/visits/<int:item_id>")
def get_visit(item_id: int) -> Response:
    audience = _audience()
    return _item_response(services.get_visit(_checked_id(item_id), audience))


@bp.get("/initiatives")
def list_initiatives() -> Response:
    _audience()
    q = _directory_query()
    return _list_response(services.list_initiatives(q), q, dated=False)


@bp.get("/initiatives/<int:item_id>")
def get_initiative(item_id: int) -> Response:
    _audience()
    return _item_response(services.get_initiative(_checked_id(item_id)))


@bp.get("/organisations")
def list_organisations() -> Response:
    _audience()
    q = _directory_query()
    return _list_response(services.list_organisations(q), q, dated=False)


@bp.get("/organisations/<int:item_id>")
def get_organisation(item_id: int) -> Response:
    _audience()
    return _item_response(services.get_organisation(_checked_id(item_id)))


# ---- errors ----------------------------------------------------------------------------


def problem(code: int, detail: str | None = None) -> Response:
    """Return RFC 9457 problem details for an HTTP status."""
    payload: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(code, "Error"),
        "status": code,
    }
    if detail:
        payload["detail"] = detail
    response = Response(json.dumps(payload), status=code, content_type=PROBLEM_TYPE)
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if isinstance(error, ApiProblem):
        return problem(code, error.description)
    detail = {
        404: _("There is no such object, or it is not visible to you."),
        429: _("Too many requests; try again later."),
    }.get(code)
    response = problem(code, detail)
    if code == 405:
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


def _database_unavailable(error: Exception) -> Response:
    """Answer 503 with Retry-After while the database cannot be reached, not 500."""
    seconds = database_unavailable(error)
    return problem(
        503,
        _(
            "The database cannot be reached just now; try again in %(seconds)d seconds.",
            seconds=seconds,
        ),
    )


for _kind in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_kind, _database_unavailable)


@bp.errorhandler(Exception)
def _unexpected_error(error: Exception) -> Response:
    db.session.rollback()
    logger.error(
        "unhandled error on %s %s", request.method, request.path, exc_info=error
    )
    if current_app.config.get("PROPAGATE_EXCEPTIONS"):
        raise error
    return problem(InternalServerError.code)


@bp.before_app_request
def _unrouted_api_request() -> Response | None:
    """Answer a path under /api/ that matches no route (or no method) with problem details.

    Routing errors are raised outside any blueprint, where the site's HTML
    error pages would answer; a program reading the API gets JSON instead.
    """
    failed = request.routing_exception
    if failed is None or not request.path.startswith(PREFIX):
        return None
    code = getattr(failed, "code", None) or 404
    if code < 400:
        return None  # a redirect, such as a missing trailing slash
    if code != 404:
        response = problem(code)
        if code == 405:
            response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
    return problem(
        NotFound.code, _("There is no such object, or it is not visible to you.")
    )
