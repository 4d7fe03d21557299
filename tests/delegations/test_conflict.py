"""Safe concurrent edits: a stale save gets the conflict page and overwrites nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.db import db
from app.delegations.models import Delegation, DelegationStatus
from app.delegations.services import (
    DelegationData,
    VersionConflictError,
    update_delegation,
)
from tests.fixtures.builders import NOW, PASSWORD

pytestmark = pytest.mark.integration


def _sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _loaded_form(client, visit_id: int) -> dict[str, str | list[str]]:
    """Return the edit form's fields as a browser would send them back unchanged."""
    html = client.get(f"/visits/{visit_id}/edit").get_data(as_text=True)
    form = html.split('<form method="post" novalidate>')[1].split("</form>")[0]
    fields: dict[str, str | list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r' name="(\w+)"', tag)
        value = re.search(r' value="([^"]*)"', tag)
        if not name or ('type="checkbox"' in tag and " checked" not in tag):
            continue
        fields[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(
        r'<select[^>]*?name="(\w+)"[^>]*>(.*?)</select>', form, flags=re.S
    ):
        fields[name] = re.findall(r'<option selected value="([^"]*)"', options)
    for name, text in re.findall(
        r'<textarea[^>]*?name="(\w+)"[^>]*>(.*?)</textarea>', form, flags=re.S
    ):
        fields[name] = text.strip()
    fields.pop("csrf_token", None)
    return fields


@pytest.fixture
def two_editors(app, client, create_user, create_delegation):
    first = create_user(role=Role.mayors_office, locale="en")
    second = create_user(role=Role.admin, locale="en")
    visit = create_delegation("Hamburg harbour", status=DelegationStatus.tentative)
    other = app.test_client()
    _sign_in(client, first)
    _sign_in(other, second)
    return client, other, visit


def test_edit_delegation_second_stale_save_gets_the_conflict_page(two_editors):
    first, second, visit = two_editors
    first_form = _loaded_form(first, visit.id)
    second_form = _loaded_form(second, visit.id)
    assert first_form["version"] == second_form["version"] == "1"
    assert first_form["arrival"] == "2026-12-06T10:00"

    saved = first.post(
        f"/visits/{visit.id}/edit", data=first_form | {"title": "Hamburg port (first)"}
    )
    stale = second.post(
        f"/visits/{visit.id}/edit",
        data=second_form | {"title": "Hamburg harbour (second)", "size": "40"},
    )

    html = stale.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Delegation, visit.id)
    assert saved.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this visit" in html
    assert re.search(
        r'<th scope="row">Title <span class="badge">differs</span></th>\s*'
        r"<td>Hamburg port \(first\)</td>\s*<td>Hamburg harbour \(second\)</td>",
        html,
    )
    assert 'value="Hamburg harbour (second)"' in html  # the user's input is kept
    assert 'name="version" type="hidden" value="2"' in html
    assert (stored.title, stored.size, stored.version) == (
        "Hamburg port (first)",
        None,
        2,
    )


def test_edit_delegation_conflict_form_reapplies_the_users_version(two_editors):
    first, second, visit = two_editors
    first_form = _loaded_form(first, visit.id)
    second_form = _loaded_form(second, visit.id)
    first.post(f"/visits/{visit.id}/edit", data=first_form | {"title": "First title"})
    second.post(
        f"/visits/{visit.id}/edit", data=second_form | {"title": "Second title"}
    )

    reapplied = second.post(
        f"/visits/{visit.id}/edit",
        data=second_form | {"title": "Second title", "version": "2"},
    )

    db.session.expire_all()
    stored = db.session.get(Delegation, visit.id)
    assert reapplied.status_code == 302
    assert (stored.title, stored.version) == ("Second title", 3)


def test_update_delegation_turns_a_lost_race_into_a_conflict(
    create_user, create_delegation
):
    staff = create_user(role=Role.mayors_office)
    visit = create_delegation("Hamburg harbour")
    loaded = visit.version
    # Another request commits meanwhile, on its own connection; this session
    # still holds the version it loaded.
    with db.engine.begin() as other:
        other.execute(
            sa.update(Delegation.__table__)
            .where(Delegation.__table__.c.id == visit.id)
            .values(title="Saved elsewhere", version=loaded + 1)
        )
    data = DelegationData(
        direction=visit.direction,
        title="Mine",
        country=visit.country,
        protocol_level=visit.protocol_level,
        arrival_dt=visit.arrival_dt,
        departure_dt=visit.departure_dt,
        visibility=visit.visibility,
    )

    with pytest.raises(VersionConflictError):
        update_delegation(visit, data, expected_version=loaded, actor=staff, now=NOW)
    db.session.rollback()

    stored = db.session.get(Delegation, visit.id, populate_existing=True)
    assert (stored.title, stored.version) == ("Saved elsewhere", loaded + 1)
