"""A forum member on a phone finds next week's events, opens one and adds it to a calendar."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from app.auth.models import Role
from tests.e2e.helpers import EMAILS, FORUM_EVENT, log_in
from tests.fixtures.browser import LiveServer, assert_accessible
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.e2e

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def test_a_member_on_a_phone_adds_an_event_of_next_week_to_a_calendar(
    live_server: LiveServer, new_page: Any
) -> None:
    # The seed puts the forum meeting four days after NOW (a Thursday): next week.
    oslo = ZoneInfo("Europe/Oslo")
    today = NOW.astimezone(oslo).date()
    meeting_day = (NOW + timedelta(days=4)).astimezone(oslo).date()
    assert meeting_day.isocalendar().week == today.isocalendar().week + 1
    page = new_page("en-GB", **PHONE)
    log_in(page, live_server, EMAILS[Role.member])

    page.goto(live_server("/calendar"))
    agenda_first = page.locator(".calendar-list").is_visible()
    with page.expect_navigation():
        page.locator(".calendar-nav__views a[href*='view=week']").click()
    page.locator(".fc-next-button").click()
    meeting = page.locator(".fc-event", has_text=FORUM_EVENT)
    meeting.wait_for()
    assert_accessible(page)
    sideways_on_week = page.evaluate(SIDEWAYS)
    with page.expect_navigation():
        meeting.click()
    assert_accessible(page)
    ics_link = page.locator(".add-to-calendar__links a[download]")
    google = page.locator(
        ".add-to-calendar__links a[href^='https://calendar.google.com/']"
    )
    with page.expect_download() as download:
        ics_link.click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())

    assert agenda_first is True
    assert not sideways_on_week
    assert not page.evaluate(SIDEWAYS)
    assert page.locator("h1").inner_text().startswith(FORUM_EVENT)
    assert google.count() == 1
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == [FORUM_EVENT]
    assert events[0].decoded("DTSTART").astimezone(oslo).date() == meeting_day
