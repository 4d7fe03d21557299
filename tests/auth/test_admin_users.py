"""The admins' user pages: who may see them, the list's search, editing and deactivation."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.core.audit import AuditEntry
from app.core.db import db
from tests.auth.helpers import TEXTS, log_in, read_page, who_is_logged_in

pytestmark = pytest.mark.integration

EN = TEXTS["en"]

#: Every admin page of users, as (method, path); {id} is another user's id.
ADMIN_PAGES = [
    ("GET", "/admin/users"),
    ("GET", "/admin/users/invite"),
    ("POST", "/admin/users/invite"),
    ("GET", "/admin/users/{id}/edit"),
    ("POST", "/admin/users/{id}/edit"),
    ("POST", "/admin/users/{id}/resend-invitation"),
]


def _edit_data(user: User, **changes: str) -> dict[str, str]:
    """Return the edit form as the page would send it back unchanged, with `changes`."""
    data = {
        "name": user.name,
        "role": user.role.value,
        "organisation_id": str(user.organisation_id or 0),
        "locale": user.locale,
        "timezone": user.timezone,
        "is_active": "y" if user.is_active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


_ROW = re.compile(
    r'<tr>\s*<td><a href="/admin/users/\d+/edit">([^<]*)</a></td>'
    + r"\s*<td>([^<]*)</td>" * 4
)


def _rows(html: str) -> list[tuple[str, ...]]:
    """Return the users table: (name, e-mail, role, organisation, state) per row."""
    return _ROW.findall(html)


def _listed_names(html: str) -> list[str]:
    return [row[0] for row in _rows(html)]


@pytest.mark.parametrize("role", [Role.member, Role.mayors_office])
def test_admin_pages_are_forbidden_to_other_roles(client, create_user, sign_in, role):
    target = create_user(password=None)
    sign_in(client, create_user(role=role))

    answers = {}
    for method, path in ADMIN_PAGES:
        response = client.open(path.format(id=target.id), method=method, data={})
        answers[method, path] = (response.status_code, read_page(response).title)

    assert answers == dict.fromkeys(ADMIN_PAGES, (403, "Not allowed"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_admin_pages_send_anonymous_visitors_to_log_in(client, create_user):
    target = create_user(password=None)

    locations = {
        (method, path): client.open(
            path.format(id=target.id), method=method, data={}
        ).headers.get("Location")
        for method, path in ADMIN_PAGES
    }
    login_page = client.get(locations[("GET", "/admin/users")])

    assert locations == {
        (method, path): "/login?next=" + path.format(id=target.id).replace("/", "%2F")
        for method, path in ADMIN_PAGES
    }
    assert read_page(login_page).values["next"] == "/admin/users"


def test_admin_sees_the_pages(admin_client, create_user, create_organisation):
    target = create_user("ola@example.org", password=None, name="Ola Nordmann")
    gone = create_user(
        "per@example.org", name="Per Hansen", organisation=create_organisation("NTNU")
    )
    gone.is_active = False
    db.session.commit()

    pages = [
        admin_client.get("/admin/users"),
        admin_client.get(f"/admin/users/{target.id}/edit"),
    ]

    assert [response.status_code for response in pages] == [200, 200]
    assert _rows(pages[0].get_data(as_text=True)) == [
        ("Ada Admin", "ada@example.org", "International office (admin)", "", "Active"),
        ("Ola Nordmann", "ola@example.org", "Forum member", "", "Invited"),
        ("Per Hansen", "per@example.org", "Forum member", "NTNU", "Deactivated"),
    ]
    assert read_page(pages[1]).title == "Ola Nordmann"
    assert read_page(pages[1]).values == {
        "name": "Ola Nordmann",
        "role": "member",
        "organisation_id": "0",
        "locale": "en",
        "timezone": "Europe/Oslo",
        "is_active": "y",
    }


def test_users_list_search_finds_by_name_or_email(admin_client, create_user):
    for name, email in [
        ("Ola Nordmann", "ola@example.net"),
        ("Åse Ødegård", "ase@example.org"),
        ("Zed 100% Sure", "zed@example.org"),
    ]:
        create_user(email, name=name, password=None)
    expected = {
        "": ["Ada Admin", "Ola Nordmann", "Zed 100% Sure", "Åse Ødegård"],
        "ÅSE": ["Åse Ødegård"],
        "ødegård": ["Åse Ødegård"],
        "EXAMPLE.NET": ["Ola Nordmann"],
        "100%": ["Zed 100% Sure"],
        "_": [],
        "nobody": [],
    }

    found, kept = {}, {}
    for search in expected:
        response = admin_client.get("/admin/users", query_string={"q": search})
        found[search] = sorted(_listed_names(response.get_data(as_text=True)))
        kept[search] = read_page(response).values["q"]

    assert found == expected
    assert kept == {search: search for search in expected}


@pytest.mark.parametrize(
    ("change", "expected_diff"),
    [
        ({"role": "mayors_office"}, {"role": ["member", "mayors_office"]}),
        ({"is_active": ""}, {"is_active": ["True", "False"]}),
    ],
)
def test_role_change_or_deactivation_ends_the_users_sessions(
    admin_client, other_client, admin, create_user, sign_in, change, expected_diff
):
    user = create_user(name="Kari Nordmann")
    sign_in(other_client, user)
    assert who_is_logged_in(other_client) == "Kari Nordmann"

    response = admin_client.post(
        f"/admin/users/{user.id}/edit",
        data=_edit_data(user, **change),
        follow_redirects=True,
    )

    assert read_page(response).flashes == ["Changes to Kari Nordmann are saved."]
    assert who_is_logged_in(other_client) is None
    assert db.session.get(User, user.id).session_version == 2
    entry = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.object_id == user.id, AuditEntry.action == "updated"
        )
    ).one()
    assert (entry.actor_id, entry.changes) == (admin.id, expected_diff)


def test_deactivated_user_cannot_log_in(admin_client, other_client, create_user):
    user = create_user(name="Kari Nordmann")
    admin_client.post(
        f"/admin/users/{user.id}/edit", data=_edit_data(user, is_active="")
    )

    response = log_in(other_client, user)

    assert response.status_code == 200
    assert read_page(response).errors == {"password": EN["wrong_login"]}


def test_edit_user_saves_the_changes_without_ending_sessions(
    admin_client, create_user, create_organisation
):
    user = create_user(name="Kari Nordmann", password=None)
    sintef = create_organisation("SINTEF")

    response = admin_client.post(
        f"/admin/users/{user.id}/edit",
        data=_edit_data(
            user,
            name="Kari Nordmann-Berg",
            organisation_id=str(sintef.id),
            locale="nb",
            timezone="Asia/Kolkata",
        ),
    )

    user = db.session.get(User, user.id)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert (
        user.name,
        user.organisation_id,
        user.locale,
        user.timezone,
        user.session_version,
    ) == ("Kari Nordmann-Berg", sintef.id, "nb", "Asia/Kolkata", 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"role": "member"}, "role"), ({"is_active": ""}, "is_active")],
)
def test_admin_cannot_demote_or_deactivate_themself(admin_client, admin, change, field):
    response = admin_client.post(
        f"/admin/users/{admin.id}/edit", data=_edit_data(admin, **change)
    )

    page = read_page(response)
    assert response.status_code == 200
    assert page.errors == {field: EN["cannot_demote_self"]}
    assert (admin.role, admin.is_active, admin.session_version) == (Role.admin, True, 1)
    assert who_is_logged_in(admin_client) == "Ada Admin"


def test_edit_unknown_user_is_not_found(admin_client):
    response = admin_client.get("/admin/users/999/edit")

    assert response.status_code == 404
    assert read_page(response).title == "Page not found"
