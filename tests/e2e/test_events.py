"""Events in a real browser: staff create a weekly meeting, axe in nb and en, keyboard use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Event
from app.core.db import db
from app.core.visibility import Visibility
from tests.e2e.helpers import (
    EMAILS,
    PUBLIC_EVENT,
    html_lang,
    log_in,
    submit_form,
    switch_language,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

#: What the focused element is and how its outline is drawn.
FOCUSED = """() => {
  const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim(),
          outline: getComputedStyle(el).outlineStyle};
}"""


def _event_id(server: LiveServer, title: str) -> int:
    with server.app.app_context():
        return db.session.scalars(sa.select(Event.id).filter_by(title=title)).one()


def _add_weekly_meeting(server: LiveServer) -> int:
    """Add a public weekly meeting with one cancelled date; return its id."""
    first = _next_tuesday()
    start = datetime(first.year, first.month, first.day, 8, 0, tzinfo=UTC)
    cancelled = first + timedelta(weeks=1)
    with server.app.app_context():
        event = Event(
            title="Weekly forum coffee",
            start_dt=start,
            end_dt=start + timedelta(hours=1),
            timezone="Europe/Oslo",
            visibility=Visibility.public,
            rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
            exdates=f"{cancelled:%Y-%m-%d}T09:00",
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def _next_tuesday(weeks_ahead: int = 2) -> date:
    today = datetime.now(UTC).date() + timedelta(weeks=weeks_ahead)
    return today + timedelta(days=(1 - today.weekday()) % 7)


def test_staff_creates_a_weekly_meeting_and_sees_it_on_its_page(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.mayors_office])
    switch_language(page, "en")
    first = _next_tuesday()
    page.goto(live_server("/events/new"))

    page.fill("#title", "India working group")
    page.fill("#description", "Weekly **preparation** of the Mumbai trip.")
    page.fill("#start", f"{first:%Y-%m-%d}T09:00")
    page.fill("#end", f"{first:%Y-%m-%d}T10:30")
    page.select_option("#visibility", "forum")
    page.select_option("#repeat", "weekly")
    page.check("#weekdays-1")
    page.select_option("#ends", "count")
    page.fill("#count", "6")
    page.fill("#location", "NTNU Gløshaugen")
    submit_form(page, "main form.event-form")

    facts = page.locator(".facts").inner_text()
    dates = page.locator(".occurrences li").all_inner_texts()
    assert page.locator("h1").inner_text().startswith("India working group")
    assert "Every week on Tuesday, 6 times in all" in facts
    assert "NTNU Gløshaugen" in facts
    assert page.locator(".description strong").inner_text() == "preparation"
    assert len(dates) == 6
    assert all(", 09:00" in text for text in dates)


def test_event_page_and_form_pass_axe_in_both_languages(
    live_server: LiveServer, new_page: Any
) -> None:
    event_id = _event_id(live_server, PUBLIC_EVENT)
    weekly_id = _add_weekly_meeting(live_server)
    page = new_page("nb-NO")
    log_in(page, live_server, EMAILS[Role.admin])

    for locale in ("nb", "en"):
        switch_language(page, locale)
        for path in (
            f"/events/{event_id}",
            f"/events/{weekly_id}",
            "/events/new",
            f"/events/{weekly_id}/edit",
        ):
            response = page.goto(live_server(path))
            assert (response.status, html_lang(page)) == (200, locale)
            assert_accessible(page)
        # The form with its errors shown.
        page.goto(live_server("/events/new"))
        page.fill("#url", "javascript:alert(1)")
        submit_form(page, "main form.event-form")
        assert page.locator(".error-summary").count() == 1
        assert_accessible(page)


def test_anonymous_event_page_passes_axe_and_offers_the_ics(
    live_server: LiveServer, new_page: Any
) -> None:
    event_id = _event_id(live_server, PUBLIC_EVENT)
    weekly_id = _add_weekly_meeting(live_server)
    page = new_page("en-GB")
    page.goto(live_server(f"/events/{weekly_id}"))
    assert_accessible(page)
    cancelled = page.locator(".occurrences--cancelled li").all_inner_texts()

    page.goto(live_server(f"/events/{event_id}"))
    link = page.locator(f'a[href="/events/{event_id}.ics"]')
    response = page.request.get(live_server(f"/events/{event_id}.ics"))

    assert_accessible(page)
    cancelled_day = _next_tuesday() + timedelta(weeks=1)
    # "Cancelled 29 Dec 2026, 09:00": the week after the first meeting.
    assert [text.split()[:2] + text.split()[-2:] for text in cancelled] == [
        ["Cancelled", str(cancelled_day.day), f"{cancelled_day.year},", "09:00"]
    ]
    assert link.count() == 1
    assert page.locator("text=Edit the event").count() == 0
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert b"BEGIN:VEVENT" in response.body()


def test_staff_cancels_an_event_with_the_keyboard(
    live_server: LiveServer, new_page: Any
) -> None:
    event_id = _event_id(live_server, PUBLIC_EVENT)
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    switch_language(page, "en")
    page.goto(live_server(f"/events/{event_id}"))

    stops = []
    while (focused := page.evaluate(FOCUSED))["text"] != "Cancel the event":
        assert len(stops) < 60, stops
        page.keyboard.press("Tab")
        stops.append(focused)
    outline = focused["outline"]
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert outline == "solid"
    assert "This event is cancelled." in page.locator("main").inner_text()
    assert page.locator("button", has_text="Reinstate the event").count() == 1


def test_a_stale_event_save_shows_both_versions_keeps_the_typed_text_and_passes_axe(
    live_server: LiveServer, new_page: Any
) -> None:
    event_id = _event_id(live_server, PUBLIC_EVENT)
    page = new_page("en-GB")
    log_in(page, live_server, EMAILS[Role.admin])
    switch_language(page, "en")
    page.goto(live_server(f"/events/{event_id}/edit"))
    # Someone else saves the event while this editor has it open.
    with live_server.app.app_context():
        event = db.session.get(Event, event_id)
        event.title = "Their title"
        event.location = "Their hall"
        db.session.commit()

    page.fill("#title", "My title")
    with page.expect_navigation() as answer:
        page.locator("main form.event-form [type=submit]").click()

    rows = page.locator("table.conflict tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))"
    )
    assert answer.value.status == 409
    assert page.locator(".error-summary h2").inner_text() == (
        "Someone else changed this event"
    )
    assert rows == [
        [
            "Title",
            "Their title",
            "My title",
            "What you typed: you both changed this field, so choose",
        ],
        ["Location", "Their hall", "", "Their change (you had not changed this field)"],
    ]
    # Both changed the title: the typed one stays, theirs is shown at the field.
    assert page.locator("#title").input_value() == "My title"
    assert page.locator("#title-conflict").inner_text() == (
        "Saved by the other person: Their title"
    )
    # Only they changed the place: the form now holds theirs.
    assert page.locator("#location").input_value() == "Their hall"
    assert_accessible(page)

    submit_form(page, "main form.event-form")  # saving again keeps both changes
    assert page.locator("h1").inner_text().startswith("My title")
    assert "Their hall" in page.locator(".facts").inner_text()
