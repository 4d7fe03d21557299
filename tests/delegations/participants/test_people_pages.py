"""The people pages with CSRF on, and their query counts at one and three rows."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.followups.services import FollowUpData, add_followup
from app.delegations.interests.services import request_interest
from app.delegations.models import Interest, InterestState, Participant
from app.delegations.participants.services import ParticipantData, add_participant
from tests.fixtures.builders import NOW, PASSWORD
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _log_in(client, user):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": _token(page)},
    )
    assert response.status_code == 302


def test_csv_import_and_interest_decision_work_with_csrf(
    client, create_user, create_delegation
):
    staff = create_user(role=Role.mayors_office, locale="en")
    member = create_user(role=Role.member, locale="en")
    visit = create_delegation(visibility=Visibility.forum)
    interest = request_interest(visit, user=member, message="", now=NOW)
    db.session.commit()
    _log_in(client, staff)

    form = client.get(f"/visits/{visit.id}/participants/import").get_data(as_text=True)
    imported = client.post(
        f"/visits/{visit.id}/participants/import",
        data={
            "csrf_token": _token(form),
            "file": (io.BytesIO(b"name\nAnna\n"), "p.csv"),
        },
        content_type="multipart/form-data",
    )
    page = client.get(f"/visits/{visit.id}/interest").get_data(as_text=True)
    decided = client.post(
        f"/visits/{visit.id}/interest/{interest.id}/decide",
        data={"csrf_token": _token(page), "state": "accepted"},
    )

    assert (imported.status_code, decided.status_code) == (302, 302)
    assert db.session.scalars(sa.select(Participant.name)).all() == ["Anna"]
    assert db.session.scalars(sa.select(Interest.state)).all() == [
        InterestState.accepted
    ]


def test_people_list_pages_query_count_does_not_grow(
    client, create_user, create_delegation
):
    staff = create_user(role=Role.mayors_office, locale="en")
    visit = create_delegation(visibility=Visibility.forum)
    _log_in(client, staff)
    paths = [
        f"/visits/{visit.id}/participants",
        f"/visits/{visit.id}/follow-up",
        f"/visits/{visit.id}/interest",
    ]

    def _add_rows(count: int) -> None:
        for _ in range(count):
            add_participant(visit, ParticipantData(name="P"), actor=staff, now=NOW)
            add_followup(
                visit, FollowUpData(title="F", owner_id=staff.id), actor=staff, now=NOW
            )
            request_interest(
                visit, user=create_user(role=Role.member), message="", now=NOW
            )
        db.session.commit()

    def _counts() -> list[int]:
        result = []
        for path in paths:
            with count_statements() as statements:
                assert client.get(path).status_code == 200
            result.append(len(statements))
        return result

    _add_rows(1)
    one = _counts()
    _add_rows(2)
    three = _counts()

    assert three == one
