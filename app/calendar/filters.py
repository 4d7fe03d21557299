"""The calendar's filter vocabulary: read it from a query string, write it into links.

One vocabulary for everything that narrows the calendar: its pages, the feeds,
the subscribe page, the exports, the read API and the widget all take
`initiative`, `organisation`, `theme` and `kind`, and the calendar's `q`. Each
of the four is repeatable: any of the values of one parameter, and all of the
parameters given. An initiative or a theme is named by its id or its slug, an
organisation by its id or its short name (spaces and Norwegian letters
included), a kind by its name (event, programme, visit).

A value that names nothing raises `FilterError`, never "no filter": each
surface answers it in its own way (a 400 page, a 404 in plain text for a
feed, problem details in the API), never with the whole calendar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.calendar.services import MAX_QUERY_LENGTH, CalendarFilters, EntryKind
from app.core.db import db
from app.directory.models import Initiative, Organisation, Theme

#: Most values of one filter a URL may give.
MAX_FILTER_VALUES = 50
#: Most characters of a refused value repeated in the message.
_SHOWN_LENGTH = 60

#: An id in a filter: a whole number that fits the database's integer.
_ID = re.compile(r"[0-9]{1,9}")
#: A slug of an initiative or a theme.
SLUG_REGEX = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}"
#: An organisation's short name ("NTNU", "Visit Trondheim", "Trøndelag
#: fylkeskommune"): up to 40 characters, no control characters, no blank at
#: either end. The same text in Python's and ECMAScript's regex dialects.
SHORT_NAME_REGEX = r"[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,38}[^\s\x00-\x1f\x7f])?"


class FilterError(ValueError):
    """A filter value names nothing, is not one the filter knows, or comes too often.

    `str()` gives the message in the language active when it is read, so a
    surface can say it in its reader's language (a feed in the feed's).
    """

    def __init__(
        self,
        name: str,
        value: str,
        *,
        names: str | None = None,
        too_many: bool = False,
        choices: tuple[str, ...] = (),
    ) -> None:
        super().__init__(name, value)
        #: The query parameter, and the value refused (shortened, printable).
        self.name = name
        self.value = _shown(value)
        #: What the value should name: "initiative", "organisation", "theme" or
        #: "kind"; the parameter's name unless a page calls it otherwise.
        self.names = names or name
        self.too_many = too_many
        #: For names="choice": the values the parameter takes.
        self.choices = choices

    def __str__(self) -> str:
        if self.too_many:
            return _(
                "“%(name)s” may be given at most %(count)d times.",
                name=self.name,
                count=MAX_FILTER_VALUES,
            )
        values = {"name": self.name, "value": self.value}
        match self.names:
            case "choice":
                return _(
                    "“%(name)s=%(value)s” is not a value this filter knows: use "
                    "%(choices)s.",
                    choices=", ".join(self.choices),
                    **values,
                )
            case "year":
                return _(
                    "“%(name)s=%(value)s” is not a year: give four digits, such as "
                    "2027.",
                    **values,
                )
            case "country":
                return _(
                    "No country has the code in “%(name)s=%(value)s”: give its "
                    "two-letter code, such as NO or DE.",
                    **values,
                )
            case "initiative":
                return _(
                    "No initiative matches “%(name)s=%(value)s”: give its number "
                    "or its short name.",
                    **values,
                )
            case "organisation":
                return _(
                    "No organisation matches “%(name)s=%(value)s”: give its number "
                    "or its short name.",
                    **values,
                )
            case "theme":
                return _(
                    "No theme matches “%(name)s=%(value)s”: give its number or its "
                    "short name.",
                    **values,
                )
        return _(
            "No kind of entry matches “%(name)s=%(value)s”: use event, programme "
            "or visit.",
            **values,
        )


def _shown(value: str) -> str:
    printable = "".join(ch if ch.isprintable() else "\ufffd" for ch in value)
    if len(printable) > _SHOWN_LENGTH:
        return printable[: _SHOWN_LENGTH - 1] + "…"
    return printable


@dataclass(frozen=True)
class _Reference:
    """A filter that names rows of the directory: by id, or by a text key of `shape`."""

    name: str
    model: Any
    key: Any
    shape: re.Pattern[str]


_REFERENCES = (
    _Reference("initiative", Initiative, Initiative.slug, re.compile(SLUG_REGEX)),
    _Reference(
        "organisation",
        Organisation,
        Organisation.short_name,
        re.compile(SHORT_NAME_REGEX),
    ),
    _Reference("theme", Theme, Theme.slug, re.compile(SLUG_REGEX)),
)


def _values(args: MultiDict[str, str], name: str, *, empty_is_any: bool) -> list[str]:
    """Return the values of one parameter; an empty one means "any" if `empty_is_any`.

    Not stripped: " NTNU" names nothing, as the API's document says.
    """
    values = args.getlist(name)
    if len(values) > MAX_FILTER_VALUES:
        raise FilterError(name, "", too_many=True)
    return [value for value in values if value or not empty_is_any]


def _resolve(reference: _Reference, values: Sequence[str]) -> frozenset[int]:
    """Return the ids `values` name; raise FilterError for the first that names nothing."""
    if not values:
        return frozenset()
    ids = {int(value) for value in values if _ID.fullmatch(value)}
    # Only well-shaped texts reach the database: PostgreSQL refuses NUL in text.
    keys = {value for value in values if reference.shape.fullmatch(value)}
    model = reference.model
    found = db.session.execute(
        sa.select(model.id, reference.key).where(
            sa.or_(model.id.in_(ids), reference.key.in_(keys))
        )
    ).all()
    by_id = {row_id for row_id, _key in found}
    by_key = {key: row_id for row_id, key in found}
    resolved: set[int] = set()
    for value in values:
        # A number is an id first, as in the API; else it may be a short name.
        if _ID.fullmatch(value) and int(value) in by_id:
            resolved.add(int(value))
        elif value in by_key:
            resolved.add(by_key[value])
        else:
            raise FilterError(reference.name, value)
    return frozenset(resolved)


def resolve_reference(kind: str, value: str, *, name: str | None = None) -> int:
    """Return the id of the initiative, organisation or theme `value` names.

    `kind` is one of the filters ("initiative", "organisation", "theme");
    `name` is the query parameter when another page calls it otherwise (the
    register's "host" is an organisation). Raises FilterError naming it.
    """
    reference = next(r for r in _REFERENCES if r.name == kind)
    try:
        (found,) = _resolve(reference, [value])
    except FilterError as error:
        raise FilterError(name or kind, value, names=kind) from error
    return found


def parse_kinds(
    args: MultiDict[str, str], *, empty_is_any: bool = True
) -> frozenset[EntryKind]:
    """Return the kinds of entry `kind` asks for; raise FilterError for an unknown one."""
    known = {kind.value: kind for kind in EntryKind}
    kinds: set[EntryKind] = set()
    for value in _values(args, "kind", empty_is_any=empty_is_any):
        if value not in known:
            raise FilterError("kind", value)
        kinds.add(known[value])
    return frozenset(kinds)


def parse_filters(
    args: MultiDict[str, str], *, empty_is_any: bool = True
) -> CalendarFilters:
    """Return the filters a query string asks for, resolved against the directory.

    Raises FilterError for a value that names nothing: a filter is never
    dropped, so a mistyped slug never widens what is listed to everything.
    An empty value is the pages' "any" (a form's first option); the API,
    whose document allows none, passes `empty_is_any=False` to refuse it.
    """
    initiatives, organisations, themes = (
        _resolve(reference, _values(args, reference.name, empty_is_any=empty_is_any))
        for reference in _REFERENCES
    )
    return CalendarFilters(
        initiative_ids=initiatives,
        organisation_ids=organisations,
        theme_ids=themes,
        kinds=parse_kinds(args, empty_is_any=empty_is_any),
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
