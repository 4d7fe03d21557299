"""The language switch: a visitor's choice lives in the session, a user's in the account."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.core.db import db
from tests.auth.helpers import log_in

pytestmark = pytest.mark.integration


def _html_lang(client) -> str:
    html = client.get("/upcoming").get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("next_url", "location"),
    [("/upcoming", "/upcoming"), ("//evil.example", "/"), ("", "/")],
)
def test_language_switch_remembers_a_visitors_choice(client, next_url, location):
    before = _html_lang(client)

    response = client.post("/language", data={"locale": "nb", "next": next_url})

    assert (response.status_code, response.headers["Location"]) == (302, location)
    with client.session_transaction() as session:
        assert session["locale"] == "nb"
    assert (before, _html_lang(client)) == ("en", "nb")


def test_language_switch_saves_a_users_choice_in_the_account(
    client, create_user, sign_in
):
    user = create_user(name="Kari Nordmann", locale="en")
    sign_in(client, user)

    client.post("/language", data={"locale": "nb", "next": "/upcoming"})
    client.post("/logout")
    log_in(client, user)

    assert db.session.get(User, user.id).locale == "nb"
    assert _html_lang(client) == "nb"
