"""A visit's checklist and the template editor in a real browser: ticking works, axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from app.auth.models import Role
from app.core.db import db, utcnow
from app.delegations.checklists.services import add_task, create_checklist_tasks
from app.delegations.models import (
    ChecklistTemplate,
    ChecklistTemplateItem,
    Delegation,
    ProtocolLevel,
)
from tests.e2e.helpers import (
    EMAILS,
    INTERNAL_VISIT,
    html_lang,
    log_in,
    submit_form,
    switch_language,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    def _seed(app: Flask) -> None:
        from tests.e2e.helpers import seed_calendar  # noqa: PLC0415 -- seeds the shared calendar first

        now = utcnow().replace(second=0, microsecond=0)
        seed_calendar(now)
        db.session.add(
            ChecklistTemplate(
                protocol_level=ProtocolLevel.professional,
                title="Professional delegations",
                items=[
                    ChecklistTemplateItem(title="Book rooms", due_days_before=5),
                    ChecklistTemplateItem(
                        title="Send thanks", due_days_before=-7, position=1
                    ),
                ],
            )
        )
        db.session.flush()
        visit = db.session.scalars(
            db.select(Delegation).filter_by(title=INTERNAL_VISIT)
        ).one()
        create_checklist_tasks(visit, now=now)
        add_task(
            visit,
            title="Ask for the guest list",
            due_date=(now - timedelta(days=3)).date(),
            now=now,
        )

    return _seed


def _visit_id(server: LiveServer) -> int:
    with server.app.app_context():
        return db.session.scalars(
            db.select(Delegation.id).filter_by(title=INTERNAL_VISIT)
        ).one()


def test_checklist_pages_work_and_have_no_serious_violation(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    checklist = live_server(f"/visits/{_visit_id(live_server)}/checklist")

    page.goto(checklist)
    switch_language(page, "en")
    overdue = page.locator("tr.task--overdue")
    assert overdue.count() == 1
    assert " ".join(overdue.locator("th").inner_text().split()) == (
        "Ask for the guest list Overdue"
    )
    submit_form(page, "tr.task--overdue td:last-child form")
    assert page.locator("tr.task--overdue").count() == 0
    assert page.locator(".badge--done").count() == 1

    for locale in ("nb", "en"):
        switch_language(page, locale)
        for path in (checklist, live_server("/admin/checklists/")):
            page.goto(path)
            assert html_lang(page) == locale
            assert_accessible(page)
        with page.expect_navigation():
            page.locator("main table a", has_text="Professional delegations").click()
        page.locator("#title").first.fill("")
        submit_form(page, "form:has(#due_days_before)")
        assert page.locator(".error-summary li").count() == 2
        assert_accessible(page)
