"""The planner: the coming weeks' visits and programme items, with clash warnings."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_babel import get_timezone

from app.core.access import staff_required
from app.core.db import utcnow
from app.core.timezones import utc_to_local
from app.delegations.planner.services import DEFAULT_WEEKS, MAX_WEEKS, build_planner

bp = Blueprint("planner", __name__, url_prefix="/planner")

#: A `from` date outside these years is ignored: no planning is that far off,
#: and it keeps the window's arithmetic clear of date overflow.
_YEARS = range(2000, 2200)


@bp.route("/")
@staff_required
def show_planner():
    zone = str(get_timezone())
    first_day = (
        _parse_day(request.args.get("from")) or utc_to_local(utcnow(), zone).date()
    )
    weeks = request.args.get("weeks", DEFAULT_WEEKS, type=int) or DEFAULT_WEEKS
    weeks = min(max(weeks, 1), MAX_WEEKS)
    planner = build_planner(first_day, weeks=weeks, zone=zone)
    step = timedelta(weeks=weeks)
    return render_template(
        "delegations/planner/show.html",
        planner=planner,
        previous_day=first_day - step,
        next_day=first_day + step,
        last_day=first_day + step - timedelta(days=1),
        max_weeks=MAX_WEEKS,
    )


def _parse_day(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return day if day.year in _YEARS else None
