"""Subscribable iCal feeds: the public feed, private token feeds and a visit's programme."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.calendar.filters import FilterError, parse_filters
from app.calendar.services import CalendarFilters
from app.core.calendar_object import PRODID
from app.core.calendar_version import current_calendar_version
from app.core.db import db, utcnow
from app.core.http_cache import CachePolicy, calendar_response
from app.core.i18n import LOCALES, babel_locale, select_language
from app.core.visibility import Audience, audience_for
from app.delegations.services import get_visible_delegation
from app.feeds.cache import CachedFeed, feed_cache
from app.feeds.lane import LANE_RETRY_AFTER, LANE_VERSION
from app.feeds.limits import feed_limits, token_key
from app.feeds.models import AccessPurpose
from app.feeds.names import feed_name
from app.feeds.services import (
    FeedContent,
    assemble_feed,
    collect_feed,
    feed_bytes,
    visit_programme_content,
)
from app.feeds.tokens import resolve_feed_token
from calendar_feeds import ZoneSpan

bp = Blueprint("feeds", __name__)


def _over_limit(token: str | None = None) -> Response | None:
    """Count this fetch (unless the lane did) and return a 429 if a limit is exceeded.

    The answer is plain text and the same whatever the token: the site's HTML
    error page would start a session and echo the path (and so a private
    feed's token) in its language switcher.
    """
    if LANE_RETRY_AFTER in request.environ:
        wait = request.environ[LANE_RETRY_AFTER]
    else:
        wait = feed_limits(current_app).hit(
            request.remote_addr or "", None if token is None else token_key(token)
        )
    if wait is None:
        return None
    response = Response("Too many requests\n", status=429, content_type="text/plain")
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/feeds/public.ics", methods=["GET"])
def public_feed() -> Response:
    if (refused := _over_limit()) is not None:
        return refused
    # Reads neither the user nor the session: one answer for everyone, which
    # a CDN may cache (varying by language and coding only).
    language = _request_language()
    filters = _filters(language)
    if isinstance(filters, Response):
        return filters
    return _feed_response(
        Audience.public,
        filters=filters,
        language=language,
        filename="public.ics",
        scope="public",
        vary=("Accept-Language",),
    )


@bp.route("/feeds/<token>.ics", methods=["GET"])
def private_feed(token: str) -> Response:
    if (refused := _over_limit(token)) is not None:
        return refused
    now = utcnow()
    # Feed tokens only: an API token in a feed URL is as unknown as any other.
    owner = resolve_feed_token(token, now=now, purpose=AccessPurpose.feed)
    if owner is None:
        # The same answer for unknown, malformed and revoked tokens, and for
        # deactivated owners: nothing tells them apart.
        return Response("Not found\n", status=404, content_type="text/plain")
    db.session.commit()  # last_used_dt, written at most once an hour
    filters = _filters(owner.locale)
    if isinstance(filters, Response):
        return filters
    return _feed_response(
        audience_for(owner),
        filters=filters,
        language=owner.locale,
        filename="vertskap.ics",
        scope="private",
    )


@bp.route("/visits/<int:delegation_id>/programme.ics", methods=["GET"])
def visit_feed(delegation_id: int) -> Response:
    if (refused := _over_limit()) is not None:
        return refused
    audience = audience_for(current_user)
    visit = get_visible_delegation(delegation_id, audience)
    language = select_language()
    content = visit_programme_content(visit, audience, language=language)
    with force_locale(babel_locale(language)):
        name = _("Programme: %(title)s", title=visit.title)
    return _respond(
        content,
        name=name,
        filename=f"visit-{visit.id}-programme.ics",
        scope="private",
    )


def _filters(language: str) -> CalendarFilters | Response:
    """Return the feed's filters, or a 404 saying in words which value names nothing.

    Never the whole calendar for a mistyped filter: a subscribed calendar would
    quietly fill with everything. Plain text, as every feed error (no page,
    no session); the lane keeps no answer but a feed's own.
    """
    try:
        return parse_filters(request.args)
    except FilterError as error:
        with force_locale(babel_locale(language)):
            text = str(error)
    return Response(f"{text}\n", status=404, content_type="text/plain; charset=utf-8")


def _request_language() -> str:
    """Return the language asked for by `lang`, else by Accept-Language, else the default."""
    asked = request.args.get("lang", "")
    if asked in LOCALES:
        return asked
    best = request.accept_languages.best_match(["nb", "no", "nn", "en"])
    if best in {"no", "nn"}:
        return "nb"
    return best or str(current_app.config["DEFAULT_LOCALE"])


def _feed_response(
    audience: Audience,
    *,
    filters: CalendarFilters,
    language: str,
    filename: str,
    scope: str,
    vary: tuple[str, ...] = (),
) -> Response:
    """Answer a feed from the worker's cache while the calendar version stands.

    The key holds everything that shapes the bytes, and the day: the 90-day
    window and the expiry of cancelled items move on daily without a change.
    The calendar's name (`app.feeds.names`) follows from the audience, the
    filters and the language, and the names it shows raise the calendar
    version when they change: it is read only when the feed is built.
    """
    config = current_app.config
    now = utcnow()
    version = current_calendar_version()

    def build() -> CachedFeed:
        content = collect_feed(
            audience,
            filters=filters,
            window_start=_window_start(now),
            now=now,
            language=language,
            keep_cancelled=timedelta(days=config["FEED_CANCELLED_DAYS"]),
        )
        body, etag = assemble_feed(
            content.entries,
            name=feed_name(audience, filters, language=language),
            prodid=PRODID,
            refresh=_refresh(),
            empty_zone=_site_zone(now),
        )
        return CachedFeed(
            version=version, body=body, last_modified=content.last_change, etag=etag
        )

    key = (audience, filters, language, now.date())
    entry = feed_cache(current_app).get_or_build(key, version, build)
    request.environ[LANE_VERSION] = version  # the lane may answer it again
    return calendar_response(
        entry.body,
        etag=entry.etag,
        filename=filename,
        cache=_cache_policy(scope),
        last_modified=entry.last_modified,
        vary=vary,
        compressed=entry.gzipped,
    )


def _site_zone(now: datetime) -> ZoneSpan:
    """Return the city's zone this year: the one component an empty feed carries."""
    zone = str(current_app.config["TIMEZONE"])
    return ZoneSpan(zone, now.date(), now.date())


def _refresh() -> timedelta:
    return timedelta(minutes=current_app.config["FEED_REFRESH_MINUTES"])


def _cache_policy(scope: str) -> CachePolicy:
    return CachePolicy(
        "public" if scope == "public" else "private",
        current_app.config["FEED_MAX_AGE"],
    )


def _window_start(now: datetime) -> datetime:
    return now - timedelta(days=current_app.config["FEED_WINDOW_DAYS_BACK"])


def _respond(
    content: FeedContent,
    *,
    name: str,
    filename: str,
    scope: str,
    vary: tuple[str, ...] = (),
) -> Response:
    body = feed_bytes(
        content.entries,
        name=name,
        prodid=PRODID,
        refresh=_refresh(),
        empty_zone=_site_zone(utcnow()),
    )
    return calendar_response(
        body,
        filename=filename,
        cache=_cache_policy(scope),
        last_modified=content.last_change,
        vary=vary,
    )
