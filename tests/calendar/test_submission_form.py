"""The public submission form: validation, honeypot, rate limit, CSRF, confirmation page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app.calendar.models import Event, Submission, SubmissionState
from app.core.db import db
from app.outbox.models import OutboxMail
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ENGLISH = {"DEFAULT_LOCALE": "en"}
_LINK = re.compile(r"http://vertskap\.test(/submissions/confirm/[A-Za-z0-9_-]+)")
TITLE = "Hamburg business breakfast"


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return dict(ENGLISH)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """The views read the clock; pin it to the builders' NOW (2026-11-26 09:00 UTC)."""
    time_machine.move_to(NOW, tick=False)


def _form(**changes: str) -> dict[str, str]:
    values = {
        "title": TITLE,
        "description": "Breakfast with **partners** from Hamburg.",
        "start": "2026-12-10T08:00",
        "end": "2026-12-10T10:00",
        "location": "Britannia Hotel, Trondheim",
        "organiser_id": "0",
        "organiser_name": "Hamburg Chamber of Commerce",
        "initiative_id": "0",
        "link": "https://example.org/breakfast",
        "submitter_name": "Hanna Hansen",
        "submitter_email": "hanna@example.org",
        "website": "",
    }
    values.update(changes)
    return values


def _submissions() -> list[Submission]:
    return list(db.session.scalars(sa.select(Submission).order_by(Submission.id)))


def _mails() -> list[OutboxMail]:
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert match is not None, f"no error shown for {field}"
    return match.group(1)


def test_form_page_has_every_field_and_a_hidden_honeypot(client):
    html = _text(client.get("/submit"))

    for name in (
        "title",
        "description",
        "is_all_day",
        "start",
        "end",
        "location",
        "organiser_id",
        "organiser_name",
        "initiative_id",
        "link",
        "submitter_name",
        "submitter_email",
    ):
        assert f'name="{name}"' in html
    (trap,) = re.findall(r"<input[^>]*name=\"website\"[^>]*>", html)
    assert 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap
    assert '<div class="submission-trap">' in html
    assert "Leave this field empty" in html


def test_anonymous_submission_is_stored_unconfirmed_and_mailed(client):
    response = client.post("/submit", data=_form())

    assert response.status_code == 302
    assert response.headers["Location"] == "/submit/thanks?outcome=unconfirmed"
    (submission,) = _submissions()
    assert (
        submission.state,
        submission.title,
        submission.start_dt,
        submission.end_dt,
        submission.organiser_id,
        submission.organiser_name,
        submission.url,
        submission.locale,
        submission.timezone,
    ) == (
        SubmissionState.unconfirmed,
        TITLE,
        datetime(2026, 12, 10, 7, 0, tzinfo=UTC),  # 08:00 in Oslo, winter time
        datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
        None,
        "Hamburg Chamber of Commerce",
        "https://example.org/breakfast",
        "en",
        "Europe/Oslo",
    )
    (mail,) = _mails()
    assert (mail.kind, mail.recipient) == ("submission_confirm", "hanna@example.org")
    thanks = _text(client.get(response.headers["Location"]))
    assert "check your e-mail" in thanks


def test_following_the_mailed_link_confirms_once(client):
    client.post("/submit", data=_form())
    (path,) = _LINK.findall(_mails()[0].body_text)

    first = client.get(path)
    second = client.get(path)

    assert first.status_code == 200
    assert "Your address is confirmed" in _text(first)
    assert TITLE in _text(first)
    assert second.status_code == 200
    assert "Already confirmed" in _text(second)
    (submission,) = _submissions()
    assert (submission.state, submission.email_confirmed_dt) == (
        SubmissionState.pending,
        NOW,
    )
    assert [m.kind for m in _mails()] == ["submission_confirm", "submission_received"]
    assert first.headers["Cache-Control"] == "no-store"


def test_unknown_or_expired_link_gets_a_clear_404_page(client, time_machine):
    client.post("/submit", data=_form())
    (path,) = _LINK.findall(_mails()[0].body_text)

    unknown = client.get("/submissions/confirm/abcdefghijklmnopqrstuvwxyz0123456789")
    time_machine.move_to(NOW + timedelta(hours=49), tick=False)
    expired = client.get(path)

    for response in (unknown, expired):
        assert response.status_code == 404
        assert "This link does not work" in _text(response)
        assert TITLE not in _text(response)
    assert _submissions()[0].state is SubmissionState.unconfirmed


