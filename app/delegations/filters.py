"""The register's query-string filters, read in one place.

The register page and its CSV and Excel exports narrow the visits with the
same query string, so both read it here.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from app.calendar.filters import FilterError, resolve_reference
from app.delegations.forms import is_country_code
from app.delegations.models import DelegationStatus, Direction, ProtocolLevel
from app.delegations.services import DelegationFilters

E = TypeVar("E", bound=Enum)

#: The years a register filter may name (a forged "year=99999" is refused).
YEARS = (1900, 2200)
#: The search text's longest useful length; more is cut.
MAX_SEARCH = 200

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

    An empty value means "any", as the page's menus send it. Any other value
    the filter does not know (a direction, a status or level that does not
    exist, a year that is not one, a country code no country has, an
    initiative or host that names nothing) raises FilterError
    (app.calendar.filters): a forged or outdated link never lists every visit.
    """
    country = args.get("country", "").strip()
    return DelegationFilters(
        direction=choice_arg(args, "direction", Direction),
        status=choice_arg(args, "status", DelegationStatus),
        year=year_arg(args),
        country=_country(country) if country else None,
        initiative_id=_reference(args, "initiative", "initiative"),
        host_organisation_id=_reference(args, "host", "organisation"),
        protocol_level=choice_arg(args, "level", ProtocolLevel),
        text=args.get("q", "")[:MAX_SEARCH],
    )


def choice_arg(args: Any, name: str, enum: type[E]) -> E | None:
    """Return the member of `enum` the query names, None for empty; else FilterError."""
    value = args.get(name, "")
    if not value:
        return None
    try:
        return enum(value)
    except ValueError:
        raise FilterError(
            name,
            value,
            names="choice",
            choices=tuple(member.value for member in enum),
        ) from None


def year_arg(args: Any) -> int | None:
    """Return the year the query names, None for empty; else FilterError."""
    value = args.get("year", "").strip()
    if not value:
        return None
    if len(value) == 4 and value.isascii() and value.isdigit():
        year = int(value)
        if YEARS[0] <= year <= YEARS[1]:
            return year
    raise FilterError("year", value, names="year")


def _country(value: str) -> str:
    code = value.upper()
    if not is_country_code(code):
        raise FilterError("country", value, names="country")
    return code


def _reference(args: Any, name: str, kind: str) -> int | None:
    """Return the id the register's one-choice filter `name` names, or None for "any"."""
    value = args.get(name, "")
    return resolve_reference(kind, value, name=name) if value else None
