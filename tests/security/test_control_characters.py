"""Control characters typed or sent anywhere are removed before the database (issue 14).

NUL gave a 500 on PostgreSQL (it refuses NUL in text) and SQLite stored it and
every other control character raw. Now forms, query strings and path segments
all go through the filter of `app.core.inputs`: the text is saved and searched
without them, TAB is kept, a text area keeps its lines with LF. Each test runs
on both databases.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import LoginAttempt, Role
from app.calendar.models import Event, Submission
from app.core.db import db
from tests.fixtures.builders import NOW, PASSWORD

pytestmark = pytest.mark.integration

#: Every C0 and C1 control character but TAB, LF and CR, and DEL.
CONTROLS = "".join(
    chr(point)
    for point in [*range(0x20), *range(0x7F, 0xA0)]
    if chr(point) not in "\t\n\r"
)
#: What a browser sends from a text area, with controls and a TAB mixed in.
TYPED_NOTES = f"First line\r\n\tindented{CONTROLS}\rthird line\r\n"
SAVED_NOTES = "First line\n\tindented\nthird line"
#: Every query parameter a page of ours reads, each given NUL and ESC.
QUERY = dict.fromkeys(
    (
        "q",
        "recipient",
        "organisation",
        "initiative",
        "theme",
        "kind",
        "from",
        "to",
        "start",
        "end",
        "date",
        "view",
        "year",
        "state",
        "status",
        "direction",
        "country",
        "host",
        "level",
        "lang",
        "outcome",
        "next",
        "page",
        "per_page",
        "weeks",
        "period",
    ),
    "a\x00b\x1b",
)


_FIELD_ERROR = re.compile(r'<p class="error" id="([\w-]+)-error">([^<]*)</p>')


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """The forms refuse a start in the past: pin the clock to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)


def _local(days: int, hour: int) -> str:
    """Return a wall time `days` after NOW, as a date-time field sends it."""
    return f"{(NOW + timedelta(days=days)).date().isoformat()}T{hour:02d}:00"


def _event_form(title: str, **changes: str) -> dict[str, str]:
    data = {
        "title": title,
        "description": "",
        "start": _local(6, 9),
        "end": _local(6, 11),
        "timezone": "Europe/Oslo",
        "location": "",
        "organiser_id": "0",
        "initiative_id": "0",
        "url": "",
        "visibility": "public",
        "status": "confirmed",
        "repeat": "none",
        "interval": "1",
        "ends": "never",
        "exdates": "",
    }
    data.update(changes)
    return data


def test_event_form_saves_the_title_without_controls_and_keeps_tab_and_lines(
    client: Any, create_user: Any, login: Any
) -> None:
    login(create_user(role=Role.mayors_office))

    saved = client.post(
        "/events/new",
        data=_event_form(
            f"Nordens{CONTROLS} dag",
            description=TYPED_NOTES,
            location="Rådhuset\tStorsal\r\n",
        ),
    )

    assert saved.status_code == 302, _FIELD_ERROR.findall(saved.get_data(as_text=True))
    event = db.session.scalars(sa.select(Event)).one()
    assert (event.title, event.description, event.location) == (
        "Nordens dag",
        SAVED_NOTES,
        "Rådhuset\tStorsal",
    )


def test_public_form_stores_the_submission_without_controls(client: Any) -> None:
    response = client.post(
        "/submit",
        data={
            "title": f"\x00Hamburg{CONTROLS} breakfast",
            "description": TYPED_NOTES,
            "start": _local(3, 8),
            "end": _local(3, 10),
            "location": "Britannia\x00 Hotel",
            "organiser_id": "0",
            "organiser_name": "Hamburg\x00 Chamber",
            "initiative_id": "0",
            "link": "https://example.org/\x00breakfast",
            "submitter_name": "Hanna\x1b Hansen",
            "submitter_email": "hanna@example.org\x00",
            "website": "",
        },
    )

    assert response.status_code == 302, _FIELD_ERROR.findall(
        response.get_data(as_text=True)
    )
    submission = db.session.scalars(sa.select(Submission)).one()
    assert (
        submission.title,
        submission.description,
        submission.location,
        submission.organiser_name,
        submission.url,
        submission.submitter_name,
        submission.submitter_email,
    ) == (
        "Hamburg breakfast",
        SAVED_NOTES,
        "Britannia Hotel",
        "Hamburg Chamber",
        "https://example.org/breakfast",
        "Hanna Hansen",
        "hanna@example.org",
    )


