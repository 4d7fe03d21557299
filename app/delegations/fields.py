"""Which fields of a visit each reader sees: one rule for the visit page and the exports.

Staff (the mayor's office and the international office) see every field.
Everyone else who may see the visit sees all but the staff working fields:
whether it needs an interpreter, its visibility (who may see it), the host
contact (a named person at the city), who pays for what, the budget and the
notes. The visit page lists `visit_fields(audience)` in this
order, and the register's CSV and Excel exports write the same fields as
columns, so an export never carries a field its reader's page hides.
Participants are personal data with pages and sheets of their own, for staff
only (`app.core.visibility.can_see_personal_data`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.core.visibility import Audience


@dataclass(frozen=True)
class VisitField:
    """One fact about a visit: its key, its label, and whether only staff see it."""

    key: str
    label: LazyString
    staff_only: bool = False


#: Every field of a visit, in the order of the visit page.
VISIT_FIELDS = (
    VisitField("status", _l("Status")),
    VisitField("direction", _l("Direction")),
    VisitField("arrival", _l("Arrival")),
    VisitField("departure", _l("Departure")),
    VisitField("timezone", _l("Time zone")),
    VisitField("city", _l("City")),
    VisitField("country", _l("Country")),
    VisitField("foreign_organisations", _l("Foreign organisations")),
    VisitField("head_of_delegation", _l("Head of delegation")),
    VisitField("protocol_level", _l("Protocol level")),
    VisitField("size", _l("Number of people")),
    VisitField("host_organisation", _l("Host organisation")),
    VisitField("co_hosts", _l("Co-host organisations")),
    VisitField("initiative", _l("Initiative")),
    VisitField("themes", _l("Themes")),
    VisitField("languages", _l("Languages")),
    VisitField("needs_interpreter", _l("Needs an interpreter"), staff_only=True),
    VisitField("visibility", _l("Visibility"), staff_only=True),
    VisitField("host_contact", _l("Host contact"), staff_only=True),
    VisitField("cost_bearer", _l("Who pays for what"), staff_only=True),
    VisitField("budget_nok", _l("Budget (NOK)"), staff_only=True),
    VisitField("notes", _l("Notes"), staff_only=True),
)


def sees_staff_fields(audience: Audience) -> bool:
    """Return whether `audience` sees a visit's staff working fields."""
    return audience is Audience.staff


def visit_fields(audience: Audience) -> list[VisitField]:
    """Return the fields of a visit `audience` sees, in the visit page's order."""
    staff = sees_staff_fields(audience)
    return [field for field in VISIT_FIELDS if staff or not field.staff_only]
