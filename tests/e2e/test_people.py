"""Participants, follow-up and interest in a real browser: the flows work, axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from app.auth.models import Role, User
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from app.delegations.followups.services import FollowUpData, add_followup
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProtocolLevel,
)
from app.delegations.participants.services import ParticipantData, add_participant
from tests.e2e.helpers import EMAILS, log_in, submit_form, switch_language
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

FORUM_VISIT = "Delegation from Kyiv"


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    def _seed(app: Flask) -> None:
        from tests.e2e.helpers import seed_calendar  # noqa: PLC0415 -- seeds the shared calendar first

        now = utcnow().replace(second=0, microsecond=0)
        seed_calendar(now)
        arrival = now + timedelta(days=12)
        visit = Delegation(
            title=FORUM_VISIT,
            direction=Direction.incoming,
            country="UA",
            protocol_level=ProtocolLevel.mayoral,
            arrival_dt=arrival,
            departure_dt=arrival + timedelta(days=2),
            status=DelegationStatus.confirmed,
            visibility=Visibility.forum,
        )
        db.session.add(visit)
        db.session.flush()
        mayor = db.session.scalars(
            db.select(User).filter_by(email=EMAILS[Role.mayors_office])
        ).one()
        add_participant(
            visit,
            ParticipantData(
                name="Olena Kovalenko", title="Deputy mayor", dietary_needs="vegan"
            ),
            actor=mayor,
            now=now,
        )
        add_followup(
            visit,
            FollowUpData(
                title="Send the cooperation draft",
                owner_id=mayor.id,
                deadline=(now - timedelta(days=2)).date(),
            ),
            actor=mayor,
            now=now,
        )

    return _seed


def _visit_id(server: LiveServer) -> int:
    with server.app.app_context():
        return db.session.scalars(
            db.select(Delegation.id).filter_by(title=FORUM_VISIT)
        ).one()


def test_staff_people_pages_work_and_are_accessible(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.mayors_office])
    visit_id = _visit_id(live_server)

    for locale in ("en", "nb"):
        for path in ("participants", "participants/import", "follow-up", "interest"):
            page.goto(live_server(f"/visits/{visit_id}/{path}"))
            switch_language(page, locale)
            assert_accessible(page)
    switch_language(page, "en")
    page.goto(live_server(f"/visits/{visit_id}/follow-up"))
    overdue = page.locator("tr.overdue .badge--overdue").all_inner_texts()
    page.goto(live_server(f"/visits/{visit_id}/participants"))
    page.get_by_role("link", name="Erase Olena Kovalenko").click()
    assert_accessible(page)
    submit_form(page, "main form")

    assert overdue == ["Overdue"]
    assert page.locator("tbody").inner_text().split()[:2] == ["Erased", "participant"]
    assert "Olena" not in page.content()


def test_member_asks_to_meet_delegation_and_sees_pending_state(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.member])
    page.goto(live_server(f"/visits/{_visit_id(live_server)}/interest"))
    switch_language(page, "en")
    assert_accessible(page)

    page.locator("#message").fill("NTNU would like to meet the mayor's team.")
    submit_form(page, "main form")

    assert (
        page.locator(".interest-state strong").inner_text() == "Waiting for an answer"
    )
    assert_accessible(page)
    switch_language(page, "nb")
    assert_accessible(page)