def test_log_in_email_with_controls_is_read_without_them(
    client: Any, create_user: Any
) -> None:
    create_user("kari@example.org")

    refused = client.post(
        "/login", data={"email": "kari@\x00example.org", "password": "wrong"}
    )
    logged_in = client.post(
        "/login", data={"email": "\x00kari@example.org\x7f", "password": PASSWORD}
    )

    assert (refused.status_code, logged_in.status_code) == (200, 302)
    attempts = db.session.execute(
        sa.select(LoginAttempt.email, LoginAttempt.succeeded).order_by(LoginAttempt.id)
    ).all()
    assert [tuple(row) for row in attempts] == [
        ("kari@example.org", False),
        ("kari@example.org", True),
    ]


def test_calendar_search_with_controls_finds_the_cleaned_text(
    client: Any, create_event: Any
) -> None:
    create_event("Nordens dag")
    create_event("Forum meeting")

    response = client.get(
        "/calendar/entries.json",
        query_string={
            "start": NOW.date().isoformat(),
            "end": (NOW + timedelta(days=30)).date().isoformat(),
            "q": "Nor\x00dens\x1b",
        },
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert [entry["title"] for entry in response.get_json()] == ["Nordens dag"]


def test_visit_search_with_controls_finds_the_cleaned_text(
    client: Any, create_user: Any, login: Any, create_delegation: Any
) -> None:
    create_delegation("Hamburg harbour")
    create_delegation("Mayor of Kyiv")
    login(create_user(role=Role.mayors_office, locale="en"))

    response = client.get("/visits/", query_string={"q": "har\x00bour\x85"})

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ("Hamburg harbour" in html, "Mayor of Kyiv" in html) == (True, False)


def test_api_filter_with_controls_finds_the_cleaned_name(
    client: Any, create_event: Any, create_organisation: Any
) -> None:
    create_event("By Visit Trondheim", organiser=create_organisation("Visit Trondheim"))
    create_event("By NTNU", organiser=create_organisation("NTNU"))

    response = client.get(
        "/api/v1/events",
        query_string={
            "from": "2026-11-26",
            "to": "2027-01-31",
            "organisation": "Visit Trond\x00heim\x1b",
        },
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert [item["title"] for item in response.get_json()["data"]] == [
        "By Visit Trondheim"
    ]


def test_no_page_fails_on_controls_in_its_query_string(
    app: Flask, client: Any, create_user: Any, login: Any
) -> None:
    login(create_user(role=Role.admin))
    pages = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
    )

    statuses = {
        page: client.get(page, query_string=QUERY).status_code for page in pages
    }

    assert {page: code for page, code in statuses.items() if code >= 500} == {}


def test_path_segments_with_controls_are_not_found(
    client: Any, create_user: Any, login: Any
) -> None:
    login(create_user(role=Role.admin))

    codes = [
        client.get(path).status_code
        for path in (
            "/action-programme/2011%00-2012",
            "/action-programme/2011-2012/themes/india%00/edit",
            "/admin/checklists/new/mayoral%1b",
            "/submissions/confirm/abc%00def",
        )
    ]

    assert codes == [404, 404, 404, 404]


def test_huge_ids_in_select_fields_are_refused_with_a_message(
    client: Any, create_user: Any, login: Any
) -> None:
    login(create_user(role=Role.mayors_office, locale="en"))

    response = client.post(
        "/events/new",
        data={
            **_event_form("Nordens dag"),
            "organiser_id": str(2**63),
            "initiative_id": str(10**30),
        },
    )

    assert response.status_code == 200
    errors = dict(_FIELD_ERROR.findall(response.get_data(as_text=True)))
    assert errors == {
        "organiser_id": "Choose one of the options in the list.",
        "initiative_id": "Choose one of the options in the list.",
    }
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0
