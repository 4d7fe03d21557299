"""The planner in a real browser: a clash shown as text, no serious axe violation in nb and en."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import Role
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from app.delegations.models import Delegation, ProgrammeItem
from app.directory.models import Official
from tests.e2e.helpers import (
    EMAILS,
    INTERNAL_VISIT,
    html_lang,
    log_in,
    seed_calendar,
    switch_language,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    def _seed(app: Flask) -> None:
        seed_calendar(utcnow().replace(second=0, microsecond=0))
        visit = db.session.scalars(
            sa.select(Delegation).filter_by(title=INTERNAL_VISIT)
        ).one()
        mayor = Official(name="Rita Ottervik")
        for title, hours in (("Meeting with the mayor", 3), ("Lunch with NTNU", 3.5)):
            start = visit.arrival_dt + timedelta(hours=hours)
            db.session.add(
                ProgrammeItem(
                    title=title,
                    delegation=visit,
                    start_dt=start,
                    end_dt=start + timedelta(hours=1),
                    visibility=Visibility.internal,
                    officials=[mayor],
                )
            )

    return _seed


def test_planner_shows_clash_and_passes_axe_in_both_languages(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.mayors_office])

    for locale in ("nb", "en"):
        switch_language(page, locale)
        response = page.goto(live_server("/planner/"))
        assert (response.status, html_lang(page)) == (200, locale)
        assert page.locator(".clash").count() == 2
        assert_accessible(page)

    assert page.locator(".planner__count").inner_text() == "1 clash in these weeks"
    assert (
        page.locator(".clash")
        .first.inner_text()
        .startswith("Clash: Rita Ottervik is also at “Lunch with NTNU”")
    )
