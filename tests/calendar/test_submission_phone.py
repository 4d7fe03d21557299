"""The public form as a phone needs it: field types, suggested places, the error summary, the thanks page, the per-address limit."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa

from app.calendar.models import Submission
from app.core.db import db
from app.core.visibility import Visibility
from app.directory.models import Venue
from app.outbox.models import OutboxMail
from tests.calendar.test_submission_form import TITLE, _error, _form
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ENGLISH = {"DEFAULT_LOCALE": "en"}
#: Two stored proposals per address in six hours: small enough to reach in a test.
LIMITED = {**ENGLISH, "SUBMISSION_EMAIL_LIMIT": 2, "SUBMISSION_EMAIL_LIMIT_HOURS": 6}


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return dict(ENGLISH)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


class _Elements(HTMLParser):
    """Collect the attributes of every element with an id, and the datalist options."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, tuple[str, dict[str, str | None]]] = {}
        self.options: dict[str, list[str]] = {}
        self._datalist: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.by_id[str(found["id"])] = (tag, found)
        if tag == "datalist":
            self._datalist = str(found["id"])
            self.options[self._datalist] = []
        elif tag == "option" and self._datalist is not None:
            self.options[self._datalist].append(str(found["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "datalist":
            self._datalist = None


def _page(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _submissions() -> list[Submission]:
    return list(db.session.scalars(sa.select(Submission).order_by(Submission.id)))


# --- the fields ----------------------------------------------------------------------


SHOWN = {
    "title": {"tag": "input", "type": "text", "maxlength": "200", "data-limit": "200"},
    # No maxlength: a long pasted description must not lose its end unseen.
    "description": {"tag": "textarea", "data-limit": "5000"},
    "location": {
        "tag": "input",
        "type": "text",
        "autocomplete": "off",
        "maxlength": "300",
        "data-limit": "300",
        "list": "known-places",
    },
    "link": {
        "tag": "input",
        "type": "text",
        "inputmode": "url",
        "maxlength": "500",
        "data-limit": "500",
    },
    "start": {"tag": "input", "type": "datetime-local"},
    "end": {"tag": "input", "type": "datetime-local"},
    "organiser_name": {
        "tag": "input",
        "type": "text",
        "autocomplete": "organization",
        "maxlength": "200",
        "data-limit": "200",
    },
    "submitter_name": {
        "tag": "input",
        "type": "text",
        "autocomplete": "name",
        "maxlength": "200",
        "data-limit": "200",
    },
    "submitter_email": {
        "tag": "input",
        "type": "email",
        "autocomplete": "email",
        "maxlength": "254",
        "data-limit": "254",
    },
}


def test_every_field_has_the_type_and_autocomplete_a_phone_needs(client):
    page = _page(_text(client.get("/submit")))

    def shown(field_id: str) -> dict[str, str | None]:
        tag, attrs = page.by_id[field_id]
        keep = ("type", "autocomplete", "inputmode", "maxlength", "data-limit", "list")
        return {"tag": tag} | {name: attrs[name] for name in keep if name in attrs}

    assert {name: shown(name) for name in SHOWN} == SHOWN


def test_date_pickers_start_at_today_and_their_hints_name_no_format(client):
    html = _text(client.get("/submit"))
    page = _page(html)

    for field in ("start", "end"):
        assert page.by_id[field][1]["min"] == "2026-11-26T00:00"
        assert page.by_id[f"{field}-hint"][0] == "p"
    hints = re.findall(r'<p class="hint" id="(?:start|end)-hint">([^<]*)</p>', html)
    assert hints == ["Date and time in Europe/Oslo."] * 2


def test_all_day_hint_is_shown_and_tied_to_its_check_box(client):
    html = _text(client.get("/submit"))
    page = _page(html)

    assert page.by_id["is_all_day"][1]["aria-describedby"] == "is_all_day-hint"
    assert (
        '<p class="hint" id="is_all_day-hint">Only the dates count then; the times '
        "are ignored.</p>" in html
    )


def test_typed_date_and_time_with_a_space_is_read_as_the_picker_sends_it(client):
    response = client.post(
        "/submit", data=_form(start="2026-12-10 08:00", end="2026-12-10 10:00")
    )

    assert response.status_code == 302
    (submission,) = _submissions()
    assert (submission.start_dt.hour, submission.end_dt.hour) == (7, 9)  # UTC


# --- places we know ------------------------------------------------------------------


def test_place_field_suggests_venues_and_the_places_of_visible_events(
    client, login, create_user, create_event
):
    db.session.add_all(
        [
            Venue(name="Trondheim rådhus, Storsal", address="Munkegata 1, Trondheim"),
            Venue(name="Nidarosdomen", address=""),
        ]
    )
    db.session.commit()
    for days in (3, 10):
        create_event(start=NOW + timedelta(days=days), location="NTNU Gløshaugen")
    create_event(location="Britannia Hotel, Trondheim")
    create_event(location="nidarosdomen")  # a venue in other case: not twice
    create_event(location="Forum room, SINTEF", visibility=Visibility.forum)
    create_event(location="Mayor's office", visibility=Visibility.internal)
    create_event(start=NOW - timedelta(days=400), location="Old hall")

    anonymous = _page(_text(client.get("/submit"))).options["known-places"]
    login(create_user(locale="en"))
    member = _page(_text(client.get("/submit"))).options["known-places"]

    venues = ["Nidarosdomen", "Trondheim rådhus, Storsal, Munkegata 1, Trondheim"]
    assert anonymous == [*venues, "NTNU Gløshaugen", "Britannia Hotel, Trondheim"]
    assert member == [
        *venues,
        "NTNU Gløshaugen",
        "Britannia Hotel, Trondheim",
        "Forum room, SINTEF",
    ]


def test_suggested_places_are_escaped(client, create_event):
    create_event(location='"><script>alert(1)</script>')

    html = _text(client.get("/submit"))

    assert "<script>alert(1)" not in html
    assert _page(html).options["known-places"] == ['"><script>alert(1)</script>']


# --- the error summary ---------------------------------------------------------------


def test_refused_form_opens_on_a_summary_linking_each_error_to_its_field(client):
    response = client.post(
        "/submit",
        data=_form(
            title="",
            submitter_email="hanna@",
            start="2026-12-10T10:00",
            end="2026-12-10T09:00",
        ),
    )
    html = _text(response)
    page = _page(html)

    tag, summary = page.by_id["error-summary"]
    assert (tag, summary["tabindex"], "autofocus" in summary) == ("div", "-1", True)
    assert re.findall(r'<li><a href="#([a-z_]+)">([^<]*)</a></li>', html) == [
        ("title", "Title: This field is required."),
        ("end", "Ends: The end must be after the start."),
        (
            "submitter_email",
            "Your e-mail address: Enter a valid e-mail address, such as "
            "name@example.org.",
        ),
    ]
    assert re.search(r"<title>([^<]*)</title>", html).group(1) == (
        "Error: Propose an event – Vertskap"
    )
    assert html.count("autofocus") == 1


def test_form_page_without_errors_has_no_summary_and_nothing_autofocused(client):
    html = _text(client.get("/submit"))

    assert "error-summary" not in html
    assert "autofocus" not in html
    assert "<title>Propose an event – Vertskap</title>" in html


@pytest.mark.parametrize("app_settings", [{"DEFAULT_LOCALE": "nb"}], ids=["nb"])
def test_summary_title_and_length_error_are_in_norwegian(client):
    response = client.post("/submit", data=_form(title="x" * 201))
    html = _text(response)

    assert _error(html, "title") == "Bruk høyst 200 tegn; her er det 201."
    assert "<title>Feil: Foreslå et arrangement – Vertskap</title>" in html
    assert 'value="' + "x" * 201 + '"' in html  # kept whole, to shorten


def test_counter_words_are_given_to_the_script_in_the_page_language(client):
    html = _text(client.get("/submit"))
    page = _page(html)

    assert re.findall(r'data-(left|over)-(one|other)="([^"]*)"', html) == [
        ("left", "one", "You have {n} character left"),
        ("left", "other", "You have {n} characters left"),
        ("over", "one", "You have {n} character too many"),
        ("over", "other", "You have {n} characters too many"),
    ]
    assert page.by_id["char-count-status"][1]["aria-live"] == "polite"
    assert '<script defer src="/static/js/submission.js"></script>' in html


# --- the thanks page -----------------------------------------------------------------


def test_thanks_page_names_the_address_the_link_went_to_but_the_url_does_not(client):
    response = client.post("/submit", data=_form(submitter_email="Hanna@Example.org"))
    thanks = client.get(response.headers["Location"])
    html = _text(thanks)

    assert response.headers["Location"] == "/submit/thanks?outcome=unconfirmed"
    assert "Hanna@Example.org" not in response.headers["Location"]
    assert (
        "We have sent a link to <strong>Hanna@Example.org</strong> to confirm your "
        "address." in html
    )
    assert "Open the link in the mail within 48 hours." in html
    assert thanks.headers["Cache-Control"] == "no-store"


def test_thanks_page_without_a_proposal_in_the_session_names_no_address(client):
    html = _text(client.get("/submit/thanks?outcome=unconfirmed"))

    assert "We have e-mailed you a link to confirm your address." in html
    assert "<strong>" not in html


def test_opening_the_form_again_forgets_the_last_address(client):
    response = client.post("/submit", data=_form())
    client.get("/submit")

    html = _text(client.get(response.headers["Location"]))

    assert "hanna@example.org" not in html
    assert "We have e-mailed you a link to confirm your address." in html


def test_thanks_page_escapes_the_address(client):
    with client.session_transaction() as session:
        session["submission_sent"] = {"email": "<b>x</b>@example.org", "event_id": None}

    html = _text(client.get("/submit/thanks?outcome=unconfirmed"))

    assert "<strong>&lt;b&gt;x&lt;/b&gt;@example.org</strong>" in html


def test_trusted_member_thanks_page_links_the_published_event(
    client, login, create_user, create_organisation
):
    trusted = create_organisation("SINTEF", is_trusted=True)
    login(create_user("siri@sintef.no", organisation=trusted, locale="en"))

    response = client.post("/submit", data=_form(submitter_name="", submitter_email=""))
    html = _text(client.get(response.headers["Location"]))

    (submission,) = _submissions()
    assert "We have sent a receipt to <strong>siri@sintef.no</strong>." in html
    assert f'<a href="/events/{submission.event_id}">' in html


def test_honeypot_thanks_page_looks_like_a_real_one(client):
    response = client.post("/submit", data=_form(website="http://spam.example"))
    html = _text(client.get(response.headers["Location"]))

    assert "We have sent a link to <strong>hanna@example.org</strong>" in html
    assert _submissions() == []


# --- the per-address limit -----------------------------------------------------------


def _mails() -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) or 0


@pytest.mark.parametrize("app_settings", [LIMITED], ids=["limit_2_in_6h"])
def test_address_limit_counts_stored_proposals_only_and_keeps_what_was_typed(client):
    first = client.post("/submit", data=_form())
    typos = [client.post("/submit", data=_form(title="")).status_code for _ in range(5)]
    second = client.post(
        "/submit",
        data=_form(title="Second proposal", submitter_email="HANNA@example.org"),
    )
    third = client.post(
        "/submit", data=_form(title="Third proposal", description="Keep <this>")
    )
    html = _text(third)

    assert (first.status_code, typos, second.status_code) == (302, [200] * 5, 302)
    assert third.status_code == 200
    assert _error(html, "submitter_email") == (
        "We take at most 2 proposed events from one e-mail address in 6 hours, and "
        "this address has reached that. You can send this one from 26 Nov 2026, "
        "16:00; everything you typed is kept."
    )
    assert 'value="Third proposal"' in html
    assert "Keep &lt;this&gt;</textarea>" in html
    assert '<li><a href="#submitter_email">' in html
    assert [s.title for s in _submissions()] == [TITLE, "Second proposal"]
    assert _mails() == 2


@pytest.mark.parametrize("app_settings", [LIMITED], ids=["limit_2_in_6h"])
def test_address_limit_frees_a_place_when_the_oldest_proposal_leaves_the_window(
    client, time_machine
):
    client.post("/submit", data=_form())
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    client.post("/submit", data=_form(title="Second proposal"))

    time_machine.move_to(NOW + timedelta(hours=6, seconds=-1), tick=False)
    just_before = client.post("/submit", data=_form(title="Third proposal"))
    time_machine.move_to(NOW + timedelta(hours=6), tick=False)
    on_time = client.post("/submit", data=_form(title="Third proposal"))

    assert just_before.status_code == 200
    assert "You can send this one from 26 Nov 2026, 16:00;" in _text(just_before)
    assert on_time.status_code == 302
    assert len(_submissions()) == 3


@pytest.mark.parametrize("app_settings", [LIMITED], ids=["limit_2_in_6h"])
def test_address_limit_lets_a_resent_proposal_fold_and_spares_other_addresses(client):
    client.post("/submit", data=_form())
    client.post("/submit", data=_form(title="Second proposal"))

    resent = client.post("/submit", data=_form())
    other = client.post(
        "/submit",
        data=_form(title="Third proposal", submitter_email="hans@example.org"),
    )

    assert (resent.status_code, other.status_code) == (302, 302)
    assert len(_submissions()) == 3


@pytest.mark.parametrize("app_settings", [LIMITED], ids=["limit_2_in_6h"])
def test_address_limit_does_not_apply_to_members(client, login, create_user):
    login(create_user("mats@example.org", locale="en"))

    codes = [
        client.post(
            "/submit",
            data=_form(title=f"Proposal {n}", submitter_name="", submitter_email=""),
        ).status_code
        for n in range(3)
    ]

    assert codes == [302, 302, 302]


@pytest.mark.parametrize(
    "app_settings", [{**ENGLISH, "SUBMISSION_EMAIL_LIMIT": 0}], ids=["off"]
)
def test_address_limit_of_zero_is_off(client):
    codes = [
        client.post("/submit", data=_form(title=f"Proposal {n}")).status_code
        for n in range(12)
    ]

    assert codes == [302] * 12
