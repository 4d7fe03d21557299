"""The home page, the upcoming list, and the month, week and list calendar."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from app.calendar.event_page import RETURN_ENDPOINTS, occurrence_name
from app.calendar.filters import (
    FilterError,
    filter_args,
    kind_labels,
    parse_filters,
    parse_kinds,
)
from app.calendar.services import (
    CalendarEntry,
    CalendarFilters,
    EntryKind,
    list_filter_choices,
    list_upcoming,
    list_window,
    search_calendar,
)
from app.core.db import utcnow
from app.core.errors import bad_request_page
from app.core.visibility import audience_for

bp = Blueprint("calendar", __name__)

#: Far beyond any real calendar; pages past the end show the last page anyway.
MAX_PAGE = 100_000

#: The calendar's views; the first is the default (on a phone the list is, see calendar.js).
VIEWS = ("month", "week", "3days", "day", "list")
#: How many days the day and three-day views step by.
VIEW_DAYS = {"day": 1, "3days": 3}

#: Widest period the JSON source answers for (FullCalendar's month grid asks for six weeks).
MAX_JSON_WINDOW = timedelta(days=100)

#: Dates outside these years are ignored as nonsense.
MIN_YEAR, MAX_YEAR = 1900, 2200


@bp.route("/")
def home():
    entries, total = list_upcoming(
        audience_for(current_user),
        now=utcnow(),
        limit=current_app.config["HOME_UPCOMING_LIMIT"],
    )
    return render_template("calendar/home.html", entries=entries, total=total)


@bp.route("/upcoming")
def upcoming():
    chosen = parse_kinds(request.args)
    kinds = [kind for kind in EntryKind if kind in chosen]
    # Clamped so a forged page number cannot overflow the database's OFFSET.
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    per_page = current_app.config["PAGE_SIZE"]
    audience, now = audience_for(current_user), utcnow()

    def load(page: int) -> tuple[list[CalendarEntry], int]:
        return list_upcoming(
            audience,
            now=now,
            kinds=kinds or tuple(EntryKind),
            limit=per_page,
            offset=(page - 1) * per_page,
        )

    entries, total = load(page)
    pages = max((total + per_page - 1) // per_page, 1)
    if page > pages:
        # A stale link past the end (items ended meanwhile) shows the last page.
        page = pages
        entries, total = load(page)
    return render_template(
        "calendar/upcoming.html",
        entries=entries,
        total=total,
        page=page,
        pages=pages,
        kinds=kinds,
        all_kinds=list(EntryKind),
    )


# ---- the calendar ------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days one calendar page shows, in the viewer's zone."""

    view: str
    first: date
    #: The day after the last day shown.
    end: date
    previous: date
    next: date

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return _midnight(self.first, zone), _midnight(self.end, zone)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_for(view: str, day: date) -> Period:
    """Return the month (month and list views), the Monday-first week, or the days from `day`."""
    if view in VIEW_DAYS:
        step = timedelta(days=VIEW_DAYS[view])
        return Period(view, day, end=day + step, previous=day - step, next=day + step)
    if view == "week":
        first = day - timedelta(days=day.weekday())
        week = timedelta(days=7)
        return Period(
            view, first, end=first + week, previous=first - week, next=first + week
        )
    return Period(
        view,
        _month_start(day),
        end=_month_start(day, 1),
        previous=_month_start(day, -1),
        next=_month_start(day, 1),
    )


def _parse_day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _viewer_zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone() or current_app.config["TIMEZONE"]))


@dataclass(frozen=True)
class Day:
    """One day of the server-rendered list, with what starts (or goes on) that day."""

    day: date
    entries: list[CalendarEntry]


def _by_day(entries: list[CalendarEntry], period: Period, zone: ZoneInfo) -> list[Day]:
    """Group entries by their local start day; what began earlier goes under the first day."""

    def day_of(entry: CalendarEntry) -> date:
        return max(entry.start_dt.astimezone(zone).date(), period.first)

    return [Day(day, list(group)) for day, group in groupby(entries, key=day_of)]


