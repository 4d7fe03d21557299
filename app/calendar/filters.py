"""The calendar's filters as a query string: read them, and write them into links.

The calendar pages, the feeds, the subscribe page and the exports all take
the same `initiative`, `organisation`, `theme`, `kind` and `q` arguments, so
they are read here once, below every feature that uses them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.calendar.services import MAX_QUERY_LENGTH, CalendarFilters, EntryKind

#: Most ids of one filter honoured from a URL.
MAX_FILTER_VALUES = 50


def _ids(args: MultiDict[str, str], name: str) -> frozenset[int]:
    return frozenset(
        int(raw)
        for raw in args.getlist(name)[:MAX_FILTER_VALUES]
        if raw.isascii() and raw.isdigit() and len(raw) < 10
    )


def filters_from(args: MultiDict[str, str]) -> CalendarFilters:
    """Return the filters a query string asks for; anything unknown is ignored."""
    known = {kind.value for kind in EntryKind}
    return CalendarFilters(
        initiative_ids=_ids(args, "initiative"),
        organisation_ids=_ids(args, "organisation"),
        theme_ids=_ids(args, "theme"),
        kinds=frozenset(EntryKind(k) for k in args.getlist("kind") if k in known),
        # Control characters (NUL above all, which PostgreSQL refuses) never match.
        q=" ".join(
            "".join(ch if ch.isprintable() else " " for ch in args.get("q", "")).split()
        )[:MAX_QUERY_LENGTH],
    )


def filter_args(filters: CalendarFilters) -> dict[str, Any]:
    """Return the query arguments that reproduce `filters` in a link."""
    args: dict[str, Any] = {
        "initiative": sorted(filters.initiative_ids),
        "organisation": sorted(filters.organisation_ids),
        "theme": sorted(filters.theme_ids),
        "kind": [kind.value for kind in EntryKind if kind in filters.kinds],
    }
    if filters.q:
        args["q"] = filters.q
    return {key: value for key, value in args.items() if value}


def kind_labels() -> dict[str, str]:
    """Return the name of each kind of calendar entry, in the reader's language."""
    return {
        EntryKind.event.value: _("Event"),
        EntryKind.programme.value: _("Visit programme"),
        EntryKind.visit.value: _("Delegation visit"),
    }
