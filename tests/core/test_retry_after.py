"""Every 429 says when to come back: Retry-After in whole seconds, and the page in words."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from app.auth.models import Role
from app.core.db import db
from app.feeds.models import AccessPurpose
from app.feeds.tokens import create_feed_token
from tests.calendar.test_submission_form import _form
from tests.fixtures.builders import NOW, PASSWORD

pytestmark = pytest.mark.integration

LIMITED = {"RATELIMIT_ENABLED": True}


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """Stand still at NOW: the waits are then exact."""
    time_machine.move_to(NOW, tick=False)


def _words(response: Any) -> str:
    """Return the main text of a page, tags removed and space collapsed."""
    html = response.get_data(as_text=True)
    main = (
        html[html.index("<main") : html.index("</main>")] if "<main" in html else html
    )
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _retry_after(response: Any) -> int:
    value = response.headers["Retry-After"]
    assert value.isdigit(), value
    return int(value)


@pytest.mark.parametrize(
    ("app_settings", "words"),
    [
        (
            {**LIMITED, "DEFAULT_LOCALE": "en", "SUBMISSION_RATE_LIMIT": "1 per hour"},
            "Too many requests You have made too many requests in a short time.",
        ),
        (
            {**LIMITED, "DEFAULT_LOCALE": "nb", "SUBMISSION_RATE_LIMIT": "1 per hour"},
            "For mange forespørsler Du har sendt for mange forespørsler på kort tid.",
        ),
    ],
    ids=["en", "nb"],
)
def test_submission_limit_429_says_when_to_come_back(client, words):
    client.post("/submit", data=_form())

    over = client.post("/submit", data=_form(title="Another"))

    assert over.status_code == 429
    assert _retry_after(over) == 3601  # the hour's window, and the limiter's second
    assert _words(over).startswith(words)


@pytest.mark.parametrize(
    "app_settings",
    [
        {
            **LIMITED,
            "DEFAULT_LOCALE": "en",
            "SUBMISSION_ATTEMPT_RATE_LIMIT": "2 per minute",
        }
    ],
    ids=["attempts"],
)
def test_attempt_limit_429_says_when_to_come_back(client):
    for _n in range(2):
        client.post("/submit", data=_form(title=""))

    over = client.post("/submit", data=_form(title=""))

    assert over.status_code == 429
    assert _retry_after(over) == 61


@pytest.mark.parametrize("app_settings", [{**LIMITED, "DEFAULT_LOCALE": "en"}])
def test_password_reset_limit_429_says_when_to_come_back(client):
    answers = [
        client.post("/password/forgot", data={"email": f"x{n}@example.org"})
        for n in range(11)
    ]

    assert [a.status_code for a in answers] == [302] * 10 + [429]
    assert "Retry-After" not in answers[0].headers
    assert _retry_after(answers[10]) == 3601


@pytest.mark.parametrize(
    ("app_settings", "message"),
    [
        (
            {"DEFAULT_LOCALE": "en"},
            "Too many failed attempts. Wait a quarter of an hour and try again, "
            "or reset your password.",
        ),
        (
            {"DEFAULT_LOCALE": "nb"},
            "For mange mislykkede forsøk. Vent et kvarter og prøv igjen, eller "
            "tilbakestill passordet.",
        ),
    ],
    ids=["en", "nb"],
)
def test_login_throttle_429_says_when_to_come_back(client, create_user, message):
    user = create_user("kari@example.org", locale="en")
    failed = [
        client.post("/login", data={"email": user.email, "password": "wrong 12345"})
        for _n in range(5)
    ]

    throttled = client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert [r.status_code for r in failed] == [200] * 5
    assert all("Retry-After" not in r.headers for r in failed)
    assert throttled.status_code == 429
    assert _retry_after(throttled) == 15 * 60  # LOGIN_THROTTLE_MINUTES
    assert message in _words(throttled)


@pytest.mark.parametrize(
    ("app_settings", "detail"),
    [
        (
            {**LIMITED, "API_RATE_LIMIT": "2 per minute", "DEFAULT_LOCALE": "en"},
            "Too many requests; try again later.",
        ),
        (
            {**LIMITED, "API_RATE_LIMIT": "2 per minute", "DEFAULT_LOCALE": "nb"},
            "For mange forespørsler; prøv igjen senere.",
        ),
    ],
    ids=["en", "nb"],
)
def test_api_limit_429_says_when_to_come_back(app, client, create_user, detail):
    user = create_user(role=Role.member, locale=app.config["DEFAULT_LOCALE"])
    _row, raw = create_feed_token(user, label="API", now=NOW, purpose=AccessPurpose.api)
    db.session.commit()
    token = {"Authorization": f"Bearer {raw}"}
    for _n in range(2):
        assert client.get("/api/v1/organisations", headers=token).status_code == 200

    over = client.get("/api/v1/organisations", headers=token)

    assert over.status_code == 429
    assert _retry_after(over) == 61
    assert over.get_json() == {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": detail,
    }


@pytest.mark.parametrize(
    "app_settings", [{**LIMITED, "FEED_RATE_LIMIT": "2 per minute"}], ids=["feeds"]
)
def test_feed_limit_429_says_when_to_come_back(client):
    for _n in range(2):
        assert client.get("/feeds/public.ics").status_code == 200

    over = client.get("/feeds/public.ics")

    assert over.status_code == 429
    assert _retry_after(over) == 60
    assert over.get_data(as_text=True) == "Too many requests\n"
