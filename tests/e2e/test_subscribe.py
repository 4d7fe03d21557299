"""The subscribe page in a real browser: accessible at phone and desktop widths, QR codes,
copy buttons, personal links shown again to their owner only, no-script use, keyboard only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.auth.models import Role
from app.auth.services import create_user
from app.core.db import utcnow
from tests.e2e.helpers import (
    EMAILS,
    html_lang,
    log_in,
    password_hash,
    seed_calendar,
    submit_form,
    switch_language,
)
from tests.fixtures.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.e2e

BROWSER_LOCALES = {"nb": "nb-NO", "en": "en-GB"}
#: Feed links are built from PUBLIC_BASE_URL (the tests' own), not from the served address.
BASE = "http://vertskap.test"
PRIVATE_URL = re.compile(r"http://vertskap\.test/feeds/[A-Za-z0-9_-]{43}\.ics")
#: A second forum member, who must never see the first one's links.
OTHER_MEMBER = "ane@ntnu.example"
VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 900)}


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    def _seed(app: Flask) -> None:
        now = utcnow().replace(second=0, microsecond=0)
        seed_calendar(now)
        other = create_user(OTHER_MEMBER, name="Ane Berg", role=Role.member, now=now)
        other.password_hash = password_hash()

    return _seed


def _open_all_details(page: Any) -> None:
    """Unfold every folded section, so axe and the width check see all of the page."""
    page.evaluate(
        "document.querySelectorAll('details').forEach(d => { d.open = true; })"
    )


def _choose_kind(page: Any, kind: str) -> None:
    """Tick only `kind` in the filter builder (every box may start ticked: "any kind")."""
    boxes = page.locator("form.subscribe-filters input[name=kind]")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        box.set_checked(box.get_attribute("value") == kind)


def _sideways_scroll(page: Any) -> int:
    """Return by how many CSS pixels the page is wider than the window (0: none)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _check(page: Any, locale: str) -> None:
    assert html_lang(page) == locale, page.url
    assert_accessible(page)


def _create_link(page: Any, label: str) -> str:
    """Create a personal link through the form; return the URL shown once."""
    page.locator("#label").fill(label)
    submit_form(page, "form.new-feed-token")
    return page.locator("#feed-url-new").input_value()


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_subscribe_page_has_no_serious_violation_for_visitors(
    live_server: LiveServer, new_page: Any, locale: str
) -> None:
    page = new_page(BROWSER_LOCALES[locale])

    response = page.goto(live_server("/subscribe"))

    assert response.status == 200
    _check(page, locale)
    _choose_kind(page, "event")
    submit_form(page, "form.subscribe-filters")
    assert (
        page.locator("#feed-url-public")
        .input_value()
        .endswith(f"/feeds/public.ics?kind=event&lang={locale}")
    )
    _check(page, locale)


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_subscribe_page_has_no_serious_violation_for_a_member_with_links(
    live_server: LiveServer, new_page: Any, locale: str
) -> None:
    page = new_page(BROWSER_LOCALES[locale])
    log_in(page, live_server, EMAILS[Role.member])
    page.goto(live_server("/subscribe"))
    switch_language(page, locale)
    page.goto(live_server("/subscribe"))

    url = _create_link(page, "Phone")
    _check(page, locale)  # the answer showing the new link once
    page.locator("#label").fill("")
    submit_form(page, "form.new-feed-token")
    assert page.locator("#label").get_attribute("aria-invalid") == "true"
    _check(page, locale)  # the form with its error
    page.goto(live_server("/subscribe"))

    assert PRIVATE_URL.fullmatch(url), url
    assert page.locator(".feed-token__label").all_inner_texts() == ["Phone"]
    _check(page, locale)
    submit_form(page, ".feed-tokens tbody tr:first-child form:last-child")
    _check(page, locale)  # the confirmation


