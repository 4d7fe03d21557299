"""Password reset by an e-mailed single-use link, through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import TokenPurpose, User, UserToken
from app.auth.services import request_password_reset
from app.core.db import db
from app.outbox.models import OutboxMail
from tests.auth.helpers import TEXTS, link_path, log_in, read_page, who_is_logged_in
from tests.fixtures.builders import NOW, PASSWORD

pytestmark = pytest.mark.integration

EN = TEXTS["en"]
NEW_PASSWORD = "a new and rather long passphrase"


def _mails() -> list[OutboxMail]:
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def _reset_link(user: User) -> str:
    """Ask for a reset at NOW, as the service would for the form, and return the link's path."""
    request_password_reset(user.email, now=NOW)
    db.session.commit()
    return link_path(_mails()[-1].body_text)


def test_password_reset_works_once_through_the_mailed_link(
    client, other_client, create_user, clock
):
    user = create_user("kari@example.org", name="Kari Nordmann")

    asked = client.post(
        "/password/forgot", data={"email": " Kari@Example.org "}, follow_redirects=True
    )
    (mail,) = _mails()
    path = link_path(mail.body_text)
    form = other_client.get(path)
    saved = other_client.post(
        path,
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    again = client.get(path)

    assert read_page(asked).flashes == [EN["reset_sent"]]
    assert (mail.kind, mail.recipient, mail.subject) == (
        "password_reset",
        "kari@example.org",
        "Choose a new password for Vertskap",
    )
    assert path.startswith("/password/reset/")
    assert form.status_code == 200
    assert read_page(form).title == "Choose a new password"
    assert read_page(saved).flashes == [EN["password_saved"]]
    assert who_is_logged_in(other_client) == "Kari Nordmann"
    assert again.status_code == 410
    assert read_page(again).title == EN["link_not_valid"]
    assert log_in(client, user).status_code == 200  # the old password is gone
    assert log_in(client, user, password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("account", ["unknown", "deactivated", "invited"])
def test_forgot_password_says_the_same_and_sends_nothing_without_an_account(
    client, create_user, account
):
    user = create_user(
        "kari@example.org", password=None if account == "invited" else PASSWORD
    )
    if account == "deactivated":
        user.is_active = False
        db.session.commit()
    email = "nobody@example.org" if account == "unknown" else user.email

    response = client.post(
        "/password/forgot", data={"email": email}, follow_redirects=True
    )

    assert read_page(response).flashes == [EN["reset_sent"]]
    assert _mails() == []


@pytest.mark.parametrize(("minutes", "status"), [(59, 200), (60, 410)])
def test_reset_link_is_valid_for_an_hour(client, create_user, clock, minutes, status):
    path = _reset_link(create_user())
    clock.shift(timedelta(minutes=minutes))

    response = client.get(path)

    assert response.status_code == status


def test_using_one_reset_link_spends_the_others(client, create_user, clock):
    user = create_user()
    first = _reset_link(user)
    second = _reset_link(user)

    client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = client.get(first)

    assert first != second
    assert response.status_code == 410
    unused = db.session.scalars(sa.select(UserToken).filter_by(used_dt=None)).all()
    assert unused == []


def test_password_reset_ends_the_users_other_sessions(
    client, other_client, create_user, sign_in, clock
):
    user = create_user(name="Kari Nordmann")
    sign_in(other_client, user)
    path = _reset_link(user)

    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert who_is_logged_in(client) == "Kari Nordmann"
    assert who_is_logged_in(other_client) is None


@pytest.mark.parametrize("problem", ["deactivated", "wrong_purpose", "unknown_token"])
def test_reset_page_refuses_links_it_did_not_issue_or_that_died(
    client, create_user, clock, problem
):
    user = create_user()
    path = _reset_link(user)
    if problem == "deactivated":
        user.is_active = False
        db.session.commit()
    elif problem == "wrong_purpose":
        path = path.replace("/password/reset/", "/invitation/")
    else:
        path = "/password/reset/" + "A" * 43

    response = client.post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert response.status_code == 410
    assert read_page(response).title == EN["link_not_valid"]
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserToken)
            .where(
                UserToken.purpose == TokenPurpose.password_reset,
                UserToken.used_dt.is_not(None),
            )
        )
        == 0
    )