@bp.route("/calendar")
def show_calendar():
    args = request.args
    view = args.get("view") or VIEWS[0]
    if view not in VIEWS:
        return bad_request_page(
            _(
                "“view=%(value)s” is not a view of the calendar: use %(views)s.",
                value=view[:40],
                views=", ".join(VIEWS),
            )
        )
    zone = _viewer_zone()
    now = utcnow()
    today = now.astimezone(zone).date()
    anchor = _parse_day(args.get("date")) or today
    period = period_for(view, anchor)
    filters = parse_filters(args)
    audience = audience_for(current_user)
    # The form sends kinds=chosen: no kind ticked then means nothing, not "all".
    kinds_missing = args.get("kinds") == "chosen" and not args.getlist("kind")
    search = None
    entries: list[CalendarEntry] = []
    if filters.q and not kinds_missing:
        search = search_calendar(audience, filters, now=now)
    elif not kinds_missing:
        window_start, window_end = period.utc_bounds(zone)
        entries = list_window(
            audience,
            window_start=window_start,
            window_end=window_end,
            filters=filters,
        )
    uses_script = view != "list" and search is None and not kinds_missing
    if uses_script:
        # FullCalendar writes its rules into a <style> element; the policy
        # allows that one element through this per-request nonce.
        g.csp_style_nonce = secrets.token_urlsafe(16)
    link_args = filter_args(filters)
    labels = _labels(period)
    return render_template(
        "calendar/calendar.html",
        view=view,
        period=period,
        anchor=anchor,
        today=today,
        **labels,
        page_description=_(
            "%(period)s in the International Forum's shared calendar: events, delegation visits and visit programmes, by month, week or as a list.",
            period=labels["period_label"][:1].upper() + labels["period_label"][1:],
        ),
        days=_by_day(entries, period, zone),
        total=len(entries),
        filters=filters,
        link_args=link_args,
        choices=list_filter_choices(),
        all_kinds=list(EntryKind),
        uses_script=uses_script,
        view_chosen="view" in args,
        kinds_missing=kinds_missing,
        search=search,
        active_filters=_active_filters(filters),
        style_nonce=g.get("csp_style_nonce", ""),
        entries_url=url_for("calendar.calendar_entries", **link_args),
        zone_name=zone.key,
    )


def _active_filters(filters: CalendarFilters) -> int:
    """Return how many filters narrow the calendar (every kind ticked narrows nothing)."""
    kinds = 0 < len(filters.kinds) < len(EntryKind)
    return (
        int(kinds)
        + len(filters.initiative_ids)
        + len(filters.organisation_ids)
        + len(filters.theme_ids)
        + int(bool(filters.q))
    )


def _labels(period: Period) -> dict[str, Any]:
    """Return the localised names of a period and of its neighbours."""
    last = period.end - timedelta(days=1)
    if period.view == "week":
        label = _(
            "week %(number)d, %(start)s – %(end)s",
            number=period.first.isocalendar().week,
            start=format_date(period.first, "medium"),
            end=format_date(last, "medium"),
        )
        previous_label, next_label = _("Previous week"), _("Next week")
        list_title = _("This week as a list")
    elif period.view == "day":
        label = format_date(period.first, "full")
        previous_label, next_label = _("Previous day"), _("Next day")
        list_title = _("This day as a list")
    elif period.view == "3days":
        label = _(
            "%(start)s – %(end)s",
            start=format_date(period.first, "medium"),
            end=format_date(last, "medium"),
        )
        previous_label, next_label = _("Previous three days"), _("Next three days")
        list_title = _("These three days as a list")
    else:
        label = format_date(period.first, "LLLL y")
        previous_label, next_label = _("Previous month"), _("Next month")
        list_title = _("This month as a list")
    return {
        "period_label": label,
        "previous_label": previous_label,
        "next_label": next_label,
        "list_title": list_title,
        "view_labels": [
            ("month", _("Month")),
            ("week", _("Week")),
            ("3days", _("3 days")),
            ("day", _("Day")),
            ("list", _("List")),
        ],
        "day_label": lambda day: format_date(day, "full"),
    }


