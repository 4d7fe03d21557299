"""The delegation register: list filters, search and visibility per role; create and edit pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProtocolLevel,
)
from app.directory.models import City, Initiative

pytestmark = pytest.mark.integration

_ROW_TITLE = re.compile(
    r'<tr class="visit-row">\s*<td><a href="/visits/\d+">([^<]*)</a>'
)


def _titles(html: str) -> list[str]:
    """Return the titles of the visits listed on a register page, in order."""
    return _ROW_TITLE.findall(html)


def _form(**changes: str) -> dict[str, str]:
    """Return a valid visit form as the browser sends it, with `changes`."""
    data = {
        "direction": "incoming",
        "title": "Mayor of Kyiv",
        "country": "UA",
        "protocol_level": "mayoral",
        "arrival": "2026-12-01T10:00",
        "departure": "2026-12-03T15:30",
        "timezone": "Europe/Oslo",
        "visibility": "internal",
        "city_id": "0",
        "host_contact_id": "0",
        "host_organisation_id": "0",
        "initiative_id": "0",
        "size": "12",
        "foreign_organisations": "Kyiv City Council",
        "head_of_delegation": "Vitali Klitschko",
        "languages": "English",
        "cost_bearer": "",
        "budget_nok": "",
        "notes": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def register(create_delegation, create_organisation):
    """Three visits of every visibility and a spread of fields to filter on."""
    host = create_organisation("NTNU")
    city = City(name="Darmstadt", country="DE")
    initiative = Initiative(
        slug="india", title="India 2011", programme_period="2011-2012"
    )
    db.session.add_all([city, initiative])
    db.session.commit()
    create_delegation(
        "Hamburg harbour",
        visibility=Visibility.public,
        arrival=datetime(2026, 12, 10, 9, tzinfo=UTC),
        host_organisation_id=host.id,
    )
    create_delegation(
        "Forum study trip",
        visibility=Visibility.forum,
        direction=Direction.outgoing,
        country="IN",
        initiative_id=initiative.id,
        arrival=datetime(2027, 2, 1, 9, tzinfo=UTC),
        status=DelegationStatus.tentative,
        foreign_organisations="Indian Institute of Science",
    )
    create_delegation(
        "Secret ministerial",
        visibility=Visibility.internal,
        protocol_level=ProtocolLevel.ministerial,
        city_id=city.id,
        arrival=datetime(2026, 12, 20, 9, tzinfo=UTC),
        head_of_delegation="Olaf Scholz",
    )
    return {"host": host, "initiative": initiative}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.admin, ["Forum study trip", "Secret ministerial", "Hamburg harbour"]),
        (
            Role.mayors_office,
            ["Forum study trip", "Secret ministerial", "Hamburg harbour"],
        ),
        (Role.member, ["Forum study trip", "Hamburg harbour"]),
    ],
)
def test_list_delegations_shows_what_the_role_may_see(
    client, create_user, login, register, role, expected
):
    login(create_user(role=role, locale="en"))

    response = client.get("/visits/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _titles(html) == expected
    assert ("3 visits" if len(expected) == 3 else "2 visits") in html


def test_list_delegations_sends_anonymous_users_to_log_in(client, register):
    response = client.get("/visits/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_list_delegations_member_search_never_reveals_internal_visits(
    client, create_user, login, register
):
    login(create_user(role=Role.member, locale="en"))

    response = client.get("/visits/?q=Scholz")

    html = response.get_data(as_text=True)
    assert _titles(html) == []
    assert "0 visits" in html
    assert "Secret ministerial" not in html


def test_list_delegations_filters_and_searches(client, create_user, login, register):
    login(create_user(role=Role.mayors_office, locale="en"))
    queries = [
        "direction=outgoing",
        "status=tentative",
        "year=2027",
        "year=2026",
        "country=in",
        "level=ministerial",
        "q=harbour",
        "q=indian+institute",
        "q=scholz",
        "q=darmst",
        "q=100%25",
        "direction=incoming&level=ministerial&year=2026",
        "direction=&status=&year=&country=&level=",
    ]

    found = {
        query: _titles(client.get(f"/visits/?{query}").get_data(as_text=True))
        for query in queries
    }

    everything = ["Forum study trip", "Secret ministerial", "Hamburg harbour"]
    assert found == {
        "direction=outgoing": ["Forum study trip"],
        "status=tentative": ["Forum study trip"],
        "year=2027": ["Forum study trip"],
        "year=2026": ["Secret ministerial", "Hamburg harbour"],
        "country=in": ["Forum study trip"],
        "level=ministerial": ["Secret ministerial"],
        "q=harbour": ["Hamburg harbour"],
        "q=indian+institute": ["Forum study trip"],
        "q=scholz": ["Secret ministerial"],
        "q=darmst": ["Secret ministerial"],
        "q=100%25": [],
        "direction=incoming&level=ministerial&year=2026": ["Secret ministerial"],
        "direction=&status=&year=&country=&level=": everything,
    }


def test_list_delegations_filters_by_initiative_and_host_and_keeps_them_in_the_form(
    client, create_user, login, register
):
    login(create_user(role=Role.mayors_office, locale="en"))
    initiative, host = register["initiative"], register["host"]

    by_initiative = client.get(f"/visits/?initiative={initiative.id}")
    by_host = client.get(f"/visits/?host={host.id}")

    assert _titles(by_initiative.get_data(as_text=True)) == ["Forum study trip"]
    html = by_host.get_data(as_text=True)
    assert _titles(html) == ["Hamburg harbour"]
    assert f'<option value="{host.id}" selected>NTNU</option>' in html


@pytest.mark.parametrize("app_settings", [{"PAGE_SIZE": 2}])
def test_list_delegations_paginates_keeping_filters(
    client, create_user, login, register
):
    login(create_user(role=Role.admin, locale="en"))

    first = client.get("/visits/?direction=incoming&q=")
    second = client.get("/visits/?direction=incoming&page=2")

    assert _titles(first.get_data(as_text=True)) == [
        "Secret ministerial",
        "Hamburg harbour",
    ]
    assert "Page 1 of 1" not in first.get_data(as_text=True)
    everyone = client.get("/visits/")
    html = everyone.get_data(as_text=True)
    assert _titles(html) == ["Forum study trip", "Secret ministerial"]
    assert 'href="/visits/?page=2"' in html
    assert _titles(second.get_data(as_text=True)) == []
    assert _titles(client.get("/visits/?page=2").get_data(as_text=True)) == [
        "Hamburg harbour"
    ]


def test_show_delegation_is_404_for_a_member_opening_an_internal_visit(
    client, create_user, login, create_delegation
):
    visit = create_delegation("Secret ministerial", visibility=Visibility.internal)
    login(create_user(role=Role.member, locale="en"))

    response = client.get(f"/visits/{visit.id}")

    assert response.status_code == 404
    assert "Secret ministerial" not in response.get_data(as_text=True)


def test_show_delegation_shows_a_public_visit_to_anonymous_users_without_staff_fields(
    client, create_delegation
):
    visit = create_delegation(
        "Hamburg harbour", visibility=Visibility.public, notes="Gift: a book"
    )

    response = client.get(f"/visits/{visit.id}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Hamburg harbour" in html
    assert "Gift: a book" not in html
    assert "/status" not in html
    assert client.get(f"/visits/{visit.id}/edit").status_code == 302


def test_show_delegation_shows_fields_tabs_and_transitions_to_staff(
    client, create_user, login, create_delegation
):
    visit = create_delegation(
        "Hamburg harbour",
        status=DelegationStatus.tentative,
        notes="Gift: a book",
        arrival=datetime(2026, 12, 10, 9, tzinfo=UTC),
    )
    login(create_user(role=Role.mayors_office, locale="en"))

    html = client.get(f"/visits/{visit.id}").get_data(as_text=True)

    assert "Gift: a book" in html
    assert "10 Dec 2026, 10:00" in html  # 09:00 UTC in the visit's zone
    assert re.findall(r'name="to" value="(\w+)"', html) == ["confirmed", "cancelled"]
    tabs = re.search(r'<ul class="tabs">(.*?)</ul>', html, re.S)
    assert tabs is not None
    assert re.findall(r'<li><a href="/visits/\d+/([\w-]*)', tabs[1]) == [
        "programme",
        "checklist",
        "participants",
        "follow-up",
        "interest",
    ]


def test_new_delegation_is_forbidden_to_members(client, create_user, login):
    login(create_user(role=Role.member, locale="en"))

    response = client.post("/visits/new", data=_form())

    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


def test_new_delegation_registers_an_enquiry_in_utc(client, create_user, login):
    staff = create_user(role=Role.mayors_office, locale="en")
    login(staff)

    response = client.post("/visits/new", data=_form())

    visit = db.session.scalars(sa.select(Delegation)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/visits/{visit.id}"
    assert (visit.title, visit.status, visit.country, visit.size) == (
        "Mayor of Kyiv",
        DelegationStatus.enquiry,
        "UA",
        12,
    )
    assert visit.arrival_dt == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert visit.departure_dt == datetime(2026, 12, 3, 14, 30, tzinfo=UTC)
    assert visit.host_contact_id == staff.id
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_id == visit.id)
    ).all()
    assert actions == ["created"]


def _error_of(html: str, field: str) -> str | None:
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return error.group(1) if error else None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"departure": "2026-12-01T09:00"},
            "departure",
            "The departure must be after the arrival.",
        ),
        (
            {"arrival": "2026-03-29T02:30", "departure": "2026-03-30T10:00"},
            "arrival",
            "2026-03-29 02:30 does not exist in Europe/Oslo: the clocks jump forward"
            " that night. Choose another time.",
        ),
        (
            {"arrival": "2026-10-24T10:00", "departure": "2026-10-25T02:30"},
            "departure",
            "2026-10-25 02:30 happens twice in Europe/Oslo: the clocks go back that"
            " night. Choose a time outside that hour.",
        ),
        ({"title": "x" * 10_000}, "title", "Use at most 200 characters."),
    ],
)
def test_new_delegation_refuses_bad_input_and_keeps_the_form(
    client, create_user, login, changes, field, message
):
    login(create_user(role=Role.mayors_office, locale="en"))

    response = client.post("/visits/new", data=_form(**changes))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _error_of(html, field) == message
    assert 'value="Vitali Klitschko"' in html
    assert f'value="{changes.get("arrival", "2026-12-01T10:00")}"' in html
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


def test_new_delegation_refuses_unknown_choices_and_numbers(client, create_user, login):
    login(create_user(role=Role.mayors_office, locale="en"))
    bad = {
        "country": "XX",
        "timezone": "Mars/Olympus",
        "arrival": "2026-13-01T10:00",
        "size": "0",
        "host_contact_id": "abc",
    }

    html = client.post("/visits/new", data=_form(**bad)).get_data(as_text=True)

    assert {field: _error_of(html, field) for field in bad} == {
        "country": "Choose one of the options in the list.",
        "timezone": "Choose one of the options in the list.",
        "arrival": "Enter a date and time, such as 2026-11-30 14:00.",
        "size": "Enter a number from 1 to 10000.",
        "host_contact_id": "Choose one of the options in the list.",
    }
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


def test_edit_delegation_saves_changes_and_audits_them(
    client, create_user, login, create_delegation
):
    visit = create_delegation("Hamburg harbour", status=DelegationStatus.tentative)
    login(create_user(role=Role.admin, locale="en"))
    page = client.get(f"/visits/{visit.id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{visit.version}"' in page

    response = client.post(
        f"/visits/{visit.id}/edit",
        data=_form(title="Hamburg harbour and port", version=str(visit.version)),
    )

    db.session.refresh(visit)
    assert response.status_code == 302
    assert visit.title == "Hamburg harbour and port"
    assert visit.version == 2
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "updated")
    ).one()
    assert entry.changes["title"] == ["Hamburg harbour", "Hamburg harbour and port"]


def test_navigation_offers_visits_to_members_and_the_planner_to_staff(
    client, create_user, login
):
    login(create_user(role=Role.member, locale="en"))
    member_page = client.get("/visits/").get_data(as_text=True)

    assert '<a href="/visits/" aria-current="page">Visits</a>' in member_page
    assert 'href="/planner/"' not in member_page


def _count_queries(client, path: str) -> int:
    statements: list[str] = []

    def _record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _record)
    try:
        client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _record)
    return len(statements)


def test_list_delegations_query_count_does_not_grow_with_visits(
    client, create_user, login, create_delegation, create_organisation
):
    login(create_user(role=Role.admin, locale="en"))
    city = City(name="Hamburg", country="DE")
    db.session.add(city)
    host = create_organisation("TK")
    create_delegation("Visit 1", city_id=city.id, host_organisation_id=host.id)
    one = _count_queries(client, "/visits/")
    for n in (2, 3):
        create_delegation(f"Visit {n}", city_id=city.id, host_organisation_id=host.id)

    three = _count_queries(client, "/visits/")

    assert three == one
