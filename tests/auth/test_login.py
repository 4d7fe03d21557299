"""Log-in, log-out, sessions, safe redirects and the log-in throttle, through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import LoginAttempt, User
from app.core.db import db
from tests.auth.helpers import TEXTS, log_in, read_page, who_is_logged_in
from tests.fixtures.builders import NOW, PASSWORD

pytestmark = pytest.mark.integration

EN = TEXTS["en"]


def _attempts() -> list[tuple[str, str, bool]]:
    rows = db.session.scalars(sa.select(LoginAttempt).order_by(LoginAttempt.id))
    return [(row.email, row.address, row.succeeded) for row in rows]


@pytest.mark.parametrize("typed", ["kari@example.org", "  Kari@EXAMPLE.org "])
def test_login_with_right_password_logs_in_and_records_it(client, create_user, typed):
    user = create_user("kari@example.org", name="Kari Nordmann")

    response = client.post("/login", data={"email": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert who_is_logged_in(client) == "Kari Nordmann"
    assert _attempts() == [("kari@example.org", "127.0.0.1", True)]
    assert db.session.get(User, user.id).last_login_dt is not None


@pytest.mark.parametrize(
    "account", ["unknown", "wrong_password", "deactivated", "invited"]
)
def test_login_refuses_with_one_message_for_every_failure(client, create_user, account):
    user = create_user(
        "kari@example.org",
        password=None if account == "invited" else PASSWORD,
    )
    if account == "deactivated":
        user.is_active = False
        db.session.commit()
    email = "nobody@example.org" if account == "unknown" else user.email
    password = "wrong password 123" if account == "wrong_password" else PASSWORD

    response = client.post("/login", data={"email": email, "password": password})

    page = read_page(response)
    assert response.status_code == 200
    assert page.errors == {"password": EN["wrong_login"]}
    assert page.values["email"] == email
    assert page.values["password"] == ""
    assert who_is_logged_in(client) is None
    assert _attempts() == [(email, "127.0.0.1", False)]


def test_login_starts_a_fresh_session(client, other_client, create_user):
    user = create_user(name="Kari Nordmann")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    planted_cookie = client.get_cookie("session").value

    response = log_in(client, user)

    assert response.status_code == 302
    assert client.get_cookie("session").value != planted_cookie
    with client.session_transaction() as session:
        assert sorted(session.keys()) == [
            "_fresh",
            "_id",
            "_permanent",
            "_started",
            "_user_id",
        ]
        assert session["_user_id"] == f"{user.id}.1"
    other_client.set_cookie("session", planted_cookie)
    assert who_is_logged_in(other_client) is None
    assert who_is_logged_in(client) == "Kari Nordmann"


def test_logout_ends_the_session_and_its_copies(client, other_client, admin, login):
    login(admin)
    copied = client.get_cookie("session").value
    other_client.set_cookie("session", copied)
    assert other_client.get("/admin/users").status_code == 200

    response = client.post("/logout", follow_redirects=True)

    assert read_page(response).flashes == [EN["logged_out"]]
    assert who_is_logged_in(client) is None
    replay = other_client.get("/admin/users")
    assert replay.status_code == 302
    assert replay.headers["Location"] == "/login?next=%2Fadmin%2Fusers"
    assert db.session.get(User, admin.id).session_version == 2


def test_login_page_for_a_logged_in_user_goes_home(client, create_user, login):
    login(create_user())

    response = client.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


#: Log-in's own check; tests/core/test_security.py tries many more on safe_next_url.
EVIL_NEXT = [
    "//evil.example",
    "////evil.example/",
    "/\\evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
]


def test_login_redirects_only_to_pages_of_this_site(new_client, create_user):
    user = create_user()
    expected = dict.fromkeys(EVIL_NEXT, "/") | {"/upcoming": "/upcoming"}

    locations = {}
    for next_url in expected:
        response = log_in(new_client(), user, next=next_url)
        locations[next_url] = response.headers.get("Location")

    assert locations == expected


@pytest.mark.parametrize(
    ("next_url", "kept"),
    [
        ("//evil.example", ""),
        ("https://evil.example/x", ""),
        ("/upcoming", "/upcoming"),
    ],
)
def test_login_page_keeps_only_a_safe_next_url(client, next_url, kept):
    response = client.get("/login", query_string={"next": next_url})

    assert response.status_code == 200
    assert read_page(response).values["next"] == kept


def test_login_is_throttled_after_five_failures_for_the_account(
    client, other_client, create_user
):
    user = create_user("kari@example.org")
    for _ in range(5):
        assert log_in(client, user, password="wrong password 123").status_code == 200

    response = log_in(client, user)
    elsewhere = other_client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )

    assert response.status_code == 429
    assert read_page(response).errors == {"password": EN["throttled"]}
    assert elsewhere.status_code == 429
    assert who_is_logged_in(client) is None
    assert len(_attempts()) == 5


@pytest.mark.parametrize(
    ("by", "failures", "minutes_ago", "status"),
    [
        ("account", 5, 14, 429),
        ("account", 4, 1, 302),
        ("account", 5, 16, 302),
        ("address", 20, 14, 429),
        ("address", 19, 1, 302),
        ("address", 20, 16, 302),
    ],
)
def test_login_throttle_counts_failures_of_the_last_quarter_hour(
    client, create_user, clock, by, failures, minutes_ago, status
):
    user = create_user("kari@example.org")
    for n in range(failures):
        db.session.add(
            LoginAttempt(
                email=user.email if by == "account" else f"guess{n}@example.org",
                address="198.51.100.9" if by == "account" else "127.0.0.1",
                attempted_dt=NOW - timedelta(minutes=minutes_ago),
                succeeded=False,
            )
        )
    db.session.commit()

    response = log_in(client, user)

    assert response.status_code == status
    assert (who_is_logged_in(client) is not None) == (status == 302)


def test_login_throttle_by_address_spares_other_addresses(client, create_user, clock):
    user = create_user("kari@example.org", name="Kari Nordmann")
    db.session.add_all(
        LoginAttempt(
            email=f"guess{n}@example.org",
            address="127.0.0.1",
            attempted_dt=NOW - timedelta(minutes=1),
            succeeded=False,
        )
        for n in range(20)
    )
    db.session.commit()

    blocked = log_in(client, user)
    allowed = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )

    assert blocked.status_code == 429
    assert read_page(blocked).errors == {"password": EN["throttled"]}
    assert allowed.status_code == 302
    assert who_is_logged_in(client) == "Kari Nordmann"
