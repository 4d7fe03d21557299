"""The delegation register: finding, creating, changing and moving visits through their states."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.core.db import db
from app.core.visibility import Audience, visible_clause
from app.delegations.models import Delegation


def get_visible_delegation(delegation_id: int, audience: Audience) -> Delegation:
    """Return the visit if `audience` may see it; raise 404 otherwise.

    404 rather than 403, so that a member cannot even learn that an internal
    visit exists.
    """
    delegation = db.session.scalar(
        sa.select(Delegation).where(
            Delegation.id == delegation_id, visible_clause(Delegation, audience)
        )
    )
    if delegation is None:
        raise NotFound()
    return delegation
