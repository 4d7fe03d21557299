"""Bad input on every account form: a clear message next to the field, what was typed kept.

Each form has a table of cases: the error keys (see TEXTS in helpers)
expected next to each field, by field id, and the values the page must send
back (passwords never). One test per form posts every case of its table, since
a rejected post changes nothing, and compares all answers at once. Pages are
asked for in `lang`; once the Norwegian catalogue is compiled, adding "nb" to
CHECKED_LOCALES and TEXTS checks the same cases in Norwegian.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.auth.models import Role, User
from app.auth.services import request_password_reset, resend_invitation
from app.core.db import db
from app.outbox.models import OutboxMail
from tests.auth.helpers import link_path, post_form, read_page
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

LONG = "x" * 10_000
LONG_EMAIL = "a" * (10_000 - len("@example.org")) + "@example.org"


class Case(NamedTuple):
    data: dict[str, str]
    #: field id -> keys of the messages shown next to it, in order.
    errors: dict[str, list[str]]
    #: field name -> value the page must show again.
    kept: dict[str, str]


def _post_cases(
    client: FlaskClient,
    path: str,
    cases: dict[str, Case],
    *,
    lang: str,
    text: dict[str, str],
    status: int = 200,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Post every case; return what the pages showed and what they should have, by case."""
    shown, expected = {}, {}
    for name, case in cases.items():
        response = post_form(client, path, case.data, lang=lang)
        page = read_page(response)
        shown[name] = (response.status_code, page.errors, _kept(page.values, case.kept))
        expected[name] = (status, _messages(text, case.errors), case.kept)
    return shown, expected


def _messages(text: dict[str, str], errors: dict[str, list[str]]) -> dict[str, str]:
    return {
        field: " ".join(text[key] for key in keys) for field, keys in errors.items()
    }


def _kept(page_values: dict[str, str], kept: dict[str, str]) -> dict[str, str | None]:
    return {name: page_values.get(name) for name in kept}


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.fixture
def admin(create_user, lang):
    """An admin reading pages in `lang`."""
    return create_user(
        "ada@example.org", role=Role.admin, name="Ada Admin", locale=lang
    )


LOGIN_CASES = {
    "empty": Case(
        {"email": "", "password": ""},
        {"email": ["required"], "password": ["required"]},
        {"email": "", "password": ""},
    ),
    "10000_characters": Case(
        {"email": LONG_EMAIL, "password": LONG},
        {"email": ["max_254"], "password": ["max_200"]},
        {"email": LONG_EMAIL, "password": ""},
    ),
}


def test_login_form_explains_bad_input(client, lang, text):
    shown, expected = _post_cases(client, "/login", LOGIN_CASES, lang=lang, text=text)

    assert shown == expected


FORGOT_CASES = {
    "empty": Case({"email": ""}, {"email": ["required"]}, {"email": ""}),
    "10000_characters": Case(
        {"email": LONG_EMAIL}, {"email": ["max_254"]}, {"email": LONG_EMAIL}
    ),
    "not_an_address": Case(
        {"email": "kari at example"},
        {"email": ["bad_email"]},
        {"email": "kari at example"},
    ),
}


def test_forgot_password_form_explains_bad_input(client, lang, text):
    shown, expected = _post_cases(
        client, "/password/forgot", FORGOT_CASES, lang=lang, text=text
    )

    assert shown == expected
    assert _count(OutboxMail) == 0


NO_PASSWORDS = {"password": "", "confirm": ""}
SET_PASSWORD_CASES = {
    "empty": Case(
        {"password": "", "confirm": ""},
        {"password": ["required"], "confirm": ["required"]},
        NO_PASSWORDS,
    ),
    "10000_characters": Case(
        {"password": LONG, "confirm": LONG}, {"password": ["max_200"]}, NO_PASSWORDS
    ),
    "too_short": Case(
        {"password": "abcdefg", "confirm": "abcdefg"},
        {"password": ["too_short"]},
        NO_PASSWORDS,
    ),
    "same_as_email": Case(
        {"password": "kari@example.org", "confirm": "kari@example.org"},
        {"password": ["same_as_email"]},
        NO_PASSWORDS,
    ),
    "passwords_differ": Case(
        {"password": "one long passphrase", "confirm": "another passphrase"},
        {"confirm": ["passwords_differ"]},
        NO_PASSWORDS,
    ),
}


@pytest.mark.parametrize("purpose", ["password_reset", "invitation"])
def test_set_password_form_explains_bad_input(
    client, create_user, clock, lang, text, purpose
):
    user = create_user("kari@example.org", password=None, locale=lang)
    if purpose == "invitation":
        resend_invitation(user, invited_by=user, now=NOW)
    else:
        user.password_hash = "an existing password's hash"
        request_password_reset(user.email, now=NOW)
    db.session.commit()
    path = link_path(db.session.scalars(sa.select(OutboxMail)).one().body_text)

    shown, expected = _post_cases(
        client, path, SET_PASSWORD_CASES, lang=lang, text=text
    )

    assert shown == expected
    assert db.session.get(User, user.id).session_version == 1


