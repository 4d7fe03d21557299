"""The hosting journey of issue 3 in a real browser, as the mayor's office.

Register an incoming delegation with a five-item programme, see the clash warning
when the mayor is double-booked, tick a checklist task, print the programme in
English, and pass axe-core on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import Role
from app.core.db import db, utcnow
from app.core.timezones import local_to_utc
from app.core.visibility import Visibility
from app.delegations.models import (
    ChecklistTask,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Delegation,
    DelegationStatus,
    Direction,
    ProgrammeItem,
    ProtocolLevel,
)
from app.directory.models import Official, Venue
from tests.e2e.helpers import (
    EMAILS,
    log_in,
    seed_calendar,
    submit_form,
    switch_language,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

MAYOR = "Rita Ottervik"


def _visit_day() -> date:
    """Return a Tuesday at least ten days ahead: no weekend, no holiday clash in tests."""
    day = (utcnow() + timedelta(days=10)).date()
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _oslo(day: date, hour: int, minute: int = 0) -> datetime:
    wall = datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001 -- a wall time, zoned below
    return local_to_utc(wall, "Europe/Oslo")


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    def _seed(app: Flask) -> None:
        seed_calendar(utcnow().replace(second=0, microsecond=0))
        day = _visit_day()
        mayor = Official(name=MAYOR, title="Ordfører")
        hall = Venue(
            name="Trondheim rådhus, Storsal", address="Munkegata 1", capacity=80
        )
        other = Delegation(
            title="Delegation from Wrocław",
            direction=Direction.incoming,
            country="PL",
            protocol_level=ProtocolLevel.mayoral,
            arrival_dt=_oslo(day, 8),
            departure_dt=_oslo(day, 18),
            status=DelegationStatus.confirmed,
            visibility=Visibility.forum,
        )
        lunch = ProgrammeItem(
            title="Lunch with the Wrocław delegation",
            delegation=other,
            start_dt=_oslo(day, 10),
            end_dt=_oslo(day, 11),
            visibility=Visibility.forum,
            officials=[mayor],
        )
        template = ChecklistTemplate(
            protocol_level=ProtocolLevel.mayoral,
            title="Mayoral visit",
            items=[
                ChecklistTemplateItem(
                    title="Book the Storsal", due_days_before=14, position=0
                ),
                ChecklistTemplateItem(
                    title="Order flags", due_days_before=3, position=1
                ),
            ],
        )
        db.session.add_all([mayor, hall, other, lunch, template])

    return _seed


def _ids(server: LiveServer) -> tuple[str, str]:
    with server.app.app_context():
        mayor = db.session.scalars(sa.select(Official.id).filter_by(name=MAYOR)).one()
        hall = db.session.scalars(sa.select(Venue.id)).one()
        return str(mayor), str(hall)


def test_mayors_office_registers_a_visit_with_programme_clash_checklist_and_print(
    live_server: LiveServer, new_page: Any
) -> None:
    day = _visit_day()
    mayor_id, hall_id = _ids(live_server)
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.mayors_office])
    switch_language(page, "en")

    # Register the visit.
    page.goto(live_server("/visits/new"))
    page.select_option("#direction", "incoming")
    page.fill("#title", "Mayor of Puerto Montt")
    page.select_option("#country", "CL")
    page.select_option("#protocol_level", "mayoral")
    page.fill("#arrival", f"{day}T09:00")
    page.fill("#departure", f"{day + timedelta(days=1)}T17:00")
    submit_form(page, "main form[method=post]")
    assert page.locator("h1").inner_text().startswith("Mayor of Puerto Montt")
    visit_path = page.url.replace(live_server(""), "")
    assert_accessible(page)

    # Five programme items; the second double-books the mayor.
    items = [
        ("Welcome at the City Hall", f"{day}T09:30", f"{day}T10:15", hall_id, []),
        ("Meeting with the mayor", f"{day}T10:30", f"{day}T11:30", "0", [mayor_id]),
        ("Visit to Aqua Nor partners", f"{day}T13:00", f"{day}T15:00", "0", []),
        ("Dinner at Erkebispegården", f"{day}T19:00", f"{day}T21:30", "0", []),
        (
            "Seminar at NTNU",
            f"{day + timedelta(days=1)}T09:00",
            f"{day + timedelta(days=1)}T12:00",
            "0",
            [],
        ),
    ]
    warnings = []
    for title, start, end, venue, officials in items:
        page.goto(live_server(f"{visit_path}/programme"))
        page.fill("#title", title)
        page.fill("#start", start)
        page.fill("#end", end)
        page.select_option("#venue_id", venue)
        if officials:
            page.select_option("#official_ids", officials)
        submit_form(page, "main form[action$='/programme']")
        warnings += page.locator(".flash--warning").all_inner_texts()

    shown = [
        " ".join(t.split())
        for t in page.locator(
            "main table tbody tr th, main table tbody tr td:first-child"
        ).all_inner_texts()
    ]
    assert len([t for t in (i[0] for i in items) if any(t in s for s in shown)]) == 5
    assert len(warnings) == 1
    assert warnings[0].startswith(
        f"{MAYOR} is also at “Lunch with the Wrocław delegation”"
    )
    assert_accessible(page)

    # Tick the first checklist task.
    page.goto(live_server(f"{visit_path}/checklist"))
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as done: Book the Storsal").click()
    with live_server.app.app_context():
        done = db.session.scalars(
            sa.select(ChecklistTask.title).where(ChecklistTask.done_dt.is_not(None))
        ).all()
    assert done == ["Book the Storsal"]

    # Print the programme in English.
    page.goto(live_server(f"{visit_path}/programme/print?lang=en"))
    printed = page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    assert [title for title, *_ in items if title in printed] == [
        title for title, *_ in items
    ]
    assert_accessible(page)
