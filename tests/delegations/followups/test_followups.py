"""After-visit follow-up: add, edit, close, reopen, overdue, access."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db, utcnow
from app.delegations.followups.services import (
    FollowUpData,
    add_followup,
    set_followup_status,
)
from app.delegations.models import FollowUp, FollowUpStatus
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


@pytest.fixture
def staff(create_user):
    return create_user(role=Role.mayors_office, locale="en", name="Kari Nordmann")


@pytest.fixture
def visit(create_delegation):
    return create_delegation("Delegation from Hamburg")


def _add(visit, staff, title="Student exchange", **kwargs):
    followup = add_followup(
        visit, FollowUpData(title=title, **kwargs), actor=staff, now=NOW
    )
    db.session.commit()
    return followup


def test_add_followup_saves_every_field(client, login, staff, visit):
    login(staff)

    response = client.post(
        f"/visits/{visit.id}/follow-up/new",
        data={
            "title": "Student exchange with TU Hamburg",
            "owner_id": str(staff.id),
            "deadline": "2027-02-01",
            "status": "in_progress",
            "notes": "NTNU is keen.",
        },
    )

    assert response.status_code == 302
    followup = db.session.scalars(sa.select(FollowUp)).one()
    assert (
        followup.delegation_id,
        followup.title,
        followup.owner_id,
        followup.deadline,
        followup.status,
        followup.notes,
        followup.closed_dt,
    ) == (
        visit.id,
        "Student exchange with TU Hamburg",
        staff.id,
        date(2027, 2, 1),
        FollowUpStatus.in_progress,
        "NTNU is keen.",
        None,
    )


def test_add_followup_bad_input_keeps_form(client, login, staff, visit):
    login(staff)

    response = client.post(
        f"/visits/{visit.id}/follow-up/new",
        data={
            "title": "T" * 10_000,
            "owner_id": "0",
            "deadline": "31.02.2027",
            "status": "open",
            "notes": "keep me",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r'<p class="error" id="(\w+)-error">(.*?)</p>', html) == [
        ("title", "Use at most 300 characters."),
        ("deadline", "Enter a date, such as 2026-11-30."),
    ]
    assert "keep me</textarea>" in html
    assert db.session.scalars(sa.select(FollowUp)).all() == []


def test_add_followup_owner_must_be_staff(client, login, staff, create_user, visit):
    member = create_user(role=Role.member)
    login(staff)

    response = client.post(
        f"/visits/{visit.id}/follow-up/new",
        data={"title": "Exchange", "owner_id": str(member.id), "status": "open"},
    )

    html = response.get_data(as_text=True)
    assert re.findall(r'<p class="error" id="(\w+)-error">(.*?)</p>', html) == [
        ("owner_id", "Choose one of the options in the list.")
    ]


def test_edit_followup_to_done_sets_closed_dt_and_audits(client, login, staff, visit):
    followup = _add(visit, staff, deadline=date(2027, 1, 15))
    login(staff)
    before = utcnow()

    response = client.post(
        f"/visits/{visit.id}/follow-up/{followup.id}/edit",
        data={
            "title": "Student exchange",
            "owner_id": str(staff.id),
            "deadline": "2027-01-15",
            "status": "done",
            "notes": "Agreement signed.",
            "version": "1",
        },
    )

    assert response.status_code == 302
    db.session.refresh(followup)
    assert followup.status is FollowUpStatus.done
    assert followup.closed_dt >= before
    entry = db.session.scalars(
        sa.select(AuditEntry).filter_by(object_id=followup.id, action="updated")
    ).one()
    assert entry.changes == {
        "owner_id": [None, staff.id],
        "notes": ["", "Agreement signed."],
        "status": ["open", "done"],
    }


def test_close_and_reopen_followup_with_buttons(client, login, staff, visit):
    followup = _add(visit, staff)
    login(staff)

    client.post(
        f"/visits/{visit.id}/follow-up/{followup.id}/status",
        data={"status": "done", "version": "1"},
    )
    db.session.refresh(followup)
    closed = (followup.status, followup.closed_dt is not None)
    client.post(
        f"/visits/{visit.id}/follow-up/{followup.id}/status",
        data={"status": "open", "version": "2"},
    )
    db.session.refresh(followup)

    assert closed == (FollowUpStatus.done, True)
    assert (followup.status, followup.closed_dt) == (FollowUpStatus.open, None)
    actions = db.session.scalars(
        sa.select(AuditEntry.changes)
        .filter_by(object_id=followup.id, action="status_changed")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [{"status": ["open", "done"]}, {"status": ["done", "open"]}]


def test_set_followup_status_keeps_first_closed_dt_between_done_and_dropped(
    app, staff, visit
):
    followup = _add(visit, staff)

    set_followup_status(
        followup,
        FollowUpStatus.done,
        expected_version=followup.version,
        actor=staff,
        now=NOW,
    )
    set_followup_status(
        followup,
        FollowUpStatus.dropped,
        expected_version=followup.version,
        actor=staff,
        now=NOW + timedelta(days=1),
    )

    assert (followup.status, followup.closed_dt) == (FollowUpStatus.dropped, NOW)


def test_followup_list_labels_overdue_open_items(client, login, staff, visit):
    today = utcnow().date()
    _add(visit, staff, title="Late item", deadline=today - timedelta(days=3))
    _add(visit, staff, title="Future item", deadline=today + timedelta(days=3))
    _add(
        visit,
        staff,
        title="Closed late item",
        deadline=today - timedelta(days=3),
        status=FollowUpStatus.done,
    )
    login(staff)

    html = client.get(f"/visits/{visit.id}/follow-up").get_data(as_text=True)

    rows = re.findall(
        r"<tr( class=\"overdue\")?>\s*<th scope=\"row\"><a[^>]*>(.*?)</a>", html
    )
    assert rows == [
        (' class="overdue"', "Late item"),
        ("", "Future item"),
        ("", "Closed late item"),
    ]
    assert html.count('<strong class="badge badge--overdue">Overdue</strong>') == 1
    assert "3 follow-up items – 1 overdue" in html


@pytest.mark.parametrize("path", ["/follow-up", "/follow-up/new"])
def test_followup_pages_forbidden_for_members(client, login, create_user, visit, path):
    login(create_user(role=Role.member))

    response = client.get(f"/visits/{visit.id}{path}")

    assert response.status_code == 403


def test_followup_of_another_visit_is_not_found(
    client, login, staff, visit, create_delegation
):
    other = create_delegation("Delegation from Kyiv")
    followup = _add(other, staff)
    login(staff)

    response = client.get(f"/visits/{visit.id}/follow-up/{followup.id}/edit")

    assert response.status_code == 404