INVITE_CASES = {
    "empty": Case(
        {"email": "", "name": "", "role": "", "organisation_id": "", "locale": ""},
        {
            "email": ["required"],
            "name": ["required"],
            "role": ["required"],
            "organisation_id": ["choice"],
            "locale": ["required"],
        },
        {"email": "", "name": ""},
    ),
    "10000_characters": Case(
        {
            "email": LONG_EMAIL,
            "name": LONG,
            "role": LONG,
            "organisation_id": LONG,
            "locale": LONG,
        },
        {
            "email": ["max_254"],
            "name": ["max_200"],
            "role": ["choice"],
            "organisation_id": ["choice"],
            "locale": ["choice"],
        },
        {"email": LONG_EMAIL, "name": LONG},
    ),
    "wrong_types": Case(
        {
            "email": "ola@example.org",
            "name": "Ola Nordmann",
            "role": "superuser",
            "organisation_id": "abc",
            "locale": "xx",
        },
        {"role": ["choice"], "organisation_id": ["choice"], "locale": ["choice"]},
        {"email": "ola@example.org", "name": "Ola Nordmann"},
    ),
    "unknown_organisation": Case(
        {
            "email": "ola@example.org",
            "name": "Ola Nordmann",
            "role": "member",
            "organisation_id": "999",
            "locale": "en",
        },
        {"organisation_id": ["choice"]},
        {"email": "ola@example.org", "name": "Ola Nordmann", "role": "member"},
    ),
    "email_taken": Case(
        {
            "email": "ADA@example.org",
            "name": "Ada Again",
            "role": "member",
            "organisation_id": "0",
            "locale": "en",
        },
        {"email": ["email_taken"]},
        {"email": "ADA@example.org", "name": "Ada Again", "organisation_id": "0"},
    ),
}


def test_invite_form_explains_bad_input(client, sign_in, admin, lang, text):
    sign_in(client, admin)

    shown, expected = _post_cases(
        client, "/admin/users/invite", INVITE_CASES, lang=lang, text=text
    )

    assert shown == expected
    assert (_count(User), _count(OutboxMail)) == (1, 0)


EDIT_CASES = {
    "empty": Case(
        {"name": "", "role": "", "organisation_id": "", "locale": "", "timezone": ""},
        {
            "name": ["required"],
            "role": ["required"],
            "organisation_id": ["choice"],
            "locale": ["required"],
            "timezone": ["required"],
        },
        {"name": "", "timezone": "", "is_active": ""},
    ),
    "10000_characters": Case(
        {
            "name": LONG,
            "role": LONG,
            "organisation_id": LONG,
            "locale": LONG,
            "timezone": LONG,
            "is_active": LONG,
        },
        {
            "name": ["max_200"],
            "role": ["choice"],
            "organisation_id": ["choice"],
            "locale": ["choice"],
            "timezone": ["max_64"],
        },
        {"name": LONG, "timezone": LONG, "is_active": "y"},
    ),
    "wrong_types": Case(
        {
            "name": "Ola",
            "role": "superuser",
            "organisation_id": "abc",
            "locale": "xx",
            "timezone": "Europe/Oslo",
        },
        {"role": ["choice"], "organisation_id": ["choice"], "locale": ["choice"]},
        {"name": "Ola", "timezone": "Europe/Oslo"},
    ),
    "unknown_time_zone": Case(
        {
            "name": "Ola",
            "role": "member",
            "organisation_id": "0",
            "locale": "en",
            "timezone": "Mars/Olympus_Mons",
            "is_active": "y",
        },
        {"timezone": ["unknown_timezone"]},
        {
            "name": "Ola",
            "role": "member",
            "timezone": "Mars/Olympus_Mons",
            "is_active": "y",
        },
    ),
}


def test_edit_user_form_explains_bad_input(
    client, sign_in, admin, create_user, lang, text
):
    user = create_user(name="Ola Nordmann", password=None)
    sign_in(client, admin)

    shown, expected = _post_cases(
        client, f"/admin/users/{user.id}/edit", EDIT_CASES, lang=lang, text=text
    )

    assert shown == expected
    user = db.session.get(User, user.id)
    assert (user.name, user.role, user.timezone, user.session_version) == (
        "Ola Nordmann",
        Role.member,
        "Europe/Oslo",
        1,
    )


LANGUAGE_CASES = {
    "missing": Case(
        {"next": "/upcoming"}, {"locale": ["required"]}, {"next": "/upcoming"}
    ),
    "empty": Case({"locale": ""}, {"locale": ["required"]}, {"next": ""}),
    "10000_characters": Case(
        {"locale": LONG, "next": "/" + LONG}, {"locale": ["choice"]}, {"next": ""}
    ),
    "unknown_language": Case(
        {"locale": "xx", "next": "//evil.example"}, {"locale": ["choice"]}, {"next": ""}
    ),
}


def test_language_switch_explains_bad_input(client, lang, text):
    shown, expected = _post_cases(
        client, "/language", LANGUAGE_CASES, lang=lang, text=text, status=400
    )

    assert shown == expected
    with client.session_transaction() as session:
        assert "locale" not in session
