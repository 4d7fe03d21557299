"""A visit's public page in a real browser: from a programme item in the calendar to its place.

A visitor (no account) follows a programme item from the calendar's list, with
and without JavaScript, and lands on that item of the visit page, highlighted
(:target) and in view. The page passes axe in nb and en, for the public and a
member, and does not scroll sideways on a phone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.auth.models import Role
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProgrammeItem,
    ProtocolLevel,
)
from app.directory.models import City, CityRelation, Venue
from tests.e2e.helpers import EMAILS, html_lang, log_in, switch_language
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

VISIT = "Delegation from the Hamburg Senate"
TARGET = "Harbour tour with Trondheim Havn"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
#: Where the :target rule leaves its marks (app.css): outline, and the page's
#: width against the viewport's.
TARGET_STATE = """(id) => {
  const el = document.getElementById(id);
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return {target: document.querySelector(':target')?.id || '',
          outline: style.outlineStyle, background: style.backgroundColor,
          inView: box.top >= 0 && box.top < window.innerHeight};
}"""
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _add_public_visit(server: LiveServer) -> tuple[int, int, date]:
    """Add a public visit with four public items over two days; return ids and its first day."""
    day = (utcnow() + timedelta(days=6)).date()
    arrival = datetime.combine(day, time(8), tzinfo=UTC)
    with server.app.app_context():
        visit = Delegation(
            title=VISIT,
            direction=Direction.incoming,
            country="DE",
            city=City(
                name="Hamburg",
                country="DE",
                relation=CityRelation.friendship,
                friendship_category=1,
            ),
            protocol_level=ProtocolLevel.mayoral,
            arrival_dt=arrival,
            departure_dt=arrival + timedelta(days=2),
            status=DelegationStatus.confirmed,
            visibility=Visibility.public,
            needs_interpreter=True,
            notes="Gifts: Nidaros book (internal note)",
        )
        hall = Venue(
            name="Trondheim rådhus, Storsal",
            address="Munkegata 1, 7013 Trondheim",
            capacity=80,
        )
        slots = [
            (timedelta(hours=1), "Breakfast at Britannia Hotel", "Dronningens gate 5"),
            (timedelta(hours=3), "Welcome at the City Hall", ""),
            (timedelta(days=1, hours=1), "Visit to NTNU Ocean Space Centre", "Tyholt"),
            (timedelta(days=1, hours=5), TARGET, "Pir 1, Brattørkaia"),
        ]
        items = []
        for offset, title, place in slots:
            start = arrival + offset
            items.append(
                ProgrammeItem(
                    title=title,
                    delegation=visit,
                    start_dt=start,
                    end_dt=start + timedelta(hours=1, minutes=30),
                    visibility=Visibility.public,
                    location=place,
                    venue=hall if title.startswith("Welcome") else None,
                    description="Hosts: Trondheim kommune and Næringsforeningen i "
                    "Trondheimsregionen.\nBring warm clothes.",
                )
            )
        db.session.add_all([visit, *items])
        db.session.commit()
        return visit.id, items[-1].id, day


@pytest.mark.parametrize("script", [True, False], ids=["with_js", "without_js"])
def test_a_visitor_follows_a_programme_item_from_the_calendar_to_its_place(
    live_server: LiveServer, new_page: Any, script: bool
) -> None:
    visit_id, item_id, day = _add_public_visit(live_server)
    page = new_page("en-GB", viewport=PHONE, java_script_enabled=script)
    # With script the list view is the list; without, every view shows it.
    view = "list" if script else "month"
    page.goto(live_server(f"/calendar?view={view}&date={day.isoformat()}"))

    with page.expect_navigation():
        page.locator(".entry__title a", has_text=TARGET).click()
    state = page.evaluate(TARGET_STATE, f"item-{item_id}")
    other = page.evaluate(TARGET_STATE, f"item-{item_id - 1}")

    assert urlsplit(page.url).path == f"/visits/{visit_id}"
    assert urlsplit(page.url).fragment == f"item-{item_id}"
    assert state == {
        "target": f"item-{item_id}",
        "outline": "solid",
        # --warn-bg: the highlight of the item arrived at.
        "background": "rgb(255, 244, 214)",
        "inView": True,
    }
    assert (other["outline"], other["background"]) == ("none", "rgba(0, 0, 0, 0)")
    assert page.locator(f"#item-{item_id} h4").inner_text() == TARGET
    assert "Needs an interpreter" not in page.locator("main").inner_text()
    assert "internal note" not in page.content()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1366px"])
def test_the_public_visit_page_passes_axe_and_fits_the_screen(
    live_server: LiveServer, new_page: Any, viewport: dict[str, int]
) -> None:
    visit_id, item_id, _day = _add_public_visit(live_server)
    url = live_server(f"/visits/{visit_id}#item-{item_id}")
    member = new_page("en-GB", viewport=DESKTOP)
    log_in(member, live_server, EMAILS[Role.member])

    results = {}
    for locale, browser_locale in (("nb", "nb-NO"), ("en", "en-GB")):
        # The public's language is their browser's.
        anonymous = new_page(browser_locale, viewport=viewport)
        anonymous.goto(url)
        assert html_lang(anonymous) == locale
        assert_accessible(anonymous)
        results["anonymous", locale] = anonymous.evaluate(SIDEWAYS)
        # A member's is their own choice, made with the header's switch.
        member.set_viewport_size(DESKTOP)
        member.goto(url)
        switch_language(member, locale)
        member.set_viewport_size(viewport)
        member.goto(url)
        assert_accessible(member)
        results["member", locale] = member.evaluate(SIDEWAYS)

    assert results == dict.fromkeys(results, 0)
