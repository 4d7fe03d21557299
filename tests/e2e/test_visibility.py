"""Each demo role logs in through the real form and sees exactly what DESIGN.md section 4 allows."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.models import Role
from tests.e2e.helpers import (
    EMAILS,
    FORUM_EVENT,
    INTERNAL_EVENT,
    INTERNAL_VISIT,
    PROGRAMME_ITEM,
    PUBLIC_EVENT,
    entry_titles,
    log_in,
    submit_form,
)
from tests.fixtures.browser import LiveServer

pytestmark = pytest.mark.e2e

#: In time order, as both lists show them.
EVERYTHING = [PUBLIC_EVENT, FORUM_EVENT, INTERNAL_EVENT, INTERNAL_VISIT, PROGRAMME_ITEM]
SEEN_BY = {
    None: [PUBLIC_EVENT],
    Role.member: [PUBLIC_EVENT, FORUM_EVENT],
    Role.mayors_office: EVERYTHING,
    Role.admin: EVERYTHING,
}


def _lists(page: Any, server: LiveServer) -> dict[str, list[str]]:
    shown = {}
    for path in ("/", "/upcoming"):
        page.goto(server(path))
        shown[path] = entry_titles(page)
    return shown


def test_each_role_sees_what_the_visibility_rule_allows(
    live_server: LiveServer, new_page: Any
) -> None:
    shown = {}
    for role in SEEN_BY:
        # A fresh context for each: nobody inherits the previous role's session.
        page = new_page()
        if role is not None:
            log_in(page, live_server, EMAILS[role])
            assert page.url == live_server("/"), role
        shown[role] = _lists(page, live_server)

    assert shown == {
        role: {"/": titles, "/upcoming": titles} for role, titles in SEEN_BY.items()
    }


def test_log_out_hides_internal_items_again(
    live_server: LiveServer, new_page: Any
) -> None:
    page = new_page()
    log_in(page, live_server, EMAILS[Role.mayors_office])
    assert entry_titles(page) == EVERYTHING

    submit_form(page, "form[action='/logout']")

    assert page.url == live_server("/")
    assert page.locator(".flash").all_inner_texts() == ["You are logged out."]
    assert page.locator(".site-tools a[href='/login']").count() == 1
    assert _lists(page, live_server) == {
        "/": [PUBLIC_EVENT],
        "/upcoming": [PUBLIC_EVENT],
    }
