"""Shared pieces of the programme tests: a staff user, a member and a visit in Oslo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from app.auth.models import Role, User
from app.core.db import db
from app.delegations.models import Delegation
from app.directory.models import Official, Venue

#: Sunday 6 December 2026, 08:00 in Oslo (UTC+1).
ARRIVAL = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)


@pytest.fixture
def staff(create_user: Callable[..., User]) -> User:
    return create_user(role=Role.mayors_office, locale="en", name="Mona Mayor")


@pytest.fixture
def member(create_user: Callable[..., User]) -> User:
    return create_user(role=Role.member, locale="en", name="Mats Member")


@pytest.fixture
def visit(create_delegation: Callable[..., Delegation]) -> Delegation:
    return create_delegation("Delegation from Hamburg", arrival=ARRIVAL, days=2)


@pytest.fixture
def venue(app: Any) -> Venue:
    place = Venue(name="City Hall", address="Munkegata 1")
    db.session.add(place)
    db.session.commit()
    return place


@pytest.fixture
def mayor(app: Any) -> Official:
    official = Official(name="Rita Ottervik", title="Mayor")
    db.session.add(official)
    db.session.commit()
    return official


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"PROPAGATE_EXCEPTIONS": True}
