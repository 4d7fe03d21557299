"""HTTPS only once the site is on https (HSTS), and only our own host names (TRUSTED_HOSTS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.core.security import trusted_hosts
from tests.fixtures.database import make_app

pytestmark = pytest.mark.unit


def _app(tmp_path: Path, **overrides: Any) -> Flask:
    """Return an app whose database is never opened (the log-in page needs none)."""
    return make_app(f"sqlite:///{tmp_path / 'unused.db'}", **overrides)


@pytest.mark.parametrize(
    ("base_url", "seconds", "expected"),
    [
        ("https://vertskap.example", 31_536_000, "max-age=31536000"),
        ("https://vertskap.example", 600, "max-age=600"),
        ("https://vertskap.example", 0, None),
        ("http://vertskap.test", 31_536_000, None),
    ],
)
def test_hsts_is_sent_when_the_site_is_on_https(tmp_path, base_url, seconds, expected):
    app = _app(tmp_path, PUBLIC_BASE_URL=base_url, HSTS_SECONDS=seconds)

    response = app.test_client().get("/login")

    assert response.status_code == 200
    assert response.headers.get("Strict-Transport-Security") == expected


def test_production_answers_only_to_the_public_base_urls_host(tmp_path):
    app = _app(
        tmp_path,
        VERTSKAP_ENV="production",
        PUBLIC_BASE_URL="https://vertskap.example/",
    )
    client = app.test_client()

    ours = client.get("/login", base_url="https://vertskap.example")
    forged = client.get("/login", base_url="https://evil.example")
    with_port = client.get("/login", headers={"Host": "vertskap.example:8443"})

    assert app.config["TRUSTED_HOSTS"] == ["vertskap.example"]
    assert (ours.status_code, forged.status_code, with_port.status_code) == (
        200,
        400,
        200,
    )
    assert "evil.example" not in forged.get_data(as_text=True)


def test_trusted_hosts_setting_lists_more_names(tmp_path):
    app = _app(
        tmp_path,
        VERTSKAP_ENV="production",
        PUBLIC_BASE_URL="https://vertskap.example",
        TRUSTED_HOSTS=" vertskap.example, intern.vertskap.example ,",
    )
    client = app.test_client()

    statuses = [
        client.get("/login", base_url=f"https://{host}").status_code
        for host in ("vertskap.example", "intern.vertskap.example", "evil.example")
    ]

    assert statuses == [200, 200, 400]


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        ("", "production", ["vertskap.example"]),
        ("", "development", None),
        ("", "testing", None),
        ("a.example,b.example", "development", ["a.example", "b.example"]),
        (["a.example"], "production", ["a.example"]),
    ],
)
def test_trusted_hosts_default_to_the_base_urls_host_in_production(
    setting, env, expected
):
    assert (
        trusted_hosts(setting, base_url="https://vertskap.example:443/", env=env)
        == expected
    )