def test_honeypot_pretends_success_and_stores_nothing(client):
    response = client.post("/submit", data=_form(website="http://spam.example"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/submit/thanks?outcome=unconfirmed"
    assert _submissions() == []
    assert _mails() == []


def test_past_start_is_refused(client):
    response = client.post(
        "/submit", data=_form(start="2026-11-26T09:30", end="2026-11-26T11:00")
    )
    # 09:30 in Oslo is 08:30 UTC: half an hour before now.

    assert response.status_code == 200
    assert _error(_text(response), "start") == (
        "The event cannot start in the past. Give a future time."
    )
    assert _submissions() == []


def test_start_later_today_is_accepted(client):
    response = client.post(
        "/submit", data=_form(start="2026-11-26T18:00", end="2026-11-26T20:00")
    )

    assert response.status_code == 302


def test_end_before_start_is_refused(client):
    response = client.post(
        "/submit", data=_form(start="2026-12-10T10:00", end="2026-12-10T09:00")
    )

    assert _error(_text(response), "end") == "The end must be after the start."
    assert _submissions() == []


def test_all_day_event_spans_local_midnights(client):
    client.post(
        "/submit",
        data=_form(is_all_day="y", start="2026-12-10T00:00", end="2026-12-11T00:00"),
    )

    (submission,) = _submissions()
    assert (submission.is_all_day, submission.start_dt, submission.end_dt) == (
        True,
        datetime(2026, 12, 9, 23, 0, tzinfo=UTC),
        datetime(2026, 12, 11, 23, 0, tzinfo=UTC),
    )


def test_nonexistent_local_time_is_refused(client):
    response = client.post(
        "/submit", data=_form(start="2027-03-28T02:30", end="2027-03-28T04:00")
    )

    assert "does not exist in Europe/Oslo" in _error(_text(response), "start")
    assert _submissions() == []


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.org/file",
        "//example.org/no-scheme",
        "localhost/havn",
        "hanna@example.org",
        "mailto:hanna@example.org",
        "example.org:havn",
        "example.org/ha vn",
        "https://",
        "https://exa mple.org/",
    ],
)
def test_links_other_than_http_and_https_are_refused(client, link):
    response = client.post("/submit", data=_form(link=link))

    assert response.status_code == 200
    assert _error(_text(response), "link") == (
        "Enter a web address, such as ntnu.no/events or https://www.ntnu.no/events."
    )
    assert f'value="{escape(link.strip())}"' in _text(response)  # as typed, to correct
    assert _submissions() == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("example.org/havn", "https://example.org/havn"),
        ("www.ntnu.no", "https://www.ntnu.no"),
        ("WWW.SINTEF.NO/arrangementer/", "https://WWW.SINTEF.NO/arrangementer/"),
        (
            "trondheim.kommune.no/tema/internasjonalt?side=2#hamburg",
            "https://trondheim.kommune.no/tema/internasjonalt?side=2#hamburg",
        ),
        ("nit.no:8443/frokost", "https://nit.no:8443/frokost"),
        ("blåbær-festival.no", "https://blåbær-festival.no"),
        ("http://www.ntnu.no/", "http://www.ntnu.no/"),
        ("https://example.org/breakfast", "https://example.org/breakfast"),
    ],
)
def test_bare_domain_link_gets_https(client, typed, stored):
    response = client.post("/submit", data=_form(link=typed))

    assert response.status_code == 302
    (submission,) = _submissions()
    assert submission.url == stored


def test_bare_domain_is_shown_with_https_when_another_field_is_refused(client):
    response = client.post("/submit", data=_form(title="", link="example.org/havn"))

    assert 'value="https://example.org/havn"' in _text(response)
    assert 'id="link-error"' not in _text(response)


LIMITS = {
    "title": 200,
    "description": 5000,
    "location": 300,
    "organiser_name": 200,
    "link": 500,
    "submitter_name": 200,
    "submitter_email": 254,
}


def _at_length(field: str, length: int) -> str:
    if field == "link":
        return "https://example.org/" + "a" * (length - 20)
    if field == "submitter_email":
        return "a" * (length - 12) + "@example.org"
    return "x" * length


@pytest.mark.parametrize("field", sorted(LIMITS))
def test_every_field_refuses_one_character_over_its_limit(client, field):
    limit = LIMITS[field]

    response = client.post(
        "/submit", data=_form(**{field: _at_length(field, limit + 1)})
    )

    assert _error(_text(response), field) == (
        f"Use at most {limit} characters; this has {limit + 1}."
    )
    assert _submissions() == []


def test_every_field_accepts_its_full_length(client):
    values = {field: _at_length(field, limit) for field, limit in LIMITS.items()}

    response = client.post("/submit", data=_form(**values))

    assert response.status_code == 302
    (submission,) = _submissions()
    assert (
        len(submission.title),
        len(submission.description),
        len(submission.url),
    ) == (
        200,
        5000,
        500,
    )


def test_form_keeps_what_was_typed_when_refused(client):
    response = client.post(
        "/submit",
        data=_form(title="", description="Keep <this> & that", link="javascript:x"),
    )
    html = _text(response)

    assert _error(html, "title") == "This field is required."
    assert 'value="Hamburg Chamber of Commerce"' in html
    assert 'value="hanna@example.org"' in html
    assert 'value="2026-12-10T08:00"' in html
    assert 'value="javascript:x"' in html
    assert "Keep &lt;this&gt; &amp; that</textarea>" in html
    assert _submissions() == []


