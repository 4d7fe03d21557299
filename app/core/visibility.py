"""Who sees which calendar object: DESIGN.md section 4, written once.

Every query that lists, counts or searches calendar objects filters through
`visible_clause`, and every page about one object checks `can_see`.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement


class Visibility(enum.StrEnum):
    """How far a calendar object is shown."""

    public = "public"
    forum = "forum"
    internal = "internal"


class Audience(enum.StrEnum):
    """The three kinds of viewer the rule tells apart."""

    public = "public"  # anonymous visitors and the public feed
    forum = "forum"  # forum members and their feeds
    staff = "staff"  # the mayor's office and the international office


#: The visibilities each audience may see.
VISIBLE_TO: dict[Audience, frozenset[Visibility]] = {
    Audience.public: frozenset({Visibility.public}),
    Audience.forum: frozenset({Visibility.public, Visibility.forum}),
    Audience.staff: frozenset(Visibility),
}


class _Viewer(Protocol):
    is_authenticated: bool

    @property
    def audience(self) -> Audience: ...


def audience_for(user: _Viewer | None) -> Audience:
    """Return the audience of a user; anonymous users and None are the public."""
    if user is None or not user.is_authenticated:
        return Audience.public
    return user.audience


def visible_clause(model: Any, audience: Audience) -> ColumnElement[bool]:
    """Return the WHERE clause selecting the rows of `model` that `audience` may see.

    A programme item is never shown wider than the visit it belongs to, so its
    clause also requires the visit to be visible.
    """
    allowed = sorted(VISIBLE_TO[audience])
    clause = model.visibility.in_(allowed)
    parent = getattr(model, "__visibility_parent__", None)
    if parent is not None and audience is not Audience.staff:
        relationship = getattr(model, parent)
        clause = sa.and_(
            clause,
            relationship.has(
                relationship.property.mapper.class_.visibility.in_(allowed)
            ),
        )
    return clause


def can_see(obj: Any, audience: Audience) -> bool:
    """Return whether `audience` may see this one object (the rule of `visible_clause`)."""
    if obj.visibility not in VISIBLE_TO[audience]:
        return False
    parent = getattr(type(obj), "__visibility_parent__", None)
    return parent is None or can_see(getattr(obj, parent), audience)


def can_see_personal_data(audience: Audience) -> bool:
    """Return whether participants' personal data may be shown (staff pages only)."""
    return audience is Audience.staff
