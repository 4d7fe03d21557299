"""CSRF protection on every account form, with CSRF switched on as in production."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.auth.models import Role, User
from app.auth.services import request_password_reset, resend_invitation
from app.core.db import db
from app.outbox.models import OutboxMail
from tests.auth.helpers import TEXTS, link_path, read_page, who_is_logged_in
from tests.fixtures.builders import NOW, PASSWORD

pytestmark = pytest.mark.integration

EN = TEXTS["en"]
_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True, "DEFAULT_LOCALE": "en"}


def _csrf_token(client: FlaskClient, path: str = "/login") -> str:
    (token, *_) = _TOKEN.findall(client.get(path).get_data(as_text=True))
    return token


@pytest.fixture
def pages(admin, create_user, clock) -> dict[str, str]:
    """Return every page with a POST form, by name, and log the admin in on none of them."""
    invitee = create_user("ola@example.org", password=None)
    resend_invitation(invitee, invited_by=admin, now=NOW)
    request_password_reset(admin.email, now=NOW)
    db.session.commit()
    mails = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
    return {
        "login": "/login",
        "forgot_password": "/password/forgot",
        "accept_invitation": link_path(mails[0].body_text),
        "reset_password": link_path(mails[1].body_text),
        "invite_user": "/admin/users/invite",
        "edit_user": f"/admin/users/{invitee.id}/edit",
        "home": "/",
    }


def test_every_form_carries_a_csrf_token(client, new_client, sign_in, admin, pages):
    logged_in = sign_in(new_client(), admin)

    forms = {}
    for name, path in pages.items():
        browser = logged_in if path.startswith("/admin") or name == "home" else client
        page = read_page(browser.get(path))
        forms[name] = {
            (form.action or path, "csrf_token" in form.names)
            for form in page.forms
            if form.method == "post"
        }
    refused = client.post(
        "/language", data={"locale": "xx", "csrf_token": _csrf_token(client)}
    )
    forms["language"] = {
        (form.action, "csrf_token" in form.names) for form in read_page(refused).forms
    }

    assert refused.status_code == 400
    assert forms == {
        "language": {("/language", True)},
        "login": {("/language", True), ("/login", True)},
        "forgot_password": {("/language", True), ("/password/forgot", True)},
        "accept_invitation": {(pages["accept_invitation"], True), ("/language", True)},
        "reset_password": {(pages["reset_password"], True), ("/language", True)},
        "invite_user": {
            ("/admin/users/invite", True),
            ("/language", True),
            ("/logout", True),
        },
        "edit_user": {
            (pages["edit_user"], True),
            (pages["edit_user"].replace("/edit", "/resend-invitation"), True),
            ("/language", True),
            ("/logout", True),
        },
        "home": {("/language", True), ("/logout", True)},
    }


def test_posts_without_a_csrf_token_are_refused(
    client, new_client, sign_in, admin, pages
):
    logged_in = sign_in(new_client(), admin)
    invitee_id = pages["edit_user"].split("/")[3]
    posts = {
        "/login": (client, {"email": admin.email, "password": PASSWORD}),
        "/password/forgot": (client, {"email": admin.email}),
        pages["accept_invitation"]: (
            client,
            {"password": "a long passphrase", "confirm": "a long passphrase"},
        ),
        pages["reset_password"]: (
            client,
            {"password": "a long passphrase", "confirm": "a long passphrase"},
        ),
        "/language": (client, {"locale": "nb"}),
        "/admin/users/invite": (
            logged_in,
            {"email": "x@example.org", "name": "X", "role": "member", "locale": "en"},
        ),
        pages["edit_user"]: (logged_in, {"name": "Changed", "role": "admin"}),
        f"/admin/users/{invitee_id}/resend-invitation": (logged_in, {}),
        "/logout": (logged_in, {}),
    }
    mails_before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail))
    name_before = db.session.get(User, int(invitee_id)).name

    answers = {}
    for path, (browser, data) in posts.items():
        response = browser.post(path, data=data)
        answers[path] = (response.status_code, read_page(response).title)

    assert answers == dict.fromkeys(posts, (400, EN["csrf_title"]))
    assert who_is_logged_in(client) is None
    assert who_is_logged_in(logged_in) == "Ada Admin"
    invitee = db.session.get(User, int(invitee_id))
    assert (invitee.name, invitee.role, invitee.password_hash) == (
        name_before,
        Role.member,
        None,
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail))
        == mails_before
    )
    with client.session_transaction() as session:
        assert "locale" not in session


def test_posts_with_the_csrf_token_are_accepted(client, admin):
    token = _csrf_token(client)

    changed = client.post(
        "/language", data={"locale": "nb", "next": "/login", "csrf_token": token}
    )
    logged_in = client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
    )

    assert (changed.status_code, changed.headers["Location"]) == (302, "/login")
    assert (logged_in.status_code, logged_in.headers["Location"]) == (302, "/")
    assert who_is_logged_in(client) == "Ada Admin"
