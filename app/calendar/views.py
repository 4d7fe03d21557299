"""The home page and the list of upcoming items."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.calendar.services import CalendarEntry, EntryKind, list_upcoming
from app.core.db import utcnow
from app.core.visibility import audience_for

bp = Blueprint("calendar", __name__)

#: Far beyond any real calendar; pages past the end show the last page anyway.
MAX_PAGE = 100_000


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
    known = {kind.value for kind in EntryKind}
    kinds = [
        EntryKind(k) for k in dict.fromkeys(request.args.getlist("kind")) if k in known
    ]
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


@bp.context_processor
def inject_labels() -> dict[str, object]:
    return {
        "kind_labels": {
            EntryKind.event.value: _("Event"),
            EntryKind.programme.value: _("Visit programme"),
            EntryKind.visit.value: _("Delegation visit"),
        }
    }