def _parse_bound(raw: str | None, zone: ZoneInfo) -> datetime | None:
    """Return a start/end parameter as UTC: a date, or a date-time with or without offset."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except ValueError:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _local_iso(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def _spans_days(entry: CalendarEntry, zone: ZoneInfo) -> bool:
    """Whether a timed entry belongs in the all-day row: a visit over two days or more, or a day long."""
    if entry.end_dt - entry.start_dt >= timedelta(days=1):
        return True
    first = entry.start_dt.astimezone(zone)
    last = entry.end_dt.astimezone(zone) - timedelta(microseconds=1)
    return entry.kind is EntryKind.visit and first.date() != last.date()


def fullcalendar_event(entry: CalendarEntry, zone: ZoneInfo) -> dict[str, Any]:
    """Return a FullCalendar event object for an entry, in the page's zone.

    Times are naive local wall times: FullCalendar shows them as they are in
    the zone it was given, without needing a time-zone plugin. What spans
    several days (a visit, or anything of a day or more) lies in the all-day
    row over the days it touches, so a week's hours stay readable.
    """
    all_day = entry.is_all_day or _spans_days(entry, zone)
    if entry.is_all_day:
        own = ZoneInfo(entry.timezone)
        start = entry.start_dt.astimezone(own).date().isoformat()
        end = entry.end_dt.astimezone(own).date().isoformat()
    elif all_day:
        first = entry.start_dt.astimezone(zone)
        last = entry.end_dt.astimezone(zone)
        # The day after the last day touched; an end at midnight touches none of it.
        after = last.date() + timedelta(days=0 if last.time() == time() else 1)
        start, end = first.date().isoformat(), after.isoformat()
    else:
        start, end = _local_iso(entry.start_dt, zone), _local_iso(entry.end_dt, zone)
    classes = [f"fc-entry--{entry.kind.value}"]
    if entry.is_cancelled:
        classes.append("fc-entry--cancelled")
    title = entry.title
    if entry.is_cancelled:
        title = _("Cancelled: %(title)s", title=entry.title)
    return {
        "id": f"{entry.kind.value}-{entry.id}-{entry.start_dt.isoformat()}",
        "title": title,
        "start": start,
        "end": end,
        "allDay": all_day,
        "url": entry_url(entry),
        "classNames": classes,
        "extendedProps": {
            "kind": entry.kind.value,
            "kindLabel": kind_labels()[entry.kind.value],
            "location": entry.location,
            "context": entry.context,
            "visibility": entry.visibility.value,
            "cancelled": entry.is_cancelled,
            "recurring": entry.is_recurring,
        },
    }


@bp.route("/calendar/entries.json")
def calendar_entries():
    zone = _viewer_zone()
    start = _parse_bound(request.args.get("start"), zone)
    end = _parse_bound(request.args.get("end"), zone)
    if start is None or end is None or not start < end <= start + MAX_JSON_WINDOW:
        response = jsonify(
            error=_("Give a start and an end at most %(days)d days apart.", days=100)
        )
        response.status_code = 400
        return response
    entries = list_window(
        audience_for(current_user),
        window_start=start,
        window_end=end,
        filters=parse_filters(request.args),
    )
    response = jsonify([fullcalendar_event(entry, zone) for entry in entries])
    # What is listed depends on who asks: never share it between viewers.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


def entry_url(entry: CalendarEntry) -> str:
    """Return the page that shows an entry: the event, or the visit it belongs to.

    A date of a series opens its event at that date, a programme item its
    place on the visit page; from a calendar page, an event's page also gets
    the way back to the calendar as it is now (view, date, filters).
    """
    if entry.kind is EntryKind.event:
        args: dict[str, Any] = {}
        if entry.is_recurring:
            args["occurrence"] = occurrence_name(entry.start_dt, entry.timezone)
        if request.endpoint in RETURN_ENDPOINTS:
            args["back"] = request.full_path.rstrip("?")
        return url_for("events.show_event", event_id=entry.id, **args)
    if entry.kind is EntryKind.programme:
        return url_for(
            "delegations.show_delegation",
            delegation_id=entry.delegation_id,
            _anchor=f"item-{entry.id}",
        )
    return url_for("delegations.show_delegation", delegation_id=entry.delegation_id)


@bp.errorhandler(FilterError)
def _unknown_filter(error: FilterError) -> Any:
    """Say which filter value names nothing, never show the whole calendar instead."""
    if request.path.endswith(".json"):
        response = jsonify(error=str(error))
        response.status_code = 400
        return response
    return bad_request_page(str(error))


@bp.context_processor
def inject_labels() -> dict[str, object]:
    return {"kind_labels": kind_labels(), "entry_url": entry_url}
