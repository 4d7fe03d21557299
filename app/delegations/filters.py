"""The register's query-string filters, read in one place.

The register page and its CSV and Excel exports narrow the visits with the
same query string, so both read it here.
"""

from __future__ import annotations

from typing import Any

from app.calendar.filters import resolve_reference
from app.delegations.models import DelegationStatus, Direction, ProtocolLevel
from app.delegations.services import DelegationFilters

#: The query-string keys the register's filters use (kept in page and export links).
FILTER_KEYS = (
    "direction",
    "status",
    "year",
    "country",
    "initiative",
    "host",
    "level",
    "q",
)


def read_filters(args: Any) -> DelegationFilters:
    """Turn the query string into filters.

    The initiative (an id or a slug) and the host organisation (an id or a
    short name) are read as the calendar reads them: one that names nothing
    raises FilterError (app.calendar.filters), never lists every visit. Other
    unknown values (a direction, a year) are ignored: the page's own menus
    never send them.
    """

    def enum_arg(name: str, enum: Any) -> Any:
        try:
            return enum(args.get(name, ""))
        except ValueError:
            return None

    def int_arg(name: str, low: int, high: int) -> int | None:
        value = args.get(name, type=int)
        return value if value is not None and low <= value <= high else None

    country = args.get("country", "").strip().upper()
    return DelegationFilters(
        direction=enum_arg("direction", Direction),
        status=enum_arg("status", DelegationStatus),
        year=int_arg("year", 1900, 2200),
        country=country if len(country) == 2 and country.isalpha() else None,
        initiative_id=_reference(args, "initiative", "initiative"),
        host_organisation_id=_reference(args, "host", "organisation"),
        protocol_level=enum_arg("level", ProtocolLevel),
        text=args.get("q", "")[:200],
    )


def _reference(args: Any, name: str, kind: str) -> int | None:
    """Return the id the register's one-choice filter `name` names, or None for "any"."""
    value = args.get(name, "")
    return resolve_reference(kind, value, name=name) if value else None