def test_organiser_is_one_of_the_list_or_a_new_name(client, create_organisation):
    org = create_organisation("NiT", name="Næringsforeningen i Trondheim")

    neither = client.post("/submit", data=_form(organiser_name=""))
    both = client.post("/submit", data=_form(organiser_id=str(org.id)))
    chosen = client.post(
        "/submit", data=_form(organiser_id=str(org.id), organiser_name="")
    )

    assert _error(_text(neither), "organiser_id") == (
        "Choose an organisation from the list, or name a new one."
    )
    assert _error(_text(both), "organiser_id") == (
        "Choose an organisation from the list or name a new one, not both."
    )
    assert chosen.status_code == 302
    (submission,) = _submissions()
    assert (submission.organiser_id, submission.organiser_name) == (org.id, "")


def test_member_submits_without_confirmation(client, login, create_user):
    member = create_user("mats@example.org", name="Mats Member", locale="en")
    login(member)

    page = _text(client.get("/submit"))
    response = client.post("/submit", data=_form(submitter_name="", submitter_email=""))

    assert 'name="submitter_email"' not in page
    assert "mats@example.org" in page
    assert response.headers["Location"] == "/submit/thanks?outcome=pending"
    (submission,) = _submissions()
    assert (
        submission.state,
        submission.submitter_email,
        submission.submitter_user_id,
    ) == (
        SubmissionState.pending,
        "mats@example.org",
        member.id,
    )
    assert [(m.kind, m.recipient) for m in _mails()] == [
        ("submission_received", "mats@example.org")
    ]
    assert "in the queue" in _text(client.get(response.headers["Location"]))


def test_trusted_member_publishes_and_the_event_is_public(
    client, login, create_user, create_organisation
):
    trusted = create_organisation("SINTEF", is_trusted=True)
    login(create_user(organisation=trusted, locale="en"))

    response = client.post("/submit", data=_form())
    client.post("/logout")

    assert response.headers["Location"] == "/submit/thanks?outcome=approved"
    (submission,) = _submissions()
    assert submission.state is SubmissionState.approved
    event = db.session.get(Event, submission.event_id)
    assert event is not None
    assert event.title == TITLE
    assert TITLE in _text(client.get("/upcoming"))


def test_nothing_unconfirmed_or_pending_shows_anywhere(client, login, create_user):
    client.post("/submit", data=_form(title="Unconfirmed proposal"))
    client.post("/submit", data=_form(title="Pending proposal"))
    (path,) = _LINK.findall(_mails()[1].body_text)
    client.get(path)
    assert [s.state for s in _submissions()] == [
        SubmissionState.unconfirmed,
        SubmissionState.pending,
    ]
    pages = [
        "/",
        "/upcoming",
        "/calendar",
        "/calendar?view=list",
        "/calendar/entries.json?start=2026-11-01&end=2027-01-31",
    ]

    for viewer in ("anonymous", "member"):
        if viewer == "member":
            login(create_user(locale="en"))
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            assert "proposal" not in _text(response), (viewer, page)


@pytest.mark.parametrize(
    "app_settings", [{**ENGLISH, "WTF_CSRF_ENABLED": True}], ids=["csrf_on"]
)
def test_csrf_token_is_required(client):
    form_page = _text(client.get("/submit"))
    (token,) = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page)

    refused = client.post("/submit", data=_form())
    accepted = client.post("/submit", data=_form(csrf_token=token))

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert [s.title for s in _submissions()] == [TITLE]


@pytest.mark.parametrize(
    "app_settings",
    [{**ENGLISH, "RATELIMIT_ENABLED": True, "SUBMISSION_RATE_LIMIT": "2 per hour"}],
    ids=["limit_2"],
)
def test_rate_limit_answers_429_with_a_friendly_page(client):
    first = client.post("/submit", data=_form())
    second = client.post("/submit", data=_form(title="Second proposal"))

    third = client.post("/submit", data=_form(title="One too many"))
    form_still_shown = client.get("/submit")

    assert (first.status_code, second.status_code) == (302, 302)
    assert third.status_code == 429
    assert third.headers["Retry-After"] == "3601"
    html = _text(third)
    assert "Too many requests" in html
    assert "You can try again within 1 hour." in html
    assert form_still_shown.status_code == 200
    assert [s.title for s in _submissions()] == [TITLE, "Second proposal"]


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)>",
    '" autofocus onfocus="alert(1)',
    "{{ 7*7 }}<b>bold</b>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_typed_markup_is_shown_inert_when_the_form_is_refused(client, payload):
    fields = ("title", "description", "location", "organiser_name", "submitter_name")

    response = client.post(
        "/submit", data=_form(**dict.fromkeys(fields, payload), link="javascript:1")
    )
    html = _text(response)

    assert response.status_code == 200
    for dangerous in (
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "<iframe",
        "<b>bold",
    ):
        assert dangerous not in html
    assert '" autofocus onfocus="' not in html
    if payload.startswith("{{"):  # shown as typed, never evaluated
        assert "{{ 7*7 }}&lt;b&gt;bold&lt;/b&gt;" in html
    assert _submissions() == []
