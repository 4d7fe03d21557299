"""The upcoming-events widget: a small framable page of public events for partner sites.

A partner embeds `/widget/upcoming` in an iframe. The page shows public events
only, whoever looks: it never reads or writes the visitor's session (so a
visitor logged in to Vertskap sees the same list and gets no cookie), and it
is the only page any site may frame.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date, format_time
from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    render_template,
    request,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.auth.services import public_link
from app.calendar.filters import FilterError, filter_args, parse_filters
from app.calendar.models import Submission
from app.calendar.services import (
    CalendarEntry,
    CalendarFilters,
    EntryKind,
    list_window,
)
from app.core.db import db, utcnow
from app.core.i18n import LOCALES, babel_locale, format_local_datetime
from app.core.visibility import Audience
from app.directory.models import Initiative, Organisation

#: Requests under it get no session (app.core.sessions): the visitor is anonymous.
PREFIX = "/widget/"

bp = Blueprint("widget", __name__, url_prefix=PREFIX.rstrip("/"))

#: Events listed when the snippet does not say.
DEFAULT_LIMIT = 5
#: Most events one widget lists; a larger `limit` is lowered to this.
MAX_LIMIT = 20
#: How far ahead the widget looks for events.
HORIZON = timedelta(days=400)
#: How long browsers and proxies may reuse a widget page.
MAX_AGE = 300
#: The language titles are taken to be written in when nothing records it: the
#: international office and the forum write their calendar in bokmål.
TITLE_LANGUAGE = "nb"
#: What a partner's iframe needs to open the widget's links when it sandboxes
#: the frame: links open in a new tab (target=_blank), and that tab must not
#: inherit the sandbox, or the event page would run without its forms.
IFRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
#: The policy of the widget: its own stylesheet and icon only, no script, framable
#: by any site. connect-src 'self' grants nothing to a page without script; it lets
#: crawlers' page tools read our robots.txt from the widget's own origin.
WIDGET_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *"
)


class WidgetRequestError(ValueError):
    """A parameter of the widget's address has a value we cannot use."""


@dataclass(frozen=True)
class WidgetQuery:
    """What one widget address asks for, validated."""

    lang: str
    filters: CalendarFilters
    limit: int


@dataclass(frozen=True)
class WidgetItem:
    """One event as the widget lists it: texts already in the widget's language."""

    #: The title as HTML: in a `lang` span when its language is not the widget's.
    title: Markup
    url: str
    iso_start: str
    when: str
    place: str
    is_cancelled: bool


@bp.before_request
def _allow_framing() -> None:
    """Let any site frame the widget.

    It has no session (app.core.sessions), so the visitor is anonymous (public
    events only) and no Set-Cookie is ever sent, even to someone logged in.
    """
    g.allow_framing = True


def _lang(raw: str | None) -> str:
    if raw is None or raw == "":
        return str(current_app.config["DEFAULT_LOCALE"])
    if raw not in LOCALES:
        raise WidgetRequestError(
            _("Unknown language “%(value)s”: use lang=nb or lang=en.", value=raw)
        )
    return raw


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise WidgetRequestError(
            _(
                "The limit must be a whole number from 1 to %(max)d.",
                max=MAX_LIMIT,
            )
        )
    return min(max(int(raw), 1), MAX_LIMIT)


def parse_widget_query(args: Any) -> WidgetQuery:
    """Return what the widget's query string asks for, or raise WidgetRequestError.

    The filters are the calendar's (app.calendar.filters); the widget lists
    events only, so a `kind` without "event" lists nothing.
    """
    lang = _lang(args.get("lang"))
    try:
        filters = parse_filters(args)
    except FilterError as error:
        raise WidgetRequestError(str(error)) from error
    return WidgetQuery(
        lang=lang,
        filters=replace(filters, q=""),
        limit=_limit(args.get("limit")),
    )


def _when(entry: CalendarEntry, *, locale: str, zone: str) -> tuple[str, str]:
    """Return the machine-readable start and the shown dates of an entry.

    An all-day entry is dated in its own zone, from its first to its last day
    (it is stored up to midnight after the last). A timed one is shown on the
    clock of `zone`: one date with its two times, or a range over several days.
    """
    if entry.is_all_day:
        tz = ZoneInfo(entry.timezone)
        first = entry.start_dt.astimezone(tz).date()
        last = (entry.end_dt.astimezone(tz) - timedelta(days=1)).date()
        shown = format_date(first, "medium", locale=locale)
        if last > first:
            shown += " – " + format_date(last, "medium", locale=locale)
        return first.isoformat(), shown
    tz = ZoneInfo(zone)
    start, end = entry.start_dt.astimezone(tz), entry.end_dt.astimezone(tz)
    if start.date() == end.date():
        shown = (
            format_local_datetime(entry.start_dt, zone, locale=locale)
            + "–"
            + format_time(end, "short", tzinfo=tz, locale=locale)
        )
    else:
        shown = (
            format_local_datetime(entry.start_dt, zone, locale=locale)
            + " – "
            + format_local_datetime(entry.end_dt, zone, locale=locale)
        )
    return entry.start_dt.isoformat(), shown


