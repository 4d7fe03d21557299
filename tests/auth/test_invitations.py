"""Invitations: an admin invites, the invitee chooses a password through the mailed link."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.services import invite_user
from app.core.audit import AuditEntry
from app.core.db import db
from app.outbox.models import OutboxMail
from tests.auth.helpers import TEXTS, link_path, read_page, who_is_logged_in
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

EN = TEXTS["en"]
PASSWORD = "a new and rather long passphrase"


def _mails() -> list[OutboxMail]:
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def test_invitation_works_end_to_end_and_only_once(
    admin_client, other_client, admin, create_organisation
):
    ntnu = create_organisation("NTNU")

    invited = admin_client.post(
        "/admin/users/invite",
        data={
            "email": "Ola@Example.org",
            "name": "Ola Nordmann",
            "role": "mayors_office",
            "organisation_id": str(ntnu.id),
            "locale": "en",
        },
        follow_redirects=True,
    )
    user = db.session.scalar(sa.select(User).filter_by(email="ola@example.org"))
    created = (user.name, user.role, user.organisation_id, user.password_hash)
    (mail,) = _mails()
    path = link_path(mail.body_text)
    form = other_client.get(path)
    chosen = other_client.post(
        path, data={"password": PASSWORD, "confirm": PASSWORD}, follow_redirects=True
    )
    again = other_client.get(path)

    assert read_page(invited).flashes == ["Invitation sent to ola@example.org."]
    assert created == (
        "Ola Nordmann",
        Role.mayors_office,
        ntnu.id,
        None,
    )
    assert (mail.kind, mail.recipient, mail.subject) == (
        "invitation",
        "ola@example.org",
        "You are invited to Vertskap",
    )
    assert "Ada Admin has invited you to Vertskap" in mail.body_text
    assert path.startswith("/invitation/")
    assert read_page(form).title == "Welcome to Vertskap, Ola Nordmann"
    assert read_page(chosen).flashes == [EN["password_saved"]]
    assert who_is_logged_in(other_client) == "Ola Nordmann"
    assert again.status_code == 410
    assert read_page(again).title == EN["link_not_valid"]
    audit = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_id == user.id)
    ).all()
    assert audit == ["invited", "password_set_by_invitation"]


@pytest.mark.parametrize(("days", "status"), [(6, 200), (7, 410)])
def test_invitation_link_is_valid_for_seven_days(client, admin, clock, days, status):
    invite_user(
        "ola@example.org",
        name="Ola Nordmann",
        role=Role.member,
        organisation=None,
        locale="en",
        invited_by=admin,
        now=NOW,
    )
    db.session.commit()
    path = link_path(_mails()[0].body_text)
    clock.shift(timedelta(days=days))

    response = client.get(path)

    assert response.status_code == status


def test_resend_invitation_mails_a_new_link_until_a_password_is_chosen(
    admin_client, admin, create_user
):
    invitee = create_user("ola@example.org", password=None)
    active = create_user("kari@example.org")
    deactivated = create_user("per@example.org", password=None)
    deactivated.is_active = False
    db.session.commit()

    flashes = {
        user.email: read_page(
            admin_client.post(
                f"/admin/users/{user.id}/resend-invitation", follow_redirects=True
            )
        ).flashes
        for user in (invitee, active, deactivated)
    }

    assert flashes == {
        "ola@example.org": ["A new invitation is on its way to ola@example.org."],
        "kari@example.org": ["This user has already chosen a password."],
        "per@example.org": ["This user is deactivated. Activate them first."],
    }
    assert [(mail.kind, mail.recipient) for mail in _mails()] == [
        ("invitation", "ola@example.org")
    ]
