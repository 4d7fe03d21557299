"""Visits and their programme items as plain feed items for `calendar_feeds`.

The feeds use them, and so do the change notices, which attach the changed
item as an .ics file.
"""

from __future__ import annotations

from dataclasses import replace

from babel import Locale
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.services import public_link
from app.core.calendar_object import PRODID
from app.core.i18n import babel_locale
from app.delegations.models import Delegation, DelegationStatus, ProgrammeItem
from app.delegations.places import visit_origin, visit_place
from calendar_feeds import FeedItem, build_calendar

#: RFC 5545 STATUS of a visit and of its programme items.
VISIT_STATUS = {
    DelegationStatus.enquiry: "TENTATIVE",
    DelegationStatus.tentative: "TENTATIVE",
    DelegationStatus.confirmed: "CONFIRMED",
    DelegationStatus.completed: "CONFIRMED",
    DelegationStatus.cancelled: "CANCELLED",
}

#: CATEGORIES labels: a visit and its programme have no categories of their own.
_PROGRAMME_LABEL = _l("Visit programme")
_VISIT_LABEL = _l("Visit")


def _label(label: LazyString, language: str) -> str:
    with force_locale(babel_locale(language)):
        return str(label)


def programme_feed_item(item: ProgrammeItem, *, language: str) -> FeedItem:
    """Return the feed item of a programme item: its time and place, the visit's status."""
    visit = item.delegation
    place = [item.venue.name, item.venue.address] if item.venue else []
    return FeedItem(
        uid=item.uid,
        sequence=item.sequence or 0,
        title=item.title,
        description=item.description,
        start_dt=item.start_dt,
        end_dt=item.end_dt,
        timezone=visit.timezone,
        location=", ".join(part for part in [*place, item.location] if part.strip()),
        # The item's own place on the visit page, where the calendar links too.
        url=public_link("delegations.show_delegation", delegation_id=str(visit.id))
        + f"#item-{item.id}",
        status=VISIT_STATUS[visit.status],
        categories=(_label(_PROGRAMME_LABEL, language),),
        last_modified=item.updated_dt,
        created=item.created_dt,
    )


def visit_feed_item(visit: Delegation, *, language: str) -> FeedItem:
    """Return the feed item of a visit's span, from arrival to departure.

    Its place is where the visit happens (the host city for an incoming
    delegation); where an incoming delegation comes from is told in words.
    """
    territories = Locale.parse(babel_locale(language)).territories

    def country_name(code: str) -> str:
        return str(territories.get(code, code))

    origin = visit_origin(visit)
    description = ""
    if origin is not None:
        with force_locale(babel_locale(language)):
            description = _("From %(place)s", place=origin.text(country_name))
    return FeedItem(
        uid=visit.uid,
        sequence=visit.sequence or 0,
        title=visit.title,
        description=description,
        start_dt=visit.arrival_dt,
        end_dt=visit.departure_dt,
        timezone=visit.timezone,
        location=visit_place(visit).text(country_name),
        url=public_link("delegations.show_delegation", delegation_id=str(visit.id)),
        status=VISIT_STATUS[visit.status],
        categories=(_label(_VISIT_LABEL, language),),
        last_modified=visit.updated_dt,
        created=visit.created_dt,
    )


def change_ics(
    obj: Delegation | ProgrammeItem, *, language: str, removed: bool = False
) -> bytes:
    """Return the .ics file of one visit or programme item, as a change notice attaches it.

    A removed programme item is written CANCELLED, one SEQUENCE later, so a
    calendar program that imported it drops it.
    """
    item = (
        visit_feed_item(obj, language=language)
        if isinstance(obj, Delegation)
        else programme_feed_item(obj, language=language)
    )
    if removed:
        item = replace(item, status="CANCELLED", sequence=item.sequence + 1)
    return build_calendar([item], name=item.title, prodid=PRODID)