def test_copy_button_copies_the_link_and_says_so(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(live_server("/subscribe"))
    button = page.locator("#public-feed button.copy-button")

    button.click()

    expected = page.locator("#feed-url-public").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert expected == BASE + "/feeds/public.ics?lang=en"
    status = page.locator("#public-feed .copy-status")
    status.filter(has_text="Link copied.").wait_for()
    assert status.get_attribute("role") == "status"
    assert status.is_visible()


def test_subscribe_page_works_without_javascript(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(java_script_enabled=False)
    log_in(page, live_server, EMAILS[Role.member])
    switch_language(page, "en")
    page.goto(live_server("/subscribe"))

    copy_hidden = page.locator("#public-feed button.copy-button").is_hidden()
    _choose_kind(page, "visit")
    submit_form(page, "form.subscribe-filters")
    public_url = page.locator("#feed-url-public").input_value()
    url = _create_link(page, "Laptop")
    submit_form(page, ".feed-tokens tbody tr:first-child form:first-child")
    submit_form(page, "main form.row-actions")
    rotated = page.locator("#feed-url-new").input_value()

    assert copy_hidden is True
    assert page.locator("#feed-url-new").get_attribute("readonly") is not None
    assert public_url == BASE + "/feeds/public.ics?kind=visit&lang=en"
    assert PRIVATE_URL.fullmatch(url.removesuffix("?kind=visit")), url
    assert url.endswith("?kind=visit")
    assert rotated.endswith("?kind=visit")
    assert rotated != url
    assert page.locator(".feed-token__label").all_inner_texts() == ["Laptop"]


def test_member_creates_a_link_with_the_keyboard_only(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page()
    log_in(page, live_server, EMAILS[Role.member])
    switch_language(page, "en")
    page.goto(live_server("/subscribe"))

    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "label":
            break
    page.keyboard.type("Tablet")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert PRIVATE_URL.fullmatch(page.locator("#feed-url-new").input_value())
    assert page.locator(".feed-token__label").all_inner_texts() == ["Tablet"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("locale", ["nb", "en"])
def test_subscribe_page_fits_phones_and_desktops_with_every_section_open(
    live_server: LiveServer, new_page: Any, viewport: str, locale: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page = new_page(BROWSER_LOCALES[locale])
    log_in(page, live_server, EMAILS[Role.member])
    page.goto(live_server("/subscribe"))
    switch_language(page, locale)  # kept on the account, whatever the width
    _create_link(page, "Telefon" if locale == "nb" else "Phone")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server("/subscribe?kind=event"))

    _open_all_details(page)

    qr_codes = page.locator(".feed-qr__code[role=img] svg")
    assert qr_codes.count() == 2  # the public link's and the personal link's
    assert qr_codes.first.is_visible()
    assert qr_codes.first.bounding_box()["width"] >= 150
    assert (
        page.locator(".feed-qr__code")
        .first.get_attribute("aria-label")
        .startswith(
            "QR-kode for lenken webcal://"
            if locale == "nb"
            else "QR code of the link webcal://"
        )
    )
    assert page.locator(".client-help").count() == 7
    assert _sideways_scroll(page) == 0
    _check(page, locale)


def test_personal_link_is_shown_again_to_its_owner_only(
    live_server: LiveServer, new_page: Any
) -> None:
    owner = new_page()
    log_in(owner, live_server, EMAILS[Role.member])
    switch_language(owner, "en")
    owner.goto(live_server("/subscribe"))
    url = _create_link(owner, "Phone")

    owner.reload()
    kept = owner.locator("details.kept-link")
    folded = kept.locator("input.feed-url").is_visible()
    kept.locator("summary").click()
    shown = kept.locator("input.feed-url").input_value()
    name = kept.locator(".feed-name strong").inner_text()
    qr_shown = kept.locator(".feed-qr__code svg").is_visible()

    stranger = new_page()
    log_in(stranger, live_server, OTHER_MEMBER)
    stranger.goto(live_server("/subscribe"))

    assert PRIVATE_URL.fullmatch(url), url
    assert (folded, shown, qr_shown) == (False, url, True)
    assert name == "Vertskap – International Forum"
    assert url not in stranger.content()
    assert url.rsplit("/", 1)[1] not in stranger.content()
    assert stranger.locator("details.kept-link").count() == 0


def test_copy_button_copies_a_kept_personal_link_and_says_so(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    log_in(page, live_server, EMAILS[Role.member])
    switch_language(page, "en")
    page.goto(live_server("/subscribe"))
    url = _create_link(page, "Laptop")
    page.goto(live_server("/subscribe"))
    kept = page.locator("details.kept-link")
    kept.locator("summary").click()

    kept.locator("button.copy-button").click()

    status = kept.locator(".copy-status")
    status.filter(has_text="Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert status.is_visible()
    assert status.get_attribute("role") == "status"
