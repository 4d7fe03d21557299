"""The public form on a 390 px phone: three errors fixed in a row, the character counter, no script."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.calendar.models import Submission
from app.core.db import db, utcnow
from tests.e2e.helpers import html_lang, submit_form
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
FORM = "main form.submission-form"
TITLE = "Hamburg business breakfast at NTNU"
NTNU = "NTNU – Norges teknisk-naturvitenskapelige universitet"

#: The page's words, by language: the summary's heading, the errors, the thanks page.
WORDS = {
    "nb": {
        "summary": "Rett opp følgende",
        "email": "E-postadressen din: ",
        "title": "Tittel: ",
        "end": "Slutter: ",
        "thanks": "Takk: sjekk e-posten din",
        "sent_to": "Vi har sendt en lenke til hanna@nit.no for å bekrefte adressen din.",
    },
    "en": {
        "summary": "Please correct the following",
        "email": "Your e-mail address: ",
        "title": "Title: ",
        "end": "Ends: ",
        "thanks": "Thank you: check your e-mail",
        "sent_to": "We have sent a link to hanna@nit.no to confirm your address.",
    },
}


def _day() -> date:
    """A day a month ahead, in the city's zone: always in the future, never near a DST change."""
    return (utcnow() + timedelta(days=30)).astimezone(ZoneInfo("Europe/Oslo")).date()


def _phone(new_page: Any, locale: str, **options: Any) -> Any:
    return new_page(locale, viewport=PHONE, is_mobile=True, has_touch=True, **options)


def _focused_id(page: Any) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def _wait_for_focus(page: Any, element_id: str) -> None:
    """Wait until `element_id` has focus: autofocus runs a moment after the page loads."""
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id",
        arg=element_id,
        timeout=5_000,
    )


def _scrolls_sideways(page: Any) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def _typed(page: Any) -> dict[str, str]:
    """Return what the form's fields hold now, by field id."""
    values = {
        field: page.input_value(f"#{field}")
        for field in (
            "title",
            "description",
            "location",
            "link",
            "start",
            "end",
            "organiser_id",
            "organiser_name",
            "submitter_name",
            "submitter_email",
        )
    }
    return values | {"is_all_day": str(page.is_checked("#is_all_day"))}


def _summary(page: Any) -> tuple[str, list[tuple[str, str]]]:
    """Return the summary's heading and its (link target, text) pairs."""
    links = page.locator("#error-summary a")
    return (
        page.locator("#error-summary h2").inner_text(),
        [
            (links.nth(i).get_attribute("href"), links.nth(i).inner_text())
            for i in range(links.count())
        ],
    )


def _send_and_check_refused(page: Any, typed: dict[str, str]) -> None:
    """Send the form; it comes back with focus on its summary, all typed kept, axe-clean, no sideways scroll."""
    submit_form(page, FORM)
    _wait_for_focus(page, "error-summary")
    assert _typed(page) == typed
    assert not _scrolls_sideways(page)
    assert_accessible(page)


def _follow_summary_link(page: Any, field: str) -> None:
    """Go from the focused summary to `field` through its link, with the keyboard."""
    passed = []
    for _ in range(12):
        page.keyboard.press("Tab")
        href = page.evaluate("() => document.activeElement.getAttribute('href')")
        if href == f"#{field}":
            break
        passed.append(href)
    else:
        pytest.fail(f"no link to #{field} in the summary; Tab went through {passed}")
    page.keyboard.press("Enter")
    _wait_for_focus(page, field)


