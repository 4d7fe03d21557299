"""Look-ups in the directory shared by every feature."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.db import db
from app.directory.models import Organisation


def list_organisations() -> list[Organisation]:
    """Return every organisation, by short name, for pickers."""
    return list(
        db.session.scalars(sa.select(Organisation).order_by(Organisation.short_name))
    )


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