def _item(
    entry: CalendarEntry, *, locale: str, zone: str, title_lang: str | None
) -> WidgetItem:
    iso, when = _when(entry, locale=locale, zone=zone)
    title = (
        Markup('<span lang="{}">{}</span>').format(title_lang, entry.title)
        if title_lang
        else escape(entry.title)
    )
    if entry.is_cancelled:
        # The translated text is escaped too; the title goes in as it is (escaped).
        title = escape(_("Cancelled: %(title)s")) % {"title": title}
    return WidgetItem(
        title=title,
        url=public_link("events.show_event", event_id=str(entry.id)),
        iso_start=iso,
        when=when,
        place=entry.location,
        is_cancelled=entry.is_cancelled,
    )


def title_languages(event_ids: list[int]) -> dict[int, str]:
    """Return the language each event's title was written in.

    Events keep no language of their own. A partner's event came from a
    submission, written in the language its submitter used the form in
    (`Submission.locale`); every other event is the office's, in bokmål
    (TITLE_LANGUAGE).
    """
    languages = dict.fromkeys(event_ids, TITLE_LANGUAGE)
    if event_ids:
        rows = db.session.execute(
            sa.select(Submission.event_id, Submission.locale).where(
                Submission.event_id.in_(event_ids)
            )
        )
        languages.update(
            {
                event_id: locale
                for event_id, locale in rows
                if event_id is not None and locale in LOCALES
            }
        )
    return languages


def list_widget_items(query: WidgetQuery, *, now: datetime) -> list[WidgetItem]:
    """Return the public events that have not ended by `now`, first `query.limit` of them."""
    if not query.filters.shows(EntryKind.event):
        return []
    entries = list_window(
        Audience.public,
        window_start=now,
        window_end=now + HORIZON,
        filters=replace(query.filters, kinds=frozenset({EntryKind.event})),
    )
    zone = str(current_app.config["TIMEZONE"])
    locale = babel_locale(query.lang)
    shown = entries[: query.limit]
    languages = title_languages([entry.id for entry in shown])
    return [
        _item(
            entry,
            locale=locale,
            zone=zone,
            title_lang=None
            if languages[entry.id] == query.lang
            else languages[entry.id],
        )
        for entry in shown
    ]


def _calendar_link(filters: CalendarFilters) -> str:
    query = urlencode(filter_args(filters), doseq=True)
    return public_link("calendar.show_calendar") + ("?" + query if query else "")


def _framable(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = WIDGET_POLICY
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


@bp.route("/upcoming")
def upcoming_widget() -> Any:
    raw_lang = request.args.get("lang")
    with force_locale(babel_locale(raw_lang if raw_lang in LOCALES else "")):
        try:
            query = parse_widget_query(request.args)
        except WidgetRequestError as error:
            response = Response(str(error), status=400, mimetype="text/plain")
            return _framable(response)
    with force_locale(babel_locale(query.lang)):
        html = render_template(
            "widget/upcoming.html",
            lang=query.lang,
            items=list_widget_items(query, now=utcnow()),
            calendar_url=_calendar_link(query.filters),
            zone=str(current_app.config["TIMEZONE"]),
        )
    response = _framable(Response(html, mimetype="text/html"))
    response.add_etag()
    return response.make_conditional(request)


@dataclass(frozen=True)
class WidgetSnippet:
    """The subscribe page's widget builder: the choices made and the HTML to copy."""

    lang: str
    initiative_id: int | None
    organisation_id: int | None
    url: str
    html: str


def _chosen(raw: str | None, model: Any) -> int | None:
    if not raw or not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        return None
    return db.session.scalars(sa.select(model.id).where(model.id == int(raw))).first()


@bp.app_template_global()
def widget_snippet(args: Any) -> WidgetSnippet:
    """Return the widget snippet the builder's fields (widget_lang, ...) ask for; unknown values are ignored."""
    lang = args.get("widget_lang")
    if lang not in LOCALES:
        lang = str(current_app.config["DEFAULT_LOCALE"])
    initiative = _chosen(args.get("widget_initiative"), Initiative)
    organisation = _chosen(args.get("widget_organisation"), Organisation)
    query = {"lang": lang, "initiative": initiative, "organisation": organisation}
    url = (
        public_link("widget.upcoming_widget")
        + "?"
        + urlencode({k: v for k, v in query.items() if v is not None})
    )
    with force_locale(babel_locale(lang)):
        title = _("Upcoming events")
    # A partner may sandbox the frame; its links open a new tab, which needs these.
    html = str(
        Markup(
            '<iframe src="{}" title="{}" width="100%" height="400" '
            'loading="lazy" style="border:0" sandbox="{}"></iframe>'
        ).format(url, title, IFRAME_SANDBOX)
    )
    return WidgetSnippet(lang, initiative, organisation, url, html)
