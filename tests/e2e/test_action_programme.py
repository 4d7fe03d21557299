"""The office edits a matrix row by keyboard, reads a past status date and compares two, in a browser."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.db import db
from app.directory.models import Initiative
from tests.e2e.helpers import EMAILS, html_lang, log_in, switch_language
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

MATRIX = "/action-programme/2011-2012"


def _press(page: Any, selector: str) -> None:
    """Focus `selector` and press Enter on it, waiting for the page it leads to."""
    page.locator(selector).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize(
    ("locale", "new_status", "saved"),
    [
        (
            "nb",
            "Løpende – tolv delegasjoner i 2011",
            "Temaet «Vertskapsrolle» er lagret.",
        ),
        (
            "en",
            "Ongoing – twelve delegations in 2011",
            "The theme “Vertskapsrolle” is saved.",
        ),
    ],
)
def test_the_office_edits_a_row_and_compares_its_two_status_dates(
    live_server: LiveServer, new_page: Any, locale: str, new_status: str, saved: str
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    switch_language(page, locale)
    page.goto(live_server(MATRIX))
    assert_accessible(page)

    _press(page, "#theme-vertskapsrolle a.row-edit")
    assert html_lang(page) == locale
    assert_accessible(page)
    # An earlier status date is refused, with the typed text kept.
    page.locator("#status").fill(new_status)
    page.locator("#status_as_of").fill("2010-06-30")
    _press(page, "main form [type=submit]")
    assert page.locator(".error-summary li").count() == 1
    assert page.locator("#status_as_of").get_attribute("aria-invalid") == "true"
    assert page.locator("#status").input_value() == new_status
    assert_accessible(page)

    page.locator("#status_as_of").fill("2011-12-31")
    _press(page, "main form [type=submit]")
    assert page.locator(".flash").inner_text().strip() == saved
    row = page.locator("#theme-vertskapsrolle td").nth(2)
    assert row.inner_text().strip() == new_status
    assert_accessible(page)

    # The status as of the seed's date, chosen with the keyboard.
    page.locator("#as_of").focus()
    page.locator("#as_of").select_option("2010-12-31")
    _press(page, "form.inline-form [type=submit]")
    assert (
        page.locator("#theme-vertskapsrolle td").nth(2).inner_text().strip()
        == "Løpende"
    )
    assert_accessible(page)

    page.goto(live_server(f"{MATRIX}/compare"))
    changed = page.locator("#theme-vertskapsrolle .diff")
    assert changed.locator("ins").inner_text().strip() == new_status
    assert changed.locator("del").inner_text().strip() == "Løpende"
    assert_accessible(page)

    page.goto(live_server("/action-programme/themes/new?period=2013-2014"))
    assert page.locator("#programme_period").input_value() == "2013-2014"
    assert_accessible(page)


def test_a_stale_save_shows_both_versions_and_keeps_the_typed_text(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    switch_language(page, "en")
    page.goto(live_server(f"{MATRIX}/themes/vertskapsrolle/edit"))
    # Someone else saves the row while this editor has it open.
    with live_server.app.app_context():
        initiative = db.session.scalars(
            sa.select(Initiative).filter_by(slug="vertskapsrolle")
        ).one()
        initiative.status = "Their status"
        db.session.commit()

    page.locator("#status").fill("My status")
    _press(page, "main form [type=submit]")

    assert page.locator("h2").first.inner_text() == "Someone else changed this theme"
    assert "Their status" in page.locator("table.conflict").inner_text()
    assert page.locator("#status").input_value() == "My status"
    assert_accessible(page)
    _press(page, "main form [type=submit]")  # saving again keeps mine
    assert page.locator("#theme-vertskapsrolle td").nth(2).inner_text() == "My status"
