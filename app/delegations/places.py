"""Where a visit takes place, and where its delegation comes from: one rule.

An incoming delegation visits us: its visit takes place in the host city
(`HOST_CITY` in `HOST_COUNTRY`), and the city and country on its record are
where it comes from ("from Hamburg, Germany"). An outgoing visit takes place
in the city and country on its record, and has no origin to tell. The
calendar, the feeds, the API and the visit pages all ask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from app.delegations.models import Delegation, Direction


@dataclass(frozen=True)
class Place:
    """A city (possibly unknown) and its ISO 3166-1 country."""

    city: str
    country: str

    @property
    def short(self) -> str:
        """The city, or the country's code when the city is unknown."""
        return self.city or self.country

    def text(self, country_name: Callable[[str], str]) -> str:
        """Return "City, Country", the country named by `country_name`."""
        return ", ".join(
            part for part in (self.city, country_name(self.country)) if part
        )


def _own_place(visit: Delegation) -> Place:
    return Place(city=visit.city.name if visit.city else "", country=visit.country)


def visit_place(visit: Delegation) -> Place:
    """Return where the visit takes place: the host city for an incoming one."""
    if visit.direction is Direction.incoming:
        config = current_app.config
        return Place(city=config["HOST_CITY"], country=config["HOST_COUNTRY"])
    return _own_place(visit)


def visit_origin(visit: Delegation) -> Place | None:
    """Return where an incoming delegation comes from; None for an outgoing visit."""
    if visit.direction is Direction.incoming:
        return _own_place(visit)
    return None
