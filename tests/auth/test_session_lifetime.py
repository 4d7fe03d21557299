"""A session ends a fixed time after its log-in, however active it is (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.sessions import STARTED_KEY
from tests.auth.helpers import TEXTS, log_in, read_page, who_is_logged_in
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

EN = TEXTS["en"]


def test_session_ends_twelve_hours_after_the_log_in_however_active(
    client, create_user, clock
):
    user = create_user(name="Kari Nordmann")
    log_in(client, user)
    seen = []
    for _hour in range(11):
        clock.shift(timedelta(hours=1))
        seen.append(who_is_logged_in(client))
    clock.shift(timedelta(minutes=59, seconds=59))
    last_moment = who_is_logged_in(client)
    clock.shift(timedelta(seconds=1))

    ended = client.get("/")

    assert seen == ["Kari Nordmann"] * 11
    assert last_moment == "Kari Nordmann"
    assert read_page(ended).who is None
    assert read_page(ended).flashes == [EN["session_too_old"]]
    assert client.get("/admin/users").headers["Location"] == (
        "/login?next=%2Fadmin%2Fusers"
    )
    assert log_in(client, user).status_code == 302  # a new log-in, a new 12 hours
    assert who_is_logged_in(client) == "Kari Nordmann"


@pytest.mark.parametrize(("minutes", "who"), [(119, "Kari Nordmann"), (120, None)])
def test_session_lifetime_follows_the_setting(
    client, app, create_user, clock, minutes, who
):
    app.config["SESSION_ABSOLUTE_HOURS"] = 2
    log_in(client, create_user(name="Kari Nordmann"))
    clock.shift(timedelta(minutes=minutes))

    assert who_is_logged_in(client) == who


def test_session_from_before_the_limit_gets_its_hours_from_its_next_request(
    client, create_user, sign_in, clock
):
    sign_in(client, create_user(name="Kari Nordmann"))  # no start noted

    first = who_is_logged_in(client)
    with client.session_transaction() as session:
        started = session[STARTED_KEY]
    clock.shift(timedelta(hours=12))

    assert first == "Kari Nordmann"
    assert started == int(NOW.timestamp())
    assert who_is_logged_in(client) is None
