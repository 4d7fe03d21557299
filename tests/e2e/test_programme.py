"""The programme editor and the printable programme in a real browser, in nb and en, with axe."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.db import db
from app.core.timezones import utc_to_local
from app.delegations.models import Delegation, ProgrammeItem
from tests.e2e.helpers import (
    EMAILS,
    INTERNAL_VISIT,
    PROGRAMME_ITEM,
    html_lang,
    log_in,
    submit_form,
    switch_language,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e


def _visit(server: LiveServer) -> tuple[int, datetime]:
    """Return the seeded visit's id and the local start of its seeded programme item."""
    with server.app.app_context():
        visit = db.session.scalars(
            sa.select(Delegation).filter_by(title=INTERNAL_VISIT)
        ).one()
        item = db.session.scalars(
            sa.select(ProgrammeItem).filter_by(title=PROGRAMME_ITEM)
        ).one()
        return visit.id, utc_to_local(item.start_dt, visit.timezone).replace(
            tzinfo=None
        )


def _field(wall: datetime) -> str:
    return wall.strftime("%Y-%m-%dT%H:%M")


def test_programme_add_item_and_print_pass_axe_in_both_languages(
    live_server: LiveServer, new_page: Any
) -> None:
    # The seed follows the clock; the new item comes an hour after the seeded
    # one, so the programme's order does not depend on when the test runs.
    visit_id, welcome = _visit(live_server)
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.mayors_office])
    page.goto(live_server(f"/visits/{visit_id}/programme"))
    switch_language(page, "en")
    assert_accessible(page)

    page.locator("#title").fill("Dinner at the harbour")
    page.locator("#start").fill(_field(welcome + timedelta(hours=1)))
    page.locator("#end").fill(_field(welcome + timedelta(hours=3, minutes=30)))
    page.locator("#visibility").select_option("internal")
    submit_form(page, "form[action$='/programme']")
    titles = page.locator(".programme-table th[scope=row]").all_inner_texts()
    flash = page.locator(".flash--success").inner_text()
    assert_accessible(page)
    switch_language(page, "nb")
    assert_accessible(page)

    page.goto(live_server(f"/visits/{visit_id}/programme/print?lang=en"))
    print_lang, heading = html_lang(page), page.locator("h1").inner_text()
    print_titles = page.locator(".programme-table th[scope=row]").all_inner_texts()
    assert_accessible(page)

    page.goto(live_server(f"/visits/{visit_id}/programme"))
    with page.expect_navigation():
        page.locator(".programme-table a[href$='/delete']").last.click()
    assert_accessible(page)
    submit_form(page, "main form[action$='/delete']")
    after_delete = page.locator(".programme-table th[scope=row]").all_inner_texts()

    assert [t.strip() for t in titles] == [PROGRAMME_ITEM, "Dinner at the harbour"]
    assert flash == "“Dinner at the harbour” is added to the programme."
    assert (print_lang, heading) == ("en", INTERNAL_VISIT)
    assert [t.strip() for t in print_titles] == [
        PROGRAMME_ITEM,
        "Dinner at the harbour",
    ]
    assert [t.strip() for t in after_delete] == [PROGRAMME_ITEM]
