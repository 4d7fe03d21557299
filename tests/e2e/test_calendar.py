"""The calendar page in a real browser: FullCalendar grids under the CSP, languages, no-JS list, axe, keyboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from app.calendar.models import Event, EventStatus
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from tests.e2e.helpers import (
    FORUM_EVENT,
    INTERNAL_EVENT,
    PUBLIC_EVENT,
    entry_titles,
    html_lang,
    seed_calendar,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

BROWSER_LOCALES = {"nb": "nb-NO", "en": "en-GB"}
WEEKLY = "Weekly forum meeting"
CANCELLED = "Cancelled reception"
#: Sets a flag if the grid ever treats a title or place as markup.
XSS = '<img src=x onerror="window.xssRan=1"> Markup night'


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    """The shared seed, a weekly 09:00 Oslo meeting across the October DST change, a cancelled event."""

    def _seed(app: Flask) -> None:
        now = utcnow().replace(second=0, microsecond=0)
        seed_calendar(now)
        db.session.add(
            Event(
                title=WEEKLY,
                # Tuesday 13 October 2026, 09:00 in Oslo (UTC+2 until 25 October).
                start_dt=datetime(2026, 10, 13, 7, tzinfo=UTC),
                end_dt=datetime(2026, 10, 13, 8, tzinfo=UTC),
                timezone="Europe/Oslo",
                rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
                visibility=Visibility.public,
            )
        )
        # 10:00 UTC on the public event's day in Oslo: the same day and week
        # there whatever the hour the test runs at.
        day = (now + timedelta(days=3)).astimezone(ZoneInfo("Europe/Oslo")).date()
        start = datetime.combine(day, time(10), tzinfo=UTC)
        db.session.add(
            Event(
                title=XSS,
                start_dt=start + timedelta(hours=1),
                end_dt=start + timedelta(hours=2),
                location=XSS,
                visibility=Visibility.public,
            )
        )
        db.session.add(
            Event(
                title=CANCELLED,
                start_dt=start,
                end_dt=start + timedelta(hours=1),
                visibility=Visibility.public,
                status=EventStatus.cancelled,
            )
        )

    return _seed


def _public_event_day() -> str:
    """The day the seed put the public event on (three days from now), in Oslo.

    Late in the UTC evening that is already the next day in Oslo, and the
    calendar pages show Oslo days.
    """
    in_three_days = datetime.now(UTC) + timedelta(days=3)
    return in_three_days.astimezone(ZoneInfo("Europe/Oslo")).date().isoformat()


def _watch_console(page: Any) -> list[str]:
    """Collect script errors and CSP violations (Chromium reports both in the console).

    The browser's own request for /favicon.ico, which the app does not serve,
    is the one console error left out.
    """
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type in ("error", "warning")
            and "status of 404" not in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "requestfinished",
        lambda request: (
            problems.append(f"{request.url} answered {status}")
            if (status := request.response().status) >= 400
            and not request.url.endswith("/favicon.ico")
            else None
        ),
    )
    return problems


def _fullcalendar_rules(page: Any) -> int:
    return page.evaluate(
        "() => document.querySelector('style[data-fullcalendar]').sheet.cssRules.length"
    )


def test_month_and_week_grids_show_events_under_the_csp(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    problems = _watch_console(page)
    day = _public_event_day()

    page.goto(live_server(f"/calendar?view=month&date={day}"))
    month_event = page.locator(".fc-daygrid .fc-event", has_text=PUBLIC_EVENT)
    month_event.first.wait_for()
    cancelled = page.locator(".fc-event.fc-entry--cancelled").first
    cancelled_text = cancelled.inner_text()
    list_hidden = page.locator("#calendar-list").is_hidden()
    month_rules = _fullcalendar_rules(page)
    month_href = month_event.first.get_attribute("href")
    with page.expect_navigation():
        page.locator(".calendar-nav__views a", has_text="Week").click()
    week_event = page.locator(".fc-timegrid .fc-event", has_text=PUBLIC_EVENT)
    week_event.first.wait_for()

    assert (month_href or "").startswith("/events/")
    assert page.locator(".fc-event", has_text="Markup night").count() == 1
    assert page.evaluate("() => window.xssRan === undefined") is True
    assert CANCELLED in cancelled_text
    assert cancelled_text.count("Cancelled") == 2  # "Cancelled: Cancelled reception"
    assert list_hidden is True
    assert month_rules > 100
    assert page.locator(".fc-event", has_text=FORUM_EVENT).count() == 0
    assert page.locator(".fc-event", has_text=INTERNAL_EVENT).count() == 0
    assert problems == []


@pytest.mark.parametrize("week_of", ["2026-10-19", "2026-10-26"])
def test_weekly_meeting_shows_nine_oclock_in_the_week_grid(
    live_server: LiveServer, new_page: Any, week_of: str
) -> None:
    page = new_page("nb-NO")

    page.goto(live_server(f"/calendar?view=week&date={week_of}"))
    event = page.locator(".fc-timegrid .fc-event", has_text=WEEKLY)
    event.first.wait_for()

    assert event.count() == 1
    assert event.locator(".fc-event-time").inner_text().startswith("09:00")


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_grid_speaks_the_page_language(
    live_server: LiveServer, new_page: Any, locale: str
) -> None:
    page = new_page(BROWSER_LOCALES[locale])

    page.goto(live_server("/calendar?view=month&date=2026-10-01"))
    page.locator(".fc-event", has_text=WEEKLY).first.wait_for()
    today = page.locator(".fc-today-button").inner_text()
    title = page.locator(".fc-toolbar-title").inner_text()
    first_day = page.locator(".fc-col-header-cell").first.inner_text()
    times = page.locator(".fc-event", has_text=WEEKLY).first.inner_text()

    assert html_lang(page) == locale
    assert (today, title.lower(), first_day.lower()) == {
        "nb": ("I dag", "oktober 2026", "man."),
        "en": ("Today", "october 2026", "mon"),
    }[locale]
    assert times.startswith("09:00")


def test_list_works_without_javascript(live_server: LiveServer, new_page: Any) -> None:
    page = new_page("en-GB", java_script_enabled=False)

    page.goto(live_server(f"/calendar?date={_public_event_day()}"))
    grid_hidden = page.locator("#calendar-app").is_hidden()
    titles = entry_titles(page)
    page.locator(".calendar-filters-fold > summary").click()
    page.locator("input[name=kind][value=event]").uncheck()
    page.locator("input[name=kind][value=programme]").uncheck()
    with page.expect_navigation():
        page.locator(".calendar-filters [type=submit]").click()
    filtered = entry_titles(page)
    with page.expect_navigation():
        page.locator(".calendar-nav__views a", has_text="List").click()
    query = parse_qs(urlsplit(page.url).query)

    assert grid_hidden is True
    assert PUBLIC_EVENT in titles
    assert f"Cancelled {CANCELLED}" in titles
    assert FORUM_EVENT not in titles
    assert filtered == []
    assert (query["view"], query["kind"]) == (["list"], ["visit"])


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("locale", ["nb", "en"])
def test_calendar_views_have_no_serious_violation(
    live_server: LiveServer, new_page: Any, locale: str, width: int
) -> None:
    page = new_page(BROWSER_LOCALES[locale], viewport={"width": width, "height": 844})
    day = _public_event_day()

    for view in ("month", "week", "3days", "day", "list"):
        page.goto(live_server(f"/calendar?view={view}&date={day}"))
        if view != "list":
            page.locator(".fc-event", has_text=PUBLIC_EVENT).first.wait_for()
        assert html_lang(page) == locale
        assert_accessible(page)
        assert not page.evaluate(SIDEWAYS), f"{view} at {width} px"


#: Whether the page scrolls sideways.
SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def test_a_phone_opens_the_calendar_as_an_agenda_without_loading_the_grid(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB", viewport={"width": 390, "height": 844}, is_mobile=True)
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))

    page.goto(live_server(f"/calendar?date={_public_event_day()}"))
    page.wait_for_load_state("networkidle")
    current = page.locator(".calendar-nav__views a[aria-current=page]").inner_text()
    first_screen = page.evaluate(
        "document.querySelector('.calendar-list .entry').getBoundingClientRect().top"
    )

    assert PUBLIC_EVENT in entry_titles(page)
    assert page.locator("#calendar-app").is_hidden()
    assert not [url for url in loaded if "fullcalendar" in url]
    assert current == "List"
    assert first_screen < 844  # the first entry is on the first screen
    assert not page.evaluate(SIDEWAYS)


def test_a_phone_draws_a_chosen_three_day_grid(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB", viewport={"width": 390, "height": 844}, is_mobile=True)

    page.goto(live_server(f"/calendar?view=3days&date={_public_event_day()}"))
    page.locator(".fc-event", has_text=PUBLIC_EVENT).first.wait_for()
    columns = page.locator(".fc-col-header-cell").count()

    assert columns == 3
    assert page.locator(".calendar-list").is_hidden()
    assert not page.evaluate(SIDEWAYS)


def test_the_week_opens_at_eight_with_multi_day_visits_in_the_all_day_row(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB", viewport={"width": 1366, "height": 768})
    page.goto(live_server(f"/calendar?view=week&date={_public_event_day()}"))
    page.locator(".fc-event", has_text=PUBLIC_EVENT).first.wait_for()

    top_hour = page.evaluate(
        """() => {
          const scroller = document.querySelector('.fc-timegrid-body').closest('.fc-scroller');
          const top = scroller.getBoundingClientRect().top;
          const slots = [...document.querySelectorAll('td.fc-timegrid-slot-label[data-time]')];
          const first = slots.find(s => s.getBoundingClientRect().top >= top - 1);
          return first.dataset.time;
        }"""
    )

    assert top_hour == "08:00:00"


#: What the focused element is.
FOCUSED = """() => {
  const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
          value: el.value || '', outline: getComputedStyle(el).outlineStyle};
}"""


def test_filter_form_works_with_the_keyboard_only(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    page.goto(live_server("/calendar?view=list&date=2026-10-01"))

    stops: list[dict[str, str]] = []
    while len(stops) < 60:
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if page.evaluate(
            "document.activeElement.matches('.calendar-filters-fold > summary')"
        ):
            break
    page.keyboard.press("Enter")  # unfold "Filters and search"
    for kind in ("programme", "visit"):  # every kind starts ticked: untick two
        for _ in range(10):
            focused = page.evaluate(FOCUSED)
            if (focused["name"], focused["value"]) == ("kind", kind):
                break
            page.keyboard.press("Tab")
        page.keyboard.press("Space")
    while page.evaluate(FOCUSED)["id"] != "filter-q":
        page.keyboard.press("Tab")
    page.keyboard.type("weekly")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    query = parse_qs(urlsplit(page.url).query)

    assert stops[-1]["outline"] == "solid"
    assert query["kind"] == ["event"]
    assert query["q"] == ["weekly"]
    assert query["view"] == ["list"]
    # A search covers every date: the series is one result, at its next meeting.
    assert entry_titles(page) == [WEEKLY]


GRID_FOCUS = """() => {
  const el = document.activeElement;
  return {cls: String(el.className), href: el.getAttribute('href') || '',
          text: (el.innerText || '').trim(), outline: getComputedStyle(el).outlineStyle};
}"""


def test_grid_events_are_reached_and_opened_with_the_keyboard(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    page.goto(live_server(f"/calendar?view=month&date={_public_event_day()}"))
    page.locator(".fc-event", has_text=PUBLIC_EVENT).first.wait_for()

    focused: dict[str, str] = {}
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(GRID_FOCUS)
        if "fc-event" in focused["cls"] and PUBLIC_EVENT in focused["text"]:
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert PUBLIC_EVENT in focused["text"]
    assert focused["outline"] == "solid"
    assert urlsplit(page.url).path == focused["href"]
    assert focused["href"].startswith("/events/")


def test_language_switch_keeps_the_period_shown_in_the_grid(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page("en-GB")
    page.goto(live_server("/calendar?view=month&date=2026-09-15"))
    page.locator(".fc-toolbar-title", has_text="September 2026").wait_for()

    page.locator(".fc-next-button").click()
    page.locator(".fc-toolbar-title", has_text="October 2026").wait_for()
    page.locator(".fc-event", has_text=WEEKLY).first.wait_for()
    english_url = page.url
    with page.expect_navigation():
        page.locator(".language-switch [type=submit]").click()
    page.locator(".fc-event", has_text=WEEKLY).first.wait_for()

    assert parse_qs(urlsplit(english_url).query)["date"] == ["2026-10-01"]
    assert html_lang(page) == "nb"
    assert parse_qs(urlsplit(page.url).query)["date"] == ["2026-10-01"]
    assert page.locator(".fc-toolbar-title").inner_text().lower() == "oktober 2026"
    assert page.locator(".fc-today-button").inner_text() == "I dag"
