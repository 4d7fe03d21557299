"""Password reset by an e-mailed single-use link, through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import TokenPurpose, User, UserToken
from app.auth.services import request_password_reset, resend_invitation
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
    assert saved.request.path == "/login"
    assert read_page(saved).flashes == [EN["reset_saved"]]
    assert who_is_logged_in(other_client) is None  # the link alone logs nobody in
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


def test_password_reset_ends_every_session_and_logs_nobody_in(
    client, other_client, create_user, sign_in, clock
):
    user = create_user(name="Kari Nordmann")
    sign_in(client, user)
    sign_in(other_client, user)
    path = _reset_link(user)

    response = client.post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    assert who_is_logged_in(client) is None
    assert who_is_logged_in(other_client) is None
    assert db.session.get(User, user.id).session_version == 2
    assert log_in(client, user, password=NEW_PASSWORD).status_code == 302
    assert who_is_logged_in(client) == "Kari Nordmann"


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


def test_password_reset_mails_the_owner_that_the_password_changed(
    client, create_user, clock
):
    user = create_user("kari@example.org", name="Kari Nordmann", locale="en")
    path = _reset_link(user)

    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    reset, changed = _mails()
    assert reset.kind == "password_reset"
    assert (
        changed.kind,
        changed.recipient,
        changed.recipient_user_id,
        changed.subject,
    ) == (
        "password_changed",
        "kari@example.org",
        user.id,
        "Your Vertskap password was changed",
    )
    assert changed.body_text == (
        "Hello Kari Nordmann,\n"
        "\n"
        "The password of your Vertskap account kari@example.org was changed on "
        "26 Nov 2026, 10:00 (Europe/Oslo) with a reset link sent to this address. "
        "Every session of the account was logged out.\n"
        "\n"
        "If this was you, there is nothing more to do.\n"
        "\n"
        "If it was not you, someone may be reading your e-mail. Secure your e-mail "
        "account first, then ask for a new password here and tell the international "
        "office:\n"
        "http://vertskap.test/password/forgot\n"
    )
    assert (
        '<a href="http://vertskap.test/password/forgot">'
        "http://vertskap.test/password/forgot</a>" in changed.body_html
    )
    assert "If this was you, there is nothing more to do." in changed.body_html


def test_password_changed_mail_is_in_the_owners_language(client, create_user, clock):
    user = create_user("kari@example.org", name="Kari Nordmann", locale="nb")
    path = _reset_link(user)

    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    changed = _mails()[-1]
    assert (changed.locale, changed.subject) == (
        "nb",
        "Passordet ditt i Vertskap er endret",
    )
    assert changed.body_text.splitlines()[:3] == [
        "Hei Kari Nordmann,",
        "",
        "Passordet til Vertskap-kontoen din kari@example.org ble endret "
        "26. nov. 2026, 10:00 (Europe/Oslo) med en lenke for nytt passord som ble "
        "sendt til denne adressen. Alle økter på kontoen ble logget ut.",
    ]
    assert "Var det ikke deg, kan noen lese e-posten din." in changed.body_html


def test_accepting_an_invitation_sends_no_password_changed_mail(
    client, admin, create_user, clock
):
    invitee = create_user("ola@example.org", name="Ola", password=None)
    resend_invitation(invitee, invited_by=admin, now=NOW)
    db.session.commit()
    path = link_path(_mails()[-1].body_text)

    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert [mail.kind for mail in _mails()] == ["invitation"]
    assert who_is_logged_in(client) == "Ola"
