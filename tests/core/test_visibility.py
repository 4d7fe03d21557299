"""DESIGN.md section 4 as a table: every role against every visibility and every kind.

The expected sets are written out by hand, not derived from app.core.visibility,
so the table checks the rule instead of restating it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from app.auth.models import Role, User
from app.calendar.models import Event
from app.calendar.services import EntryKind, count_visible, list_upcoming
from app.core.db import db
from app.core.visibility import (
    Audience,
    Visibility,
    audience_for,
    can_see,
    can_see_personal_data,
    visible_clause,
)
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProgrammeItem,
    ProtocolLevel,
)
from tests.calendar.pages import home_total, shown_count, shown_entries, shown_titles
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ROLES = ["anonymous", "member", "mayors_office", "admin"]
AUDIENCE_OF_ROLE = {
    "anonymous": Audience.public,
    "member": Audience.forum,
    "mayors_office": Audience.staff,
    "admin": Audience.staff,
}

_PUBLIC_SEES = {
    "event": {"Event public"},
    "programme": {"Item public in public visit"},
    "visit": {"Visit public"},
}
_FORUM_SEES = {
    "event": {"Event public", "Event forum"},
    "programme": {
        "Item public in public visit",
        "Item forum in public visit",
        "Item public in forum visit",
        "Item forum in forum visit",
    },
    "visit": {"Visit public", "Visit forum"},
}
_STAFF_SEES = {
    "event": {"Event public", "Event forum", "Event internal"},
    "programme": {
        f"Item {item} in {visit} visit" for item in Visibility for visit in Visibility
    },
    "visit": {"Visit public", "Visit forum", "Visit internal"},
}
#: What each role may see, per kind of calendar object.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "anonymous": _PUBLIC_SEES,
    "member": _FORUM_SEES,
    "mayors_office": _STAFF_SEES,
    "admin": _STAFF_SEES,
}
#: list_upcoming's total per role: 1+1+1, 2+4+2, 3+9+3.
EXPECTED_TOTAL = {"anonymous": 3, "member": 8, "mayors_office": 15, "admin": 15}
MODELS = {"event": Event, "programme": ProgrammeItem, "visit": Delegation}


@pytest.fixture
def app_settings() -> dict[str, Any]:
    # Room for all 15 items on the home page, so it can be compared in full.
    return {"HOME_UPCOMING_LIMIT": 20}


@pytest.fixture
def calendar(app: Any) -> None:
    """Put one event and one visit of each visibility in, and every item/visit combination.

    Built in one transaction rather than with the committing builders: this
    fixture runs for most tests of the module.
    """
    for n, visibility in enumerate(Visibility):
        start = NOW + timedelta(days=1, hours=n)
        db.session.add(
            Event(
                title=f"Event {visibility}",
                start_dt=start,
                end_dt=start + timedelta(hours=2),
                visibility=visibility,
            )
        )
    for n, visit_visibility in enumerate(Visibility):
        arrival = NOW + timedelta(days=3 + n)
        visit = Delegation(
            title=f"Visit {visit_visibility}",
            direction=Direction.incoming,
            country="DE",
            protocol_level=ProtocolLevel.professional,
            arrival_dt=arrival,
            departure_dt=arrival + timedelta(days=2),
            status=DelegationStatus.confirmed,
            visibility=visit_visibility,
        )
        for m, item_visibility in enumerate(Visibility):
            start = arrival + timedelta(hours=1 + m)
            visit.programme_items.append(
                ProgrammeItem(
                    title=f"Item {item_visibility} in {visit_visibility} visit",
                    start_dt=start,
                    end_dt=start + timedelta(hours=1),
                    visibility=item_visibility,
                )
            )
        db.session.add(visit)
    db.session.commit()
    db.session.expunge_all()


def _user(role: str) -> User | None:
    """Return an unsaved, active user of `role`, or None for an anonymous visitor."""
    if role == "anonymous":
        return None
    return User(email=f"{role}@example.org", name=role, role=Role(role), is_active=True)


@pytest.mark.parametrize("role", ROLES)
def test_audience_for_maps_each_role(role: str) -> None:
    user = _user(role)

    audience = audience_for(user)

    assert audience == AUDIENCE_OF_ROLE[role]


def test_audience_for_treats_flask_login_anonymous_user_as_public() -> None:
    assert audience_for(AnonymousUserMixin()) == Audience.public


@pytest.mark.parametrize("role", ["member", "mayors_office", "admin"])
def test_audience_for_treats_deactivated_user_as_public(role: str) -> None:
    user = User(
        email=f"{role}@example.org", name=role, role=Role(role), is_active=False
    )

    assert audience_for(user) == Audience.public


@pytest.mark.parametrize(
    ("audience", "expected"),
    [(Audience.public, False), (Audience.forum, False), (Audience.staff, True)],
)
def test_can_see_personal_data_only_for_staff(
    audience: Audience, expected: bool
) -> None:
    assert can_see_personal_data(audience) is expected


@pytest.mark.parametrize("role", ROLES)
def test_can_see_personal_data_by_role(role: str) -> None:
    user = _user(role)

    allowed = can_see_personal_data(audience_for(user))

    assert allowed is (role in {"mayors_office", "admin"})


@pytest.mark.parametrize("visit_visibility", list(Visibility))
@pytest.mark.parametrize("item_visibility", list(Visibility))
@pytest.mark.parametrize("role", ROLES)
def test_can_see_programme_item_never_wider_than_its_visit(
    role: str, item_visibility: Visibility, visit_visibility: Visibility
) -> None:
    visit = Delegation(title="Visit", visibility=visit_visibility)
    item = ProgrammeItem(title="Item", delegation=visit, visibility=item_visibility)
    title = f"Item {item_visibility} in {visit_visibility} visit"

    seen = can_see(item, AUDIENCE_OF_ROLE[role])

    assert seen is (title in EXPECTED[role]["programme"])


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("role", ROLES)
def test_can_see_events_and_visits_by_visibility(
    role: str, visibility: Visibility
) -> None:
    audience = AUDIENCE_OF_ROLE[role]

    seen = {
        "event": can_see(Event(title="x", visibility=visibility), audience),
        "visit": can_see(Delegation(title="x", visibility=visibility), audience),
    }

    assert seen == {
        "event": f"Event {visibility}" in EXPECTED[role]["event"],
        "visit": f"Visit {visibility}" in EXPECTED[role]["visit"],
    }


# The four database checks below compare whole tables {role: {kind: titles}}
# with EXPECTED: one stored calendar per backend serves every role.


@pytest.mark.usefixtures("calendar")
def test_visible_clause_selects_exactly_what_each_role_may_see() -> None:
    selected = {
        role: {
            kind: set(
                db.session.scalars(
                    sa.select(model.title).where(
                        visible_clause(model, audience_for(_user(role)))
                    )
                )
            )
            for kind, model in MODELS.items()
        }
        for role in ROLES
    }

    assert selected == EXPECTED


@pytest.mark.usefixtures("calendar")
def test_can_see_on_stored_objects_matches_the_table() -> None:
    stored = {
        kind: db.session.scalars(sa.select(model)).all()
        for kind, model in MODELS.items()
    }

    seen = {
        role: {
            kind: {
                obj.title for obj in objects if can_see(obj, audience_for(_user(role)))
            }
            for kind, objects in stored.items()
        }
        for role in ROLES
    }

    assert seen == EXPECTED


@pytest.mark.usefixtures("calendar")
def test_count_visible_counts_what_each_role_may_see() -> None:
    counts = {
        role: {
            kind: count_visible(model, audience_for(_user(role)))
            for kind, model in MODELS.items()
        }
        for role in ROLES
    }

    assert counts == {
        role: {kind: len(titles) for kind, titles in table.items()}
        for role, table in EXPECTED.items()
    }


@pytest.mark.usefixtures("calendar")
def test_list_upcoming_lists_and_counts_what_each_role_may_see() -> None:
    listed, totals = {}, {}
    for role in ROLES:
        entries, total = list_upcoming(audience_for(_user(role)), now=NOW, limit=100)
        listed[role] = {
            kind.value: {e.title for e in entries if e.kind is kind}
            for kind in EntryKind
        }
        totals[role] = (total, len(entries))

    assert listed == EXPECTED
    assert totals == {role: (n, n) for role, n in EXPECTED_TOTAL.items()}


@pytest.fixture
def log_in_as(create_user: Any, login: Any) -> Any:
    """Return a function that logs the test client in as a new user of a role."""

    def _log_in_as(role: str) -> None:
        if role != "anonymous":
            login(create_user(f"{role}@example.org", role=Role(role)))

    return _log_in_as


@pytest.mark.usefixtures("calendar")
@pytest.mark.parametrize("role", ROLES)
def test_pages_show_exactly_what_role_may_see(
    role: str, log_in_as: Any, client: Any, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    log_in_as(role)

    home = client.get("/").get_data(as_text=True)
    upcoming = client.get("/upcoming").get_data(as_text=True)

    everything = set().union(*EXPECTED[role].values())
    assert set(shown_titles(home)) == everything
    assert home_total(home) == EXPECTED_TOTAL[role]
    shown = shown_entries(upcoming)
    assert {
        kind.value: {e.title for e in shown if e.kind == kind.value}
        for kind in EntryKind
    } == EXPECTED[role]
    assert len(shown) == EXPECTED_TOTAL[role]
    assert shown_count(upcoming) == EXPECTED_TOTAL[role]
