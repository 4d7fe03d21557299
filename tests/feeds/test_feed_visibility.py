"""Who sees what in which feed: every role, token life, personal data, the demo data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import sqlalchemy as sa

from app.auth.models import Role, User
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import Participant
from app.feeds.tokens import create_feed_token, revoke_feed_token
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

#: Distinctive personal data that must never reach any feed.
PERSONAL = ("Zebulon Quixworth", "Marigold Fenwhistle", "Xyzzy-free diet", "Ramp-9")


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> Any:
    """The views read the clock; pin it to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def world(create_event, create_delegation, create_programme_item) -> dict[str, Any]:
    """One event, one visit and one programme item at each visibility, with participants."""
    made: dict[str, Any] = {}
    for level in Visibility:
        made[f"event_{level}"] = create_event(f"Event {level}", visibility=level)
        visit = create_delegation(f"Visit {level}", visibility=level)
        made[f"visit_{level}"] = visit
        made[f"item_{level}"] = create_programme_item(
            f"Item {level}",
            delegation=visit,
            visibility=level,
            responsible_person="Marigold Fenwhistle",
        )
        db.session.add(
            Participant(
                delegation=visit,
                name="Zebulon Quixworth",
                dietary_needs="Xyzzy-free diet",
                accessibility_needs="Ramp-9",
            )
        )
    # A public item of an internal visit: never wider than its visit.
    made["public_item_of_internal_visit"] = create_programme_item(
        "Public item, internal visit",
        delegation=made["visit_internal"],
        visibility=Visibility.public,
    )
    db.session.commit()
    return made


def _uids(body: bytes) -> set[str]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]) for e in calendar.walk("VEVENT")}


def _expected(world: dict[str, Any], *levels: str) -> set[str]:
    uids = {
        world[f"{kind}_{level}"].uid
        for kind in ("event", "visit", "item")
        for level in levels
    }
    if "internal" in levels:
        uids.add(world["public_item_of_internal_visit"].uid)
    return uids


def _token_for(user: User) -> str:
    _token, raw = create_feed_token(user, label="Laptop", now=NOW)
    db.session.commit()
    return raw


def test_public_feed_shows_only_public_items(client, world):
    assert _uids(client.get("/feeds/public.ics").data) == _expected(world, "public")


def test_public_feed_ignores_a_logged_in_session(client, world, create_user, login):
    login(create_user(role=Role.admin))

    assert _uids(client.get("/feeds/public.ics").data) == _expected(world, "public")


@pytest.mark.parametrize(
    ("role", "levels"),
    [
        (Role.member, ("public", "forum")),
        (Role.mayors_office, ("public", "forum", "internal")),
        (Role.admin, ("public", "forum", "internal")),
    ],
)
def test_private_feed_shows_what_the_owner_may_see(
    client, world, create_user, role, levels
):
    raw = _token_for(create_user(role=role))

    assert _uids(client.get(f"/feeds/{raw}.ics").data) == _expected(world, *levels)


def test_private_feed_name_follows_the_owner_language(client, world, create_user):
    nb = _token_for(create_user(locale="nb"))
    en = _token_for(create_user(locale="en"))

    name_nb = icalendar.Calendar.from_ical(client.get(f"/feeds/{nb}.ics").data)
    name_en = icalendar.Calendar.from_ical(
        client.get(f"/feeds/{en}.ics", headers={"Accept-Language": "nb"}).data
    )

    assert str(name_en["X-WR-CALNAME"]) == "Vertskap – International Forum"
    # Needs the feed msgids merged into messages.po and compiled.
    assert str(name_nb["X-WR-CALNAME"]) == "Vertskap – Internasjonalt forum"


def test_revoked_token_answers_404(client, world, create_user):
    user = create_user()
    token, raw = create_feed_token(user, label="Phone", now=NOW)
    db.session.commit()
    before = client.get(f"/feeds/{raw}.ics")

    revoke_feed_token(token, actor=user, now=NOW)
    db.session.commit()

    assert before.status_code == 200
    assert client.get(f"/feeds/{raw}.ics").status_code == 404


def test_deactivated_owner_feed_answers_404_on_the_next_fetch(
    client, world, create_user
):
    user = create_user()
    raw = _token_for(user)
    before = client.get(f"/feeds/{raw}.ics")

    user.is_active = False
    db.session.commit()

    assert before.status_code == 200
    assert client.get(f"/feeds/{raw}.ics").status_code == 404


