"""Downloads: the register, the calendar and the follow-ups as CSV or Excel.

Each export reads the same query string as the page it is linked from, and
lists what that page would list for the viewer. Participants' personal data
is exported for staff only, and only when asked (`participants=1`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calendar.filters import FilterError, parse_filters
from app.core.access import staff_required
from app.core.db import utcnow
from app.core.errors import bad_request_page
from app.core.visibility import audience_for, can_see_personal_data
from app.delegations.filters import YEARS, choice_arg, read_filters, year_arg
from app.delegations.models import FollowUpStatus
from app.reports.exports import (
    Table,
    build_csv,
    build_xlsx,
    calendar_table,
    followups_table,
    list_export_visits,
    participants_table,
    visits_table,
)

bp = Blueprint("exports", __name__)

#: The two formats every export comes in.
FORMATS = "<any(csv, xlsx):fmt>"
_MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: The calendar export's default period: the next twelve months.
DEFAULT_CALENDAR_DAYS = 365
#: Widest calendar period one export covers; recurring events are expanded in it.
MAX_CALENDAR_DAYS = 3 * 366
MIN_YEAR, MAX_YEAR = YEARS


def _viewer_zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone() or current_app.config["TIMEZONE"]))


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else str(current_app.config["DEFAULT_LOCALE"])


@bp.errorhandler(FilterError)
def _unknown_filter(error: FilterError) -> tuple[str, int]:
    """Say which filter value names nothing: a download of everything would mislead."""
    return bad_request_page(str(error))


def _download(name: str, fmt: str, tables: list[Table]) -> Response:
    """Return the tables as an attachment named after `name` and today's date.

    CSV holds one table; the others are only in the workbook. Never cached:
    what is listed depends on who asks.
    """
    today = utcnow().astimezone(_viewer_zone()).date().isoformat()
    body = build_csv(tables[0]) if fmt == "csv" else build_xlsx(tables)
    response = Response(body, mimetype=_MIMETYPES[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="vertskap-{name}-{today}.{fmt}"'
    )
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


@bp.route(f"/visits/export.{FORMATS}")
@login_required
def export_visits(fmt: str) -> Response:
    """Send the register with its filters; the workbook adds participants when staff ask."""
    audience = audience_for(current_user)
    with_participants = request.args.get("participants") == "1"
    if with_participants and not can_see_personal_data(audience):
        abort(403)
    visits = list_export_visits(audience, read_filters(request.args))
    tables = [visits_table(audience, visits, language=_language())]
    if with_participants and fmt == "xlsx":
        tables.append(participants_table(audience, visits))
    return _download("visits", fmt, tables)


@bp.route("/visits/participants.csv")
@staff_required
def export_participants() -> Response:
    """Send the participants of the register's filtered visits as CSV (staff only)."""
    if request.args.get("participants") != "1":
        abort(400)
    audience = audience_for(current_user)
    visits = list_export_visits(audience, read_filters(request.args))
    return _download("participants", "csv", [participants_table(audience, visits)])


@bp.route(f"/visits/follow-ups.{FORMATS}")
@staff_required
def export_followups(fmt: str) -> Response:
    """Every follow-up item of the visible visits, by status and the visits' year."""
    table = followups_table(
        audience_for(current_user),
        status=choice_arg(request.args, "status", FollowUpStatus),
        year=year_arg(request.args),
        zone=_viewer_zone().key,
    )
    return _download("follow-ups", fmt, [table])


def _day_arg(name: str) -> date | None:
    """Return the day the query's `name` gives (YYYY-MM-DD), None when it is empty.

    A value that is not such a day is refused (BadDayError), never read as "today".
    """
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == len("2027-01-31") else None
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadDayError(name, raw)
    return day


class BadDayError(ValueError):
    """A period's `from` or `to` is not a day (the message is in the reader's language)."""

    def __init__(self, name: str, value: str) -> None:
        super().__init__(name, value)
        self.name, self.value = name, value[:40]

    def __str__(self) -> str:
        return _(
            "“%(name)s=%(value)s” is not a day: write it as YYYY-MM-DD, such as "
            "2027-01-31.",
            name=self.name,
            value=self.value,
        )


@bp.errorhandler(BadDayError)
def _bad_day(error: BadDayError) -> tuple[str, int]:
    return bad_request_page(str(error))


@bp.route(f"/calendar/export.{FORMATS}")
def export_calendar(fmt: str) -> Response | tuple[str, int]:
    """Send the calendar's entries from `from` to `to` (days, both included), filtered.

    Without dates it covers the next twelve months from today, in the viewer's zone.
    """
    zone = _viewer_zone()
    first = _day_arg("from") or utcnow().astimezone(zone).date()
    last = _day_arg("to") or first + timedelta(days=DEFAULT_CALENDAR_DAYS - 1)
    if last < first or (last - first).days >= MAX_CALENDAR_DAYS:
        return bad_request_page(
            _("Choose a period of at most three years, ending after it starts.")
        )
    table = calendar_table(
        audience_for(current_user),
        window_start=_midnight(first, zone),
        window_end=_midnight(last + timedelta(days=1), zone),
        filters=parse_filters(request.args),
    )
    return _download("calendar", fmt, [table])


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