@pytest.mark.parametrize(("browser_locale", "lang"), [("nb-NO", "nb"), ("en-GB", "en")])
def test_partner_fixes_three_errors_in_a_row_on_a_phone_and_sends(
    live_server: LiveServer, new_page: Any, browser_locale: str, lang: str
) -> None:
    # One accepted proposal an hour: a refused form must not use it up.
    live_server.app.config["SUBMISSION_RATE_LIMIT"] = "1 per hour"
    words = WORDS[lang]
    day = _day().isoformat()
    page = _phone(new_page, browser_locale)
    page.goto(live_server("/submit"))
    assert html_lang(page) == lang
    assert not _scrolls_sideways(page)
    assert_accessible(page)

    # A bad address, no title and an end before the start.
    page.fill("#description", "Frokostmøte med **partnere** fra Hamburg.\nVelkommen!")
    page.fill("#location", "Britannia Hotel, Trondheim")
    page.fill("#link", "nit.no/frokost")
    page.fill("#start", f"{day}T08:00")
    page.fill("#end", f"{day}T07:00")
    page.select_option("#organiser_id", label=NTNU)
    page.fill("#submitter_name", "Hanna Hansen")
    page.fill("#submitter_email", "hanna.nit.no")
    typed = _typed(page)
    _send_and_check_refused(page, typed | {"link": "https://nit.no/frokost"})
    heading, links = _summary(page)
    assert heading == words["summary"]
    assert [(href, text.split(": ")[0] + ": ") for href, text in links] == [
        ("#title", words["title"]),
        ("#end", words["end"]),
        ("#submitter_email", words["email"]),
    ]

    # Fix the address, reached through the summary's link.
    _follow_summary_link(page, "submitter_email")
    page.fill("#submitter_email", "hanna@nit.no")
    typed = _typed(page)
    _send_and_check_refused(page, typed)
    assert [href for href, _text in _summary(page)[1]] == ["#title", "#end"]

    # Give the title.
    _follow_summary_link(page, "title")
    page.keyboard.type(TITLE)
    typed = _typed(page)
    _send_and_check_refused(page, typed)
    assert [href for href, _text in _summary(page)[1]] == ["#end"]

    # Put the end after the start, and send.
    page.fill("#end", f"{day}T10:00")
    submit_form(page, FORM)

    assert "/submit/thanks" in page.url
    assert "hanna" not in page.url
    assert page.locator("h1").inner_text() == words["thanks"]
    assert words["sent_to"] in page.locator("main").inner_text()
    assert not _scrolls_sideways(page)
    assert_accessible(page)
    with live_server.app.app_context():
        stored = db.session.execute(
            sa.select(Submission.title, Submission.url, Submission.submitter_email)
        ).all()
        db.session.remove()
    assert stored == [(TITLE, "https://nit.no/frokost", "hanna@nit.no")]


def test_counter_shows_near_the_limit_and_says_too_many_instead_of_cutting(
    live_server: LiveServer, new_page: Any
) -> None:
    page = _phone(new_page, "en-GB")
    page.goto(live_server("/submit"))
    counter = page.locator("#title-count")

    page.fill("#title", "x" * 150)
    hidden_at_150 = counter.is_hidden()
    page.fill("#title", "x" * 170)
    at_170 = counter.inner_text()
    page.fill("#title", "x" * 199)
    at_199 = counter.inner_text()
    page.fill("#title", "Å" * 210)  # pasted: nothing is cut
    page.wait_for_function(
        "() => document.getElementById('char-count-status').textContent !== ''"
    )

    assert hidden_at_150
    assert (at_170, at_199) == (
        "You have 30 characters left",
        "You have 1 character left",
    )
    assert page.input_value("#title") == "Å" * 210
    assert counter.inner_text() == "You have 10 characters too many"
    assert "char-count--over" in counter.get_attribute("class")
    assert page.locator("#char-count-status").inner_text() == (
        "You have 10 characters too many"
    )
    assert "title-count" in page.get_attribute("#title", "aria-describedby")
    assert not _scrolls_sideways(page)
    assert_accessible(page)

    submit_form(page, FORM)

    _wait_for_focus(page, "error-summary")
    assert page.input_value("#title") == "Å" * 210
    assert page.locator("#title-error").inner_text() == (
        "Use at most 200 characters; this has 210."
    )
    assert page.locator("#title-count").inner_text() == (
        "You have 10 characters too many"
    )
    assert page.locator("#char-count-status").inner_text() == ""  # the summary speaks


def test_without_script_the_summary_takes_focus_and_its_links_reach_the_fields(
    live_server: LiveServer, new_page: Any
) -> None:
    page = _phone(new_page, "nb-NO", java_script_enabled=False)
    page.goto(live_server("/submit"))
    page.fill("#title", TITLE)
    page.fill("#submitter_email", "hanna.nit.no")

    submit_form(page, FORM)

    _wait_for_focus(page, "error-summary")
    assert page.input_value("#title") == TITLE
    assert page.input_value("#submitter_email") == "hanna.nit.no"
    assert page.get_attribute("#title", "maxlength") == "200"
    assert page.get_attribute("#description", "maxlength") is None
    _follow_summary_link(page, "location")
    assert not _scrolls_sideways(page)  # axe needs script: the tests above run it
