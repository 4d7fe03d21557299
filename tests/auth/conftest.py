"""Fixtures of the account tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import Role, User
from tests.auth.helpers import CHECKED_LOCALES, TEXTS
from tests.fixtures.builders import NOW
from tests.fixtures.database import IsolatedClient


def _english_client(app: Flask) -> FlaskClient:
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """New users and visitors get English pages unless a test asks otherwise."""
    return {"DEFAULT_LOCALE": "en"}


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a browser asking for English pages."""
    return _english_client(app)


@pytest.fixture
def new_client(app: Flask) -> Callable[[], FlaskClient]:
    """Return a maker of further browsers, each with its own cookies."""
    return lambda: _english_client(app)


@pytest.fixture
def other_client(app: Flask) -> FlaskClient:
    """Return a second browser: another person, or the same person elsewhere."""
    return _english_client(app)


@pytest.fixture
def sign_in() -> Callable[[FlaskClient, User], FlaskClient]:
    """Return a function that puts `user`'s session into a client's cookie.

    For tests about something else than logging in: it skips the form and its
    Argon2 check, but the session is the one the log-in view would make, so it
    goes through the same user loader and session version check.
    """

    def _sign_in(client: FlaskClient, user: User) -> FlaskClient:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return _sign_in


@pytest.fixture
def clock(time_machine: Any) -> Any:
    """Stop the clock at NOW for views that read it; move it with clock.shift()."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def admin(create_user: Callable[..., User]) -> User:
    return create_user(
        "ada@example.org", role=Role.admin, name="Ada Admin", locale="en"
    )


@pytest.fixture
def admin_client(client: FlaskClient, admin: User, sign_in: Any) -> FlaskClient:
    """Return the test client with the admin logged in."""
    return sign_in(client, admin)


@pytest.fixture(params=CHECKED_LOCALES)
def lang(request: pytest.FixtureRequest) -> str:
    """Return the locale a test's pages are asked for."""
    return str(request.param)


@pytest.fixture
def text(lang: str) -> dict[str, str]:
    """Return the expected texts in the locale of the test."""
    return TEXTS[lang]