def test_lowered_role_takes_effect_on_the_next_fetch(client, world, create_user):
    user = create_user(role=Role.admin)
    raw = _token_for(user)
    before = _uids(client.get(f"/feeds/{raw}.ics").data)

    user.role = Role.member
    db.session.commit()

    assert before == _expected(world, "public", "forum", "internal")
    assert _uids(client.get(f"/feeds/{raw}.ics").data) == _expected(
        world, "public", "forum"
    )


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (None, ("public",)),
        (Role.member, ("public", "forum")),
        (Role.admin, ("public", "forum", "internal")),
    ],
)
def test_visit_programme_feed_shows_the_items_the_viewer_may_see(
    client, world, create_user, login, role, visible
):
    if role is not None:
        login(create_user(role=role))

    for level in Visibility:
        visit = world[f"visit_{level}"]
        response = client.get(f"/visits/{visit.id}/programme.ics")
        if level.value in visible:
            items = {
                i.uid for i in visit.programme_items if i.visibility.value in visible
            }
            assert response.status_code == 200
            assert _uids(response.data) == items
        else:
            assert response.status_code == 404


def test_no_feed_ever_contains_personal_data_or_internal_notes(
    client, world, create_user, login
):
    world["visit_public"].notes = "Internal note Qwertyx"
    world["visit_public"].cost_bearer = "Budget line Blorptax"
    db.session.commit()
    admin = create_user(role=Role.admin)
    tokens = [_token_for(create_user(role=role)) for role in Role]
    bodies = [client.get("/feeds/public.ics").data]
    bodies.extend(client.get(f"/feeds/{raw}.ics").data for raw in tokens)
    login(admin)
    for level in Visibility:
        visit = world[f"visit_{level}"]
        bodies.append(client.get(f"/visits/{visit.id}/programme.ics").data)
        bodies.append(client.get(f"/events/{world[f'event_{level}'].id}.ics").data)

    text = b"\n".join(bodies).decode()
    assert len(bodies) == 1 + len(Role) + 2 * len(Visibility)
    for secret in (*PERSONAL, "Qwertyx", "Blorptax"):
        assert secret not in text
        # Folding could split a name across lines: check the unfolded text too.
        assert secret not in text.replace("\r\n ", "")


DEMO_USERS = {
    "member": "medlem@ntnu.example",
    "mayors_office": "ordforer@vertskap.example",
    "admin": "admin@vertskap.example",
}


def _parse_everywhere(body: bytes) -> int:
    calendar = icalendar.Calendar.from_ical(body)
    recurring_ical_events.of(calendar).between(
        NOW - timedelta(days=90), NOW + timedelta(days=400)
    )
    return len(calendar.walk("VEVENT"))


def test_every_demo_feed_parses_for_every_role(app, client, demo_data):
    paths = ["/feeds/public.ics", "/feeds/public.ics?kind=visit&kind=programme"]
    for email in DEMO_USERS.values():
        user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()
        paths.append(f"/feeds/{_token_for(user)}.ics")
    visits = db.session.scalars(sa.text("SELECT id FROM delegations")).all()
    events = db.session.scalars(sa.text("SELECT id FROM events")).all()
    admin = db.session.execute(
        sa.select(User).filter_by(email=DEMO_USERS["admin"])
    ).scalar_one()
    admin_paths = [f"/visits/{i}/programme.ics" for i in visits] + [
        f"/events/{i}.ics" for i in events
    ]

    counts = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        counts[path] = _parse_everywhere(response.data)
    client.post(
        "/login", data={"email": admin.email, "password": "vertskap-admin-demo"}
    )
    for path in admin_paths:
        response = client.get(path)
        assert response.status_code == 200, path
        _parse_everywhere(response.data)

    public, _visits_only, member, mayor, admin_count = counts.values()
    assert 0 < public < member < mayor == admin_count
    text = b"".join(client.get(p).data for p in paths).decode()
    for participant in db.session.scalars(sa.select(Participant)):
        assert participant.name not in text


def test_private_feed_categories_follow_the_owner_language(client, world, create_user):
    nb = _token_for(create_user(locale="nb"))
    en = _token_for(create_user(locale="en"))

    def categories(raw: str) -> set[str]:
        calendar = icalendar.Calendar.from_ical(client.get(f"/feeds/{raw}.ics").data)
        item = next(
            e for e in calendar.walk("VEVENT") if e["UID"] == world["item_public"].uid
        )
        return {str(c) for c in item["CATEGORIES"].cats}

    assert categories(nb) == {"Besøksprogram"}
    assert categories(en) == {"Visit programme"}
