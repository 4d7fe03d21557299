"""The delegation register in a real browser: register a visit, axe in nb and en, 404 for members."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import Role
from app.core.db import db, utcnow
from app.delegations.models import Delegation
from tests.e2e.helpers import (
    EMAILS,
    INTERNAL_VISIT,
    html_lang,
    log_in,
    seed_calendar,
    submit_form,
    switch_language,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    def _seed(app: Flask) -> None:
        seed_calendar(utcnow().replace(second=0, microsecond=0))

    return _seed


def _internal_visit_id(server: LiveServer) -> int:
    with server.app.app_context():
        return db.session.scalars(
            sa.select(Delegation.id).filter_by(title=INTERNAL_VISIT)
        ).one()


def test_register_a_visit_and_pass_axe_in_both_languages(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.mayors_office])
    switch_language(page, "en")
    page.goto(live_server("/visits/new"))
    page.select_option("#direction", "incoming")
    page.fill("#title", "Mayor of Kyiv")
    page.select_option("#country", "UA")
    page.select_option("#protocol_level", "mayoral")
    page.fill("#arrival", "2026-12-01T10:00")
    page.fill("#departure", "2026-12-03T15:30")
    submit_form(page, "main form[method=post]")

    assert page.locator("h1").inner_text().startswith("Mayor of Kyiv")
    assert "1 Dec 2026, 10:00" in page.locator(".facts").inner_text()
    detail = page.url.replace(live_server(""), "")
    for locale in ("nb", "en"):
        switch_language(page, locale)
        for path in ("/visits/", detail, "/visits/new"):
            response = page.goto(live_server(path))
            assert (response.status, html_lang(page)) == (200, locale)
            assert_accessible(page)


def test_member_opening_an_internal_visit_gets_404(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.member])

    response = page.goto(live_server(f"/visits/{_internal_visit_id(live_server)}"))
    listed = page.goto(live_server("/visits/?q=Hamburg"))

    assert response.status == 404
    assert listed.status == 200
    assert INTERNAL_VISIT not in page.locator("main").inner_text()
