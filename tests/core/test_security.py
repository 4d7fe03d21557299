"""Security headers, session cookie flags, safe redirects and tokens.

None of this touches the database, so one app without a database serves the
whole module (the `app` fixture would run it once per backend for nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.core.security import hash_token, new_token, safe_next_url
from tests.fixtures.database import make_app

pytestmark = pytest.mark.unit

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _app(tmp_path: Path, **overrides: str) -> Flask:
    """Return an app whose database is never opened."""
    return make_app(f"sqlite:///{tmp_path / 'unused.db'}", **overrides)


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return _app(tmp_path_factory.mktemp("security"))


@pytest.fixture
def app_context(plain_app: Flask) -> Iterator[None]:
    with plain_app.app_context():
        yield


def _cookie_attributes(set_cookie: str) -> tuple[str, set[str]]:
    """Return a Set-Cookie header's cookie name and its attributes, names lower-cased."""
    name_value, *attributes = (part.strip() for part in set_cookie.split(";"))
    normalised = set()
    for attribute in attributes:
        key, sep, value = attribute.partition("=")
        normalised.add(key.lower() + sep + value)
    return name_value.split("=", 1)[0], normalised


@pytest.mark.parametrize(
    ("path", "status"),
    [("/login", 200), ("/no-such-page", 404), ("/static/css/app.css", 200)],
)
def test_every_response_carries_the_security_headers(plain_app, path, status):
    with plain_app.test_client().get(path) as response:
        pass  # closes the static file

    assert response.status_code == status
    assert {
        name: response.headers.get(name)
        for name in (
            "Content-Security-Policy",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "X-Frame-Options",
        )
    } == {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


def test_login_page_is_not_cached(plain_app):
    response = plain_app.test_client().get("/login")

    assert response.headers.get("Cache-Control") == "no-store"


def test_pages_have_no_inline_script_or_style(plain_app):
    html = plain_app.test_client().get("/login").get_data(as_text=True)

    assert (
        re.findall(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=\"|\son\w+=", html)
        == []
    )


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [("http://vertskap.test", False), ("https://vertskap.example", True)],
)
def test_session_cookie_is_http_only_and_same_site_lax(tmp_path, base_url, secure):
    client = _app(tmp_path, PUBLIC_BASE_URL=base_url).test_client()

    response = client.post("/language", data={"locale": "en", "next": "/login"})

    (set_cookie,) = response.headers.getlist("Set-Cookie")
    name, attributes = _cookie_attributes(set_cookie)
    assert name == "session"
    assert {"httponly", "samesite=Lax", "path=/"} <= attributes
    assert ("secure" in attributes) is secure


BAD_TARGETS = [
    None,
    "",
    "//evil.example",
    "////evil.example/",
    "/\\evil.example",
    "/\\\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http://vertskap.test/upcoming",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " /upcoming",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/upcoming/../admin",
    "/static/..//evil.example",
    "/static/%2e%2e//evil.example",
    "/up\ncoming",
    "/upcoming\r\nLocation: https://evil.example",
    "/up\tcoming",
    "/\x00",
    "/no-such-page",
    "/logout",
    "upcoming",
]
GOOD_TARGETS = [
    "/",
    "/upcoming",
    "/upcoming?kind=event&page=2",
    "/upcoming#today",
    "/admin/users",
    "/admin/users/7/edit",
    "/admin/outbox",
]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_safe_next_url_refuses_anything_but_our_own_pages(app_context, target):
    assert safe_next_url(target) is None


@pytest.mark.parametrize("target", GOOD_TARGETS)
def test_safe_next_url_keeps_paths_of_our_own_pages(app_context, target):
    assert safe_next_url(target) == target


def test_new_token_is_random_and_stored_only_as_its_digest():
    tokens = [new_token() for _ in range(3)]

    assert len({token for token, _ in tokens}) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token, _ in tokens)
    assert [digest for _, digest in tokens] == [
        hash_token(token) for token, _ in tokens
    ]
    assert hash_token("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
