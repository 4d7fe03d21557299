"""Look-ups in the directory shared by every feature."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.db import db
from app.directory.models import Initiative, Organisation

#: Norwegian letters after z, in their own order (æ, ø, å); case and accents aside.
_NORWEGIAN_ORDER = str.maketrans({"æ": "z\u0001", "ø": "z\u0002", "å": "z\u0003"})


def people_order(text: str) -> str:
    """Return a sort key that orders names as people do: NiT beside NTNU, Ålesund last."""
    return text.casefold().translate(_NORWEGIAN_ORDER)


def list_organisations() -> list[Organisation]:
    """Return every organisation, by short name as people sort it, for pickers."""
    organisations = db.session.scalars(sa.select(Organisation))
    return sorted(organisations, key=lambda org: people_order(org.short_name))


def get_organisation_by_short_name(short_name: str) -> Organisation | None:
    """Return the organisation with this short name (case-insensitive), if any."""
    return db.session.scalar(
        sa.select(Organisation).where(
            sa.func.lower(Organisation.short_name) == short_name.strip().lower()
        )
    )


def get_organisation(organisation_id: int | None) -> Organisation | None:
    """Return the organisation with this id; None for None or 0 (the pickers' "none")."""
    return db.session.get(Organisation, organisation_id) if organisation_id else None


def organisation_options() -> list[tuple[str, str]]:
    """Return (id, "NTNU – Norges teknisk-...") pairs of every organisation, for pickers."""
    return [(str(org.id), org.label) for org in list_organisations()]


def initiative_options() -> list[tuple[str, str]]:
    """Return (id, title) pairs of every initiative by title, for pickers."""
    initiatives = db.session.scalars(sa.select(Initiative).order_by(Initiative.title))
    return [(str(initiative.id), initiative.title) for initiative in initiatives]
