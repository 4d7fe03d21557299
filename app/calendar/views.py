"""The home page and the list of upcoming items."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.calendar.services import EntryKind, list_upcoming
from app.core.db import utcnow
from app.core.visibility import audience_for

bp = Blueprint("calendar", __name__)


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
    kinds = [
        EntryKind(k) for k in request.args.getlist("kind") if k in EntryKind.__members__
    ]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = current_app.config["PAGE_SIZE"]
    entries, total = list_upcoming(
        audience_for(current_user),
        now=utcnow(),
        kinds=kinds or tuple(EntryKind),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    pages = max((total + per_page - 1) // per_page, 1)
    return render_template(
        "calendar/upcoming.html",
        entries=entries,
        total=total,
        page=min(page, pages),
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
