"""The status workflow: allowed and refused transitions, the audit history, notices."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.delegations.models import DelegationStatus
from app.delegations.services import TransitionError, transition_delegation
from app.outbox.models import OutboxMail
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

S = DelegationStatus


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.enquiry, S.tentative),
        (S.tentative, S.confirmed),
        (S.confirmed, S.completed),
        (S.enquiry, S.cancelled),
        (S.tentative, S.cancelled),
        (S.confirmed, S.cancelled),
        (S.cancelled, S.tentative),
    ],
)
def test_transition_delegation_moves_and_audits_allowed_steps(
    create_user, create_delegation, start, to
):
    staff = create_user(role=Role.mayors_office)
    visit = create_delegation(status=start)

    entry = transition_delegation(
        visit, to=to, actor=staff, comment="Agreed by phone", now=NOW
    )
    db.session.commit()

    assert visit.status is to
    assert (entry.action, entry.actor_id, entry.created_dt, entry.comment) == (
        "status_changed",
        staff.id,
        NOW,
        "Agreed by phone",
    )
    assert entry.changes == {"status": [start.value, to.value]}


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.enquiry, S.confirmed),
        (S.enquiry, S.completed),
        (S.tentative, S.completed),
        (S.confirmed, S.tentative),
        (S.completed, S.cancelled),
        (S.completed, S.tentative),
        (S.cancelled, S.confirmed),
        (S.cancelled, S.cancelled),
    ],
)
def test_transition_delegation_refuses_steps_outside_the_workflow(
    create_user, create_delegation, start, to
):
    staff = create_user(role=Role.mayors_office)
    visit = create_delegation(status=start)

    with pytest.raises(TransitionError):
        transition_delegation(visit, to=to, actor=staff, comment="", now=NOW)

    assert visit.status is start
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0


def test_transition_delegation_raises_the_sequence_of_the_visit_and_its_items(
    create_user, create_programme_item, create_delegation
):
    staff = create_user(role=Role.mayors_office)
    visit = create_delegation(status=S.tentative)
    item = create_programme_item(delegation=visit)
    before = (visit.sequence, item.sequence)

    transition_delegation(visit, to=S.confirmed, actor=staff, comment="", now=NOW)
    db.session.commit()

    assert (visit.sequence, item.sequence) == (before[0] + 1, before[1] + 1)


def test_transition_delegation_notifies_the_host_contact_when_confirmed(
    create_user, create_delegation
):
    staff = create_user(role=Role.mayors_office, locale="en")
    visit = create_delegation(status=S.tentative, host_contact_id=staff.id)

    transition_delegation(visit, to=S.confirmed, actor=staff, comment="", now=NOW)
    db.session.commit()

    mails = db.session.scalars(sa.select(OutboxMail)).all()
    assert [(m.recipient, m.kind, m.subject) for m in mails] == [
        (staff.email, "visit_changed", "A visit you follow has changed")
    ]
    assert "Status: Confirmed" in mails[0].body_text


def test_transition_delegation_does_not_notify_about_unconfirmed_steps(
    create_user, create_delegation
):
    staff = create_user(role=Role.mayors_office)
    visit = create_delegation(status=S.enquiry, host_contact_id=staff.id)

    transition_delegation(visit, to=S.tentative, actor=staff, comment="", now=NOW)
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0


def test_change_status_page_moves_the_visit_and_shows_the_history(
    client, create_user, login, create_delegation
):
    staff = create_user(role=Role.mayors_office, locale="en", name="Ingrid Staff")
    visit = create_delegation("Hamburg harbour", status=S.enquiry)
    login(staff)

    first = client.post(
        f"/visits/{visit.id}/status",
        data={"to": "tentative", "comment": "Dates agreed"},
    )
    client.post(f"/visits/{visit.id}/status", data={"to": "confirmed", "comment": ""})
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)

    db.session.refresh(visit)
    assert first.status_code == 302
    assert visit.status is S.confirmed
    history = page.split('<caption id="history-caption">')[1].split("</table>")[0]
    rows = re.findall(
        r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>",
        history,
    )
    assert rows == [
        ("Ingrid Staff", "Enquiry", "Tentative", "Dates agreed"),
        ("Ingrid Staff", "Tentative", "Confirmed", ""),
    ]
    assert "The visit is now Confirmed." in page


def test_change_status_page_refuses_a_step_outside_the_workflow(
    client, create_user, login, create_delegation
):
    login(create_user(role=Role.admin, locale="en"))
    visit = create_delegation(status=S.completed)

    response = client.post(
        f"/visits/{visit.id}/status", data={"to": "cancelled"}, follow_redirects=True
    )

    db.session.refresh(visit)
    assert visit.status is S.completed
    assert "A visit that is Completed cannot become Cancelled." in response.get_data(
        as_text=True
    )


def test_change_status_page_is_forbidden_to_members(
    client, create_user, login, create_delegation
):
    login(create_user(role=Role.member, locale="en"))
    visit = create_delegation(status=S.tentative)

    response = client.post(f"/visits/{visit.id}/status", data={"to": "confirmed"})

    db.session.refresh(visit)
    assert (response.status_code, visit.status) == (403, S.tentative)


def test_new_delegation_history_starts_with_its_registration(
    client, create_user, login
):
    login(create_user(role=Role.mayors_office, locale="en", name="Ola Staff"))
    arrival = (NOW + timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    departure = (NOW + timedelta(days=31)).strftime("%Y-%m-%dT10:00")

    response = client.post(
        "/visits/new",
        data={
            "direction": "outgoing",
            "title": "Study trip to Bangalore",
            "country": "IN",
            "protocol_level": "business",
            "arrival": arrival,
            "departure": departure,
            "timezone": "Asia/Kolkata",
            "visibility": "forum",
            "city_id": "0",
            "host_contact_id": "0",
            "host_organisation_id": "0",
            "initiative_id": "0",
        },
        follow_redirects=True,
    )

    html = response.get_data(as_text=True)
    assert "The visit “Study trip to Bangalore” is registered." in html
    assert re.findall(r'name="to" value="(\w+)"', html) == ["tentative", "cancelled"]
    assert "<td>Ola Staff</td>\n      <td>–</td>\n      <td>Enquiry</td>" in html
