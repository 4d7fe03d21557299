"""Without PUBLIC_BASE_URL, links point where `flask serve` listens (HOST and PORT)."""

from __future__ import annotations

import pytest

from app import create_app
from app.auth.services import public_link
from app.cli import local_base_url, serve_address

pytestmark = pytest.mark.unit

DEVELOPMENT = {
    "VERTSKAP_ENV": "development",
    "SECRET_KEY": "d" * 40,
    "DATABASE_URL": "sqlite://",
}


@pytest.fixture(autouse=True)
def _no_address_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    # Some shells (zsh) export HOST as the machine's name.
    for name in ("HOST", "PORT", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_the_fallback_is_the_default_address_of_flask_serve():
    app = create_app(DEVELOPMENT)

    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["UID_DOMAIN"] == "127.0.0.1"


def test_the_fallback_follows_host_and_port_from_the_environment(monkeypatch):
    """`make run PORT=8000` puts PORT in the environment of `flask serve`."""
    monkeypatch.setenv("HOST", "localhost")
    monkeypatch.setenv("PORT", "8000")

    app = create_app(DEVELOPMENT)

    assert app.config["PUBLIC_BASE_URL"] == "http://localhost:8000"
    with app.test_request_context():
        assert public_link("feeds.public_feed") == (
            "http://localhost:8000/feeds/public.ics"
        )


def test_serve_options_move_the_fallback_and_name_a_reachable_address():
    app = create_app(DEVELOPMENT)

    address = serve_address(app, "0.0.0.0", 8123)  # noqa: S104 -- a test of that case

    assert address == ("0.0.0.0", 8123)  # noqa: S104 -- a test of that case
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"
    with app.test_request_context():
        assert public_link("calendar.show_calendar") == "http://127.0.0.1:8123/calendar"


def test_serve_without_options_listens_on_host_and_port(monkeypatch):
    monkeypatch.setenv("PORT", "8001")
    app = create_app(DEVELOPMENT)

    assert serve_address(app, None, None) == ("127.0.0.1", 8001)
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:8001"


def test_a_base_url_that_was_set_is_kept_whatever_the_port():
    app = create_app(
        {**DEVELOPMENT, "PUBLIC_BASE_URL": "https://vertskap.example.org/"}
    )

    serve_address(app, "127.0.0.1", 8123)

    assert app.config["PUBLIC_BASE_URL"] == "https://vertskap.example.org"


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 5000, "http://127.0.0.1:5000"),
        ("localhost", 8000, "http://localhost:8000"),
        ("0.0.0.0", 5000, "http://127.0.0.1:5000"),  # noqa: S104 -- the wildcard case
        ("::", 5000, "http://[::1]:5000"),
        ("::1", 8080, "http://[::1]:8080"),
    ],
)
def test_local_base_url_names_an_address_a_browser_reaches(host, port, expected):
    assert local_base_url(host, port) == expected
