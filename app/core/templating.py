"""Template helpers: dates in the viewer's zone, the language switch, the current path."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, request
from flask_babel import (
    format_date,
    format_time,
    get_locale,
    get_timezone,
    to_user_timezone,
)
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from app.core.markdown import render_markdown
from app.core.timezones import utc_to_local


def format_span(
    start: datetime, end: datetime, *, all_day: bool = False, zone: str | None = None
) -> str:
    """Return a compact, localised "when" of a span, in the viewer's zone.

    All-day spans are dated in their own `zone`: they end at midnight after the
    last day, which is not shown.
    """
    if all_day:
        tz = zone or str(get_timezone())
        first = utc_to_local(start, tz).date()
        last = (utc_to_local(end, tz) - timedelta(days=1)).date()
        if last <= first:
            return format_date(first, "medium")
        return f"{format_date(first, 'medium')} – {format_date(last, 'medium')}"
    if to_user_timezone(start).date() == to_user_timezone(end).date():
        return f"{format_date(start, 'medium')}, {format_time(start, 'short')}–{format_time(end, 'short')}"
    return (
        f"{format_date(start, 'medium')} {format_time(start, 'short')} – "
        f"{format_date(end, 'medium')} {format_time(end, 'short')}"
    )


def register_template_helpers(app: Flask) -> None:
    """Make the helpers available in every template."""

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "current_locale": get_locale().language if get_locale() else "nb",
            "current_timezone": str(get_timezone() or ""),
            "current_path": request.full_path.rstrip("?") if request else "/",
            "visibility_label": visibility_label,
        }

    app.jinja_env.globals["format_span"] = format_span
    app.jinja_env.globals["canonical_url"] = canonical_url
    # Descriptions are limited Markdown, sanitised by nh3: the only HTML users write.
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def canonical_url() -> str:
    """Return this page's own address at PUBLIC_BASE_URL, without its query.

    Search engines then count `/calendar?view=list&date=...` and `/events/5?back=...`
    as the one page they are; "" where no route answered (a 404 of no route).
    """
    if request.endpoint is None or request.url_rule is None:
        return ""
    try:
        path = current_app.url_map.bind("").build(
            request.endpoint, request.view_args or {}
        )
    except BuildError:
        return ""
    return current_app.config["PUBLIC_BASE_URL"] + path


def visibility_label(value: str) -> str:
    """Return the translated name of a visibility."""
    return {"public": _("Public"), "forum": _("Forum"), "internal": _("Internal")}.get(
        value, value
    )
