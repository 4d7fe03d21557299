"""The name a feed carries into a calendar app: what it holds, short and one line.

A calendar app lists each subscription under the feed's name (X-WR-CALNAME
and NAME), so a member with two filtered feeds needs to tell them apart: an
unfiltered feed keeps its audience's name ("Vertskap – International Forum"),
a filtered one names its filters after the audience's short name
("Internasjonalt forum – India 2011", "International Forum – Energy, Climate").
Initiative titles, theme names in the feed's language, organisation short
names and kinds, in that order; a long list is cut, so a name stays short.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app.calendar.services import CalendarFilters, EntryKind
from app.core.db import db
from app.core.i18n import babel_locale
from app.core.visibility import Audience
from app.directory.models import Initiative, Organisation, Theme
from calendar_feeds import clean_text

#: Longest name, in characters: calendar apps show a name in a narrow column.
MAX_NAME_LENGTH = 80
#: Longest single value (an initiative's title may hold 200 characters).
MAX_VALUE_LENGTH = 32
#: Values of one filter named before the rest are counted ("India 2011, Kina +2").
NAMED_PER_FILTER = 2
#: Between the values of one filter, and between filters.
_VALUE_SEPARATOR = ", "
_FILTER_SEPARATOR = " · "


def feed_name(audience: Audience, filters: CalendarFilters, *, language: str) -> str:
    """Return the calendar name of the feed `audience` gets with `filters`, in `language`.

    Only what a feed filters by counts (not the calendar page's free text,
    which a feed link never carries but a hand-made one might: then it is
    named too, in quotes). No control characters, at most MAX_NAME_LENGTH.
    """
    with force_locale(babel_locale(language)):
        parts = _filter_parts(filters, language)
        if not parts:
            return _whole_calendar_name(audience)
        name = f"{_short_name(audience)} – {_FILTER_SEPARATOR.join(parts)}"
    # The ellipsis apart: "NTNU · Events …" says "and more", not "Events" cut short.
    return _shorten(clean_text(name), MAX_NAME_LENGTH, more=" …")


def _whole_calendar_name(audience: Audience) -> str:
    if audience is Audience.public:
        return _("Vertskap – public calendar")
    if audience is Audience.staff:
        return _("Vertskap – internal calendar")
    return _("Vertskap – International Forum")


def _short_name(audience: Audience) -> str:
    if audience is Audience.public:
        return "Vertskap"
    if audience is Audience.staff:
        return _("Vertskap internal")
    return _("International Forum")


def _kind_names() -> dict[EntryKind, str]:
    return {
        EntryKind.event: _("Events"),
        EntryKind.programme: _("Visit programmes"),
        EntryKind.visit: _("Delegation visits"),
    }


def _filter_parts(filters: CalendarFilters, language: str) -> list[str]:
    groups: list[list[str]] = []
    if filters.initiative_ids:
        groups.append(
            list(
                db.session.scalars(
                    sa.select(Initiative.title)
                    .where(Initiative.id.in_(filters.initiative_ids))
                    .order_by(Initiative.title, Initiative.id)
                )
            )
        )
    if filters.theme_ids:
        themes = db.session.scalars(
            sa.select(Theme).where(Theme.id.in_(filters.theme_ids))
        )
        groups.append(sorted(theme.name(language) for theme in themes))
    if filters.organisation_ids:
        groups.append(
            list(
                db.session.scalars(
                    sa.select(Organisation.short_name)
                    .where(Organisation.id.in_(filters.organisation_ids))
                    .order_by(Organisation.short_name)
                )
            )
        )
    if filters.kinds:
        names = _kind_names()
        groups.append([names[kind] for kind in EntryKind if kind in filters.kinds])
    if filters.q.strip():
        groups.append([_("“%(text)s”", text=filters.q.strip())])
    return [part for part in (_named(values) for values in groups) if part]


def _named(values: list[str]) -> str:
    """Return the first values of one filter, and how many more there are."""
    shown = [
        _shorten(" ".join(clean_text(value).split()), MAX_VALUE_LENGTH)
        for value in values
    ]
    shown = [value for value in shown if value]
    if len(shown) > NAMED_PER_FILTER + 1:
        rest = len(shown) - NAMED_PER_FILTER
        return f"{_VALUE_SEPARATOR.join(shown[:NAMED_PER_FILTER])} +{rest}"
    return _VALUE_SEPARATOR.join(shown)


def _shorten(text: str, limit: int, *, more: str = "…") -> str:
    """Return `text` cut to `limit` characters, at a word's end if one is near, then `more`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(more)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,·–…") + more
