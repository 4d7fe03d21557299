"""Events in a real browser: staff create a weekly meeting, axe in nb and en, keyboard use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Event
from app.core.db import db
from app.core.visibility import Visibility
from app.directory.models import Organisation
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


# ---- the event page as a visitor reads it --------------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _add_full_event(server: LiveServer) -> int:
    """Add a public event with every fact filled, long words included; return its id."""
    start = datetime.combine(_next_tuesday(), datetime.min.time(), tzinfo=UTC)
    start += timedelta(hours=15)
    with server.app.app_context():
        ntnu = db.session.scalars(sa.select(Organisation).filter_by(short_name="NTNU"))
        event = Event(
            title="Trondheim–Hamburg: Næringsforeningen i Trondheimsregionen hosts"
            " the Hamburg Chamber of Commerce",
            description="Talks on **offshore wind** and hydrogen with SINTEF and NTNU."
            " Registration at https://www.nhotrondelag.no/arrangementer/"
            "hamburg-trondheim-naeringslivsseminar-2026-registrering",
            start_dt=start,
            end_dt=start + timedelta(hours=2, minutes=30),
            timezone="Europe/Oslo",
            location="Clarion Hotel & Congress Trondheim, Brattørkaia 1, 7010 Trondheim",
            organiser=ntnu.one(),
            url="https://www.nhotrondelag.no/arrangementer/"
            "hamburg-trondheim-naeringslivsseminar-2026-registrering-og-program",
            visibility=Visibility.public,
        )
        db.session.add(event)
        db.session.commit()
        return event.id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1366px"])
def test_event_page_passes_axe_and_never_scrolls_sideways(
    live_server: LiveServer, new_page: Any, viewport: dict[str, int]
) -> None:
    full_id = _add_full_event(live_server)
    weekly_id = _add_weekly_meeting(live_server)
    first = _next_tuesday()
    paths = [
        f"/events/{full_id}",
        f"/events/{weekly_id}?occurrence={first + timedelta(weeks=2):%Y-%m-%d}T09:00",
        f"/events/{weekly_id}?occurrence={first + timedelta(weeks=1):%Y-%m-%d}T09:00",
    ]
    admin = new_page("en-GB", viewport=DESKTOP)
    log_in(admin, live_server, EMAILS[Role.admin])

    widths = {}
    for locale, browser_locale in (("nb", "nb-NO"), ("en", "en-GB")):
        anonymous = new_page(browser_locale, viewport=viewport)
        admin.set_viewport_size(DESKTOP)
        admin.goto(live_server(paths[0]))
        switch_language(admin, locale)
        admin.set_viewport_size(viewport)
        for path in paths:
            for role, page in (("anonymous", anonymous), ("admin", admin)):
                response = page.goto(live_server(path))
                assert (response.status, html_lang(page)) == (200, locale)
                assert_accessible(page)
                widths[role, locale, path] = page.evaluate(SIDEWAYS)

    assert widths == dict.fromkeys(widths, 0)


def test_event_page_offers_the_way_back_and_adding_it_elsewhere(
    live_server: LiveServer, new_page: Any
) -> None:
    event_id = _add_full_event(live_server)
    day = _next_tuesday()
    page = new_page("en-GB")
    page.goto(live_server(f"/calendar?view=week&date={day:%Y-%m-%d}"))
    # Move the grid away and back: the page's address follows the grid.
    page.locator(".fc-next-button").click()
    page.locator(".fc-prev-button").click()
    page.locator(".fc-event", has_text="Næringsforeningen").first.wait_for()
    left_at = page.evaluate("location.pathname + location.search")

    with page.expect_navigation():
        page.locator(".fc-event", has_text="Næringsforeningen").first.click()
    opened = urlsplit(page.url).path
    google = page.get_by_role("link", name="Add to Google Calendar")
    outlook = page.get_by_role("link", name="Add to Outlook on the web")
    map_link = page.get_by_role("link", name="Show on a map")
    links = (
        google.get_attribute("href"),
        outlook.get_attribute("href"),
        map_link.get_attribute("href"),
    )
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the calendar").click()

    assert urlsplit(page.url).path + "?" + urlsplit(page.url).query == left_at
    assert parse_qs(urlsplit(left_at).query)["view"] == ["week"]
    assert links[0].startswith("https://calendar.google.com/calendar/render?")
    assert links[1].startswith("https://outlook.office.com/calendar/0/deeplink/")
    assert links[2].startswith("https://www.openstreetmap.org/search?query=Clarion")
    assert opened == f"/events/{event_id}"
    assert page.locator(".fc-event", has_text="Næringsforeningen").count() >= 1
