"""A database that cannot be reached answers 503 with Retry-After, in words, never 500.

On PostgreSQL the test database goes away as in a restart: every open
connection is ended by the server (pg_terminate_backend) and new ones are
refused (ALLOW_CONNECTIONS false) until it comes back; then the app recovers
without a restart of its own. A server nobody listens on, and a SQLite file
that cannot be opened, are refused the same way.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from psycopg import sql

from app.auth.models import Role
from app.calendar.models import Submission
from app.core.db import db
from tests.calendar.test_submission_form import _form
from tests.fixtures.database import IsolatedClient, make_app
from tests.fixtures.postgres import PostgresServer

pytestmark = pytest.mark.integration

POSTGRES_ONLY = pytest.mark.parametrize("app", ["postgresql"], indirect=True)
ENGLISH = {"DEFAULT_LOCALE": "en"}
WORDS_EN = (
    "Back in a moment The calendar's database cannot be reached just now, most "
    "likely because it is being restarted. Try again in 30 seconds."
)
WORDS_NB = (
    "Straks tilbake Kalenderens database kan ikke nås akkurat nå, mest "
    "sannsynlig fordi den startes på nytt. Prøv igjen om 30 sekunder."
)


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return dict(ENGLISH)


def _words(response: Any) -> str:
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _backends(server: PostgresServer, name: str) -> int:
    with psycopg.connect(server.conninfo + " dbname=postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchone()
    return int(row[0]) if row else 0


class Outage:
    """Takes the test database away as a restart does, and brings it back."""

    def __init__(self, server: PostgresServer, name: str) -> None:
        self.server = server
        self.name = name

    def begin(self) -> None:
        db.session.close()  # the test's own session gives its connection back first
        ident = sql.Identifier(self.name)
        self.server.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(ident)
        )
        self.server.execute(
            sql.SQL(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {}"
            ).format(sql.Literal(self.name))
        )
        deadline = time.monotonic() + 10
        while _backends(self.server, self.name) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _backends(self.server, self.name) == 0

    def end(self) -> None:
        self.server.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(
                sql.Identifier(self.name)
            )
        )


@pytest.fixture
def outage(app: Flask, postgres_server: PostgresServer) -> Iterator[Outage]:
    name = db.engine.url.database
    assert name is not None
    down = Outage(postgres_server, name)
    yield down
    down.end()


@POSTGRES_ONLY
def test_pages_answer_503_in_words_while_the_database_is_down_then_recover(
    client, outage
):
    assert client.get("/").status_code == 200  # the pool holds a connection now
    outage.begin()

    home = client.get("/")
    calendar = client.get("/calendar")
    outage.end()
    back = client.get("/")

    for response in (home, calendar):
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert response.content_type == "text/html; charset=utf-8"
        assert _words(response).startswith(WORDS_EN)
    assert back.status_code == 200


@POSTGRES_ONLY
@pytest.mark.parametrize("app_settings", [{"DEFAULT_LOCALE": "nb"}], ids=["nb"])
def test_503_page_is_in_norwegian(client, outage):
    outage.begin()

    response = client.get("/calendar")

    assert response.status_code == 503
    assert _words(response).startswith(WORDS_NB)


@POSTGRES_ONLY
def test_logged_in_page_answers_503_without_reading_the_user_again(
    client, outage, create_user, login
):
    login(create_user(role=Role.admin, locale="en"))
    assert client.get("/visits/").status_code == 200
    outage.begin()

    response = client.get("/visits/")
    outage.end()
    back = client.get("/visits/")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert _words(response).startswith(WORDS_EN)
    assert back.status_code == 200  # still logged in: the session was kept


@POSTGRES_ONLY
def test_a_form_sent_during_the_outage_gets_503_and_nothing_half_saved(client, outage):
    outage.begin()

    response = client.post("/submit", data=_form())
    outage.end()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
    assert client.post("/submit", data=_form()).status_code == 302


@POSTGRES_ONLY
def test_api_answers_503_as_problem_json(client, outage):
    outage.begin()

    response = client.get("/api/v1/events")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.content_type == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The database cannot be reached just now; try again in 30 seconds.",
    }


@POSTGRES_ONLY
def test_feed_answers_503_in_plain_text_even_when_the_lane_kept_it(client, outage):
    kept = client.get("/feeds/public.ics")
    outage.begin()

    response = client.get("/feeds/public.ics")
    outage.end()
    back = client.get("/feeds/public.ics")

    assert kept.status_code == 200
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.get_data(as_text=True) == "Service Unavailable\n"
    assert "Set-Cookie" not in response.headers
    assert back.status_code == 200


def _unreachable_app(url: str) -> Flask:
    app = make_app(url, **ENGLISH)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def unreachable(
    tmp_path: Path, postgres_server: PostgresServer
) -> Callable[[str], Flask]:
    def _make(backend: str) -> Flask:
        if backend == "sqlite":
            # A directory where the file should be: SQLite cannot open it.
            folder = tmp_path / "vertskap.db"
            folder.mkdir()
            return _unreachable_app(f"sqlite:///{folder}")
        # The server's own host (its socket directory or its address), but a
        # port no server listens on: the driver is real, the answer never comes.
        socket_dir = postgres_server.url_query.removeprefix("?host=")
        where = (
            f"/vertskap?host={socket_dir}&port=1"
            if socket_dir
            else ("127.0.0.1:1/vertskap")
        )
        return _unreachable_app(f"postgresql+psycopg://nobody@{where}")

    return _make


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_nobody_answers_gets_503_on_every_surface(unreachable, backend):
    app = unreachable(backend)
    client = app.test_client()

    page = client.get("/")
    api = client.get("/api/v1/events")
    feed = client.get("/feeds/public.ics")

    assert [r.status_code for r in (page, api, feed)] == [503, 503, 503]
    assert [r.headers["Retry-After"] for r in (page, api, feed)] == ["30"] * 3
    assert _words(page).startswith(WORDS_EN)
    assert api.get_json()["status"] == 503
    assert feed.get_data(as_text=True) == "Service Unavailable\n"
    with app.app_context():
        db.engine.dispose()
