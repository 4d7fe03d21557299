"""Helpers for the account tests: read forms out of pages, log in on any client.

Texts are looked up by locale in TEXTS, and pages are fetched with an explicit
Accept-Language, so checks in Norwegian need only a TEXTS["nb"] entry and "nb"
in CHECKED_LOCALES once the catalogues are compiled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.auth.models import User
from tests.fixtures.builders import PASSWORD

#: Locales whose texts the tests check; add "nb" with its TEXTS entry later.
CHECKED_LOCALES = ["en"]

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "required": "This field is required.",
        "max_200": "Use at most 200 characters.",
        "max_254": "Use at most 254 characters.",
        "max_64": "Use at most 64 characters.",
        "bad_email": "Enter a valid e-mail address, such as name@example.org.",
        "choice": "Choose one of the options in the list.",
        "too_short": "Use at least 10 characters.",
        "too_simple": "Use a less repetitive password.",
        "same_as_email": "The password must not be your e-mail address.",
        "passwords_differ": "The two passwords differ.",
        "wrong_login": "Wrong e-mail or password.",
        "throttled": "Too many failed attempts. Wait a quarter of an hour and try again, or reset your password.",
        "email_taken": "A user with this e-mail address already exists.",
        "invalid_link": "This link is invalid, used or expired. Ask for a new one.",
        "cannot_demote_self": "You cannot remove your own admin role or deactivate yourself.",
        "unknown_timezone": "Unknown time zone. Use an IANA name such as Europe/Oslo.",
        "reset_sent": "If an account has this address, a link to choose a new password is on its way.",
        "password_saved": "Your password is saved and you are logged in.",
        "reset_saved": "Your password is saved. Log in with it.",
        "session_too_old": "For your safety a session lasts at most 12 hours. Log in again.",
        "logged_out": "You are logged out.",
        "csrf_title": "The form expired",
        "link_not_valid": "Link not valid",
    },
}

_LINK = re.compile(r"http://vertskap\.test(/\S+)")


@dataclass
class Form:
    """One <form> of a page: where it posts and the names of its controls."""

    method: str
    action: str
    names: list[str] = field(default_factory=list)


@dataclass
class Page:
    """What a page shows: forms, control values, errors by field id, flashes, the logged-in name."""

    forms: list[Form] = field(default_factory=list)
    #: Values of the controls inside <main>: text as sent back, a select's chosen option.
    values: dict[str, str] = field(default_factory=dict)
    #: Error text next to each field, by the field's id.
    errors: dict[str, str] = field(default_factory=dict)
    flashes: list[str] = field(default_factory=list)
    who: str | None = None
    title: str = ""


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_main = False
        self._select: str | None = None
        self._capture: tuple[str, str] | None = None  # (kind, key)
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "main":
            self._in_main = True
        elif tag == "form":
            self.page.forms.append(
                Form(method=a.get("method", "get").lower(), action=a.get("action", ""))
            )
        elif tag in {"input", "select", "textarea", "button"} and "name" in a:
            if self.page.forms:
                self.page.forms[-1].names.append(a["name"])
            self._control(tag, a)
        elif tag == "option" and self._select and "selected" in a:
            self.page.values[self._select] = a.get("value", "")
        elif tag == "p" and "error" in classes and a.get("id", "").endswith("-error"):
            self._start("error", a["id"].removesuffix("-error"))
        elif tag == "p" and "flash" in classes:
            self._start("flash", "")
        elif tag == "span" and "who" in classes:
            self._start("who", "")
        elif tag == "h1" and self._in_main and not self.page.title:
            self._start("title", "")

    def _control(self, tag: str, a: dict[str, str]) -> None:
        if not self._in_main:
            return
        if tag == "select":
            self._select = a["name"]
            self.page.values.setdefault(a["name"], "")
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "checkbox":
                self.page.values[a["name"]] = "y" if "checked" in a else ""
            elif kind not in {"submit", "button"} and a["name"] != "csrf_token":
                self.page.values[a["name"]] = a.get("value", "")

    def _start(self, kind: str, key: str) -> None:
        self._capture = (kind, key)
        self._text = []

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False
        elif tag == "select":
            self._select = None
        elif tag in {"p", "span", "h1"} and self._capture:
            kind, key = self._capture
            text = " ".join("".join(self._text).split())
            if kind == "error":
                self.page.errors[key] = text
            elif kind == "flash":
                self.page.flashes.append(text)
            elif kind == "who":
                self.page.who = text
            else:
                self.page.title = text
            self._capture = None


def read_page(response: TestResponse) -> Page:
    """Parse a rendered page."""
    parser = _PageParser()
    parser.feed(response.get_data(as_text=True))
    return parser.page


def post_form(
    client: FlaskClient, url: str, data: dict[str, Any], *, lang: str = "en"
) -> TestResponse:
    """POST a form as a browser asking for `lang` would."""
    return client.post(url, data=data, headers={"Accept-Language": lang})


def log_in(
    client: FlaskClient, user: User, password: str = PASSWORD, **data: str
) -> TestResponse:
    """Log in through the real form on any client; return the response unchecked."""
    return client.post(
        "/login", data={"email": user.email, "password": password, **data}
    )


def who_is_logged_in(client: FlaskClient) -> str | None:
    """Return the name shown in the page header, or None for an anonymous visitor."""
    return read_page(client.get("/")).who


def link_path(body_text: str) -> str:
    """Return the path of the one link to this site in a mail's text."""
    (path,) = _LINK.findall(body_text)
    return path
