"""The event page as a visitor uses it: the way back, add-to-calendar and map links, its facts.

Each role (anonymous, member, staff) in both languages where the page differs;
the links are read back with urllib, the schema.org data with json.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.auth.models import Role
from app.calendar.models import EventStatus
from app.core.visibility import Visibility
from app.directory.models import Initiative, Theme
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ENGLISH = {"Accept-Language": "en"}
NORWEGIAN = {"Accept-Language": "nb"}
#: Tuesday 1 December 2026, 09:00-11:00 in Oslo (UTC+1).
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def as_role(create_user: Any, login: Any) -> Any:
    """Log in as a new user of `role` (nothing for anonymous)."""

    def _as(role: str, locale: str = "en") -> None:
        if role != "anonymous":
            login(create_user(role=Role(role), locale=locale))

    return _as


def _html(client: Any, url: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(url, headers=headers or ENGLISH)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _labels(html: str) -> list[str]:
    """Return the labels of the event's facts, in order."""
    facts = re.search(r'<dl class="facts">(.*?)</dl>', html, re.S)
    assert facts is not None
    return [_text(label) for label in re.findall(r"<dt>(.*?)</dt>", facts[1], re.S)]


def _href(html: str, text: str) -> str:
    """Return the target of the link whose text starts with `text`."""
    for href, inner in re.findall(
        r'<a [^>]*?href="([^"]*)"[^>]*>(.*?)</a>', html, re.S
    ):
        if _text(inner).startswith(text):
            return unescape(href)
    raise AssertionError(f"no link {text!r}")


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _json_ld(html: str) -> Any:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    return json.loads(block[1])


def _meta(html: str) -> tuple[str, str]:
    """Return the page's meta description and its canonical address."""
    description = re.search(r'<meta name="description" content="([^"]*)">', html)
    canonical = re.search(r'<link rel="canonical" href="([^"]*)">', html)
    assert description is not None
    assert canonical is not None
    return unescape(description[1]), unescape(canonical[1])


# ---- the way back -------------------------------------------------------------


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        (
            "/calendar?view=list&date=2026-12-01&kind=event",
            "/calendar?view=list&date=2026-12-01&kind=event",
        ),
        ("/upcoming?page=2", "/upcoming?page=2"),
        # Parameters the calendar does not know are dropped.
        ("/calendar?view=week&utm=x&next=//evil.example", "/calendar?view=week"),
        ("https://evil.example/calendar", "/calendar"),
        ("//evil.example/calendar", "/calendar"),
        ("/\\evil.example/calendar", "/calendar"),
        ("/admin/submissions", "/calendar"),
        ("/calendar/../admin/submissions", "/calendar"),
        ("javascript:alert(1)", "/calendar"),
        ("", "/calendar"),
    ],
    ids=[
        "calendar",
        "upcoming",
        "unknown_keys",
        "other_site",
        "scheme_relative",
        "backslash",
        "not_the_calendar",
        "dot_segments",
        "script",
        "empty",
    ],
)
def test_back_link_leads_only_to_our_calendar(
    client: Any, create_event: Any, back: str, expected: str
) -> None:
    event = create_event(start=START)

    html = client.get(
        f"/events/{event.id}", query_string={"back": back}, headers=ENGLISH
    ).get_data(as_text=True)

    assert _href(html, "← Back to the calendar") == expected


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        (
            "http://localhost/calendar?view=week&date=2026-12-07&theme=energy",
            "/calendar?view=week&date=2026-12-07&theme=energy",
        ),
        ("http://evil.example/calendar?view=week", "/calendar"),
        ("http://localhost/subscribe", "/calendar"),
    ],
    ids=["our_calendar", "other_host", "other_page"],
)
def test_back_link_uses_the_referer_only_when_it_is_our_calendar(
    client: Any, create_event: Any, referrer: str, expected: str
) -> None:
    event = create_event(start=START)

    html = client.get(
        f"/events/{event.id}", headers={**ENGLISH, "Referer": referrer}
    ).get_data(as_text=True)

    assert _href(html, "← Back to the calendar") == expected


@pytest.mark.parametrize("language", ["nb", "en"])
def test_calendar_list_links_carry_the_way_back_to_the_same_view(
    client: Any, create_event: Any, language: str
) -> None:
    event = create_event("Forum breakfast", start=START)
    calendar = "/calendar?view=list&date=2026-12-01&kind=event"

    listing = _html(client, calendar, {"Accept-Language": language})
    link = _href(listing, "Forum breakfast")
    page = _html(client, link, {"Accept-Language": language})
    label = {"nb": "← Tilbake til kalenderen", "en": "← Back to the calendar"}

    assert urlsplit(link).path == f"/events/{event.id}"
    assert _href(page, label[language]) == calendar


# ---- add to calendar, map -----------------------------------------------------


def test_timed_event_links_add_it_in_utc(client: Any, create_event: Any) -> None:
    event = create_event(
        "Forum & friends: Q&A",
        start=START,
        location="Trondheim rådhus, Munkegata 1",
        description="We meet **early**. Coffee from 08:30.",
    )

    html = _html(client, f"/events/{event.id}")
    google = _href(html, "Add to Google Calendar")
    outlook = _href(html, "Add to Outlook on the web")
    page = f"http://vertskap.test/events/{event.id}"

    assert google.startswith("https://calendar.google.com/calendar/render?")
    assert _query(google) == {
        "action": "TEMPLATE",
        "text": "Forum & friends: Q&A",
        "dates": "20261201T080000Z/20261201T100000Z",
        "ctz": "Europe/Oslo",
        "details": f"We meet early. Coffee from 08:30.\n\n{page}",
        "location": "Trondheim rådhus, Munkegata 1",
    }
    assert outlook.startswith("https://outlook.office.com/calendar/0/deeplink/compose?")
    assert _query(outlook) == {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": "Forum & friends: Q&A",
        "startdt": "2026-12-01T08:00:00Z",
        "enddt": "2026-12-01T10:00:00Z",
        "allday": "false",
        "body": f"We meet early. Coffee from 08:30.\n\n{page}",
        "location": "Trondheim rådhus, Munkegata 1",
    }
    # Spaces are %20: Outlook would show a "+" as it is.
    assert "+" not in outlook
    assert _href(html, "Download .ics") == f"/events/{event.id}.ics"


def test_all_day_event_links_give_days_with_an_exclusive_end(
    client: Any, create_event: Any
) -> None:
    # Aqua Nor, 16-19 August 2027: local midnight to the midnight after the last day.
    start = datetime(2027, 8, 15, 22, 0, tzinfo=UTC)
    event = create_event("Aqua Nor", start=start, hours=4 * 24, is_all_day=True)

    html = _html(client, f"/events/{event.id}")
    google = _query(_href(html, "Add to Google Calendar"))
    outlook = _query(_href(html, "Add to Outlook on the web"))

    assert (google["dates"], "ctz" in google) == ("20270816/20270820", False)
    assert (outlook["startdt"], outlook["enddt"], outlook["allday"]) == (
        "2027-08-16",
        "2027-08-20",
        "true",
    )


def test_place_has_a_map_link_and_no_place_no_row(
    client: Any, create_event: Any
) -> None:
    placed = create_event(start=START, location="Kongens gate 1, Trondheim")
    nowhere = create_event(start=START)

    placed_html = _html(client, f"/events/{placed.id}")
    nowhere_html = _html(client, f"/events/{nowhere.id}")

    assert _href(placed_html, "Show on a map") == (
        "https://www.openstreetmap.org/search?query=Kongens%20gate%201%2C%20Trondheim"
    )
    assert "Show on a map" not in nowhere_html
    assert "Location" not in _labels(nowhere_html)


# ---- facts: no empty rows, no internal labels ---------------------------------


@pytest.mark.parametrize(
    ("role", "language", "expected"),
    [
        ("anonymous", "en", ["When"]),
        ("member", "en", ["When"]),
        ("mayors_office", "en", ["When", "Visibility"]),
        ("anonymous", "nb", ["Når"]),
        ("member", "nb", ["Når"]),
        ("admin", "nb", ["Når", "Synlighet"]),
    ],
)
def test_event_page_leaves_out_empty_rows_and_staff_labels(
    client: Any,
    create_event: Any,
    as_role: Any,
    role: str,
    language: str,
    expected: list[str],
) -> None:
    event = create_event(start=START, visibility=Visibility.public)
    as_role(role, language)

    html = _html(client, f"/events/{event.id}", {"Accept-Language": language})

    assert _labels(html) == expected
    assert "<dd>–</dd>" not in html


@pytest.mark.parametrize("role", ["anonymous", "member", "admin"])
def test_event_page_shows_every_fact_it_has(
    client: Any, create_event: Any, create_organisation: Any, as_role: Any, role: str
) -> None:
    sintef = create_organisation(
        "SINTEF", name="SINTEF", website="https://www.sintef.no/"
    )
    theme = Theme(slug="energy", name_nb="Energi", name_en="Energy")
    initiative = Initiative(
        slug="india-2011", title="India 2011", programme_period="2011-2012"
    )
    event = create_event(
        "Energy seminar",
        start=START,
        location="SINTEF, Strindvegen 4",
        organiser_id=sintef.id,
        url="https://www.sintef.no/arrangement/",
        themes=[theme],
        initiative=initiative,
        description="Talks on **offshore wind**.",
    )
    as_role(role)

    html = _html(client, f"/events/{event.id}")
    staff = ["Visibility"] if role == "admin" else []

    assert _labels(html) == [
        "When",
        "Location",
        "Organiser",
        "Initiative",
        "Themes",
        "Web address",
        *staff,
    ]
    assert _href(html, "SINTEF") == "https://www.sintef.no/"
    assert "<strong>offshore wind</strong>" in html


# ---- schema.org ---------------------------------------------------------------


def test_json_ld_describes_the_event_with_offsets_place_and_organiser(
    client: Any, create_event: Any, create_organisation: Any
) -> None:
    ntnu = create_organisation("NTNU", name="NTNU", website="https://www.ntnu.no/")
    event = create_event(
        "Nordic day",
        start=START,
        location="Trondheim rådhus",
        organiser_id=ntnu.id,
        description="Nordens dag. With music.",
    )

    [data] = _json_ld(_html(client, f"/events/{event.id}"))

    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "Nordic day",
        "url": f"http://vertskap.test/events/{event.id}",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "description": "Nordens dag. With music.",
        "location": {
            "@type": "Place",
            "name": "Trondheim rådhus",
            "address": "Trondheim rådhus",
        },
        "organizer": {
            "@type": "Organization",
            "name": "NTNU",
            "url": "https://www.ntnu.no/",
        },
        "startDate": "2026-12-01T09:00+01:00",
        "endDate": "2026-12-01T11:00+01:00",
    }


def test_json_ld_of_a_cancelled_all_day_event(client: Any, create_event: Any) -> None:
    start = datetime(2027, 8, 15, 22, 0, tzinfo=UTC)
    event = create_event(
        "Aqua Nor", start=start, hours=96, is_all_day=True, status=EventStatus.cancelled
    )

    [data] = _json_ld(_html(client, f"/events/{event.id}"))

    assert (data["eventStatus"], data["startDate"], data["endDate"]) == (
        "https://schema.org/EventCancelled",
        "2027-08-16",
        "2027-08-19",
    )
    assert ("location" in data, "organizer" in data) == (False, False)


def test_json_ld_cannot_be_closed_by_a_title(client: Any, create_event: Any) -> None:
    title = "</script><script>alert(1)</script>"
    event = create_event(title, start=START, location="<b>Hall</b>")

    html = _html(client, f"/events/{event.id}")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)

    assert block is not None
    assert "<" not in block[1]
    assert json.loads(block[1])[0]["name"] == title


# ---- recurring events ---------------------------------------------------------


@pytest.fixture
def weekly(create_event: Any) -> Any:
    """A Tuesday meeting at 09:00 in Oslo from 13 October 2026; 1 December cancelled."""
    return create_event(
        "Working group",
        start=datetime(2026, 10, 13, 7, 0, tzinfo=UTC),
        hours=1,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        exdates="2026-12-01T09:00",
    )


def test_calendar_links_a_date_of_a_series_to_that_date(
    client: Any, weekly: Any
) -> None:
    listing = _html(client, "/calendar?view=list&date=2026-12-01")
    links = [
        unescape(href)
        for href in re.findall(r'<a href="([^"]*)">Working group</a>', listing)
    ]

    assert [_query(link)["occurrence"] for link in links] == [
        "2026-12-08T09:00",
        "2026-12-15T09:00",
        "2026-12-22T09:00",
        "2026-12-29T09:00",
    ]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_chosen_date_is_shown_added_and_described(
    client: Any, weekly: Any, language: str
) -> None:
    html = _html(
        client,
        f"/events/{weekly.id}?occurrence=2026-12-15T09:00",
        {"Accept-Language": language},
    )
    add = {"nb": "Legg til i Google Kalender", "en": "Add to Google Calendar"}
    when = {"nb": "15. des. 2026, 09:00–10:00", "en": "15 Dec 2026, 09:00–10:00"}

    assert when[language] in _text(html)
    assert _query(_href(html, add[language]))["dates"] == (
        "20261215T080000Z/20261215T090000Z"
    )
    assert [item["startDate"] for item in _json_ld(html)] == ["2026-12-15T09:00+01:00"]
    assert 'class="occurrence--chosen" aria-current="date"' in html


def test_without_a_chosen_date_the_next_dates_are_listed_and_described(
    client: Any, weekly: Any
) -> None:
    html = _html(client, f"/events/{weekly.id}")

    # NOW is Thursday 26 November 2026; 1 December is cancelled.
    assert [item["startDate"] for item in _json_ld(html)][:3] == [
        "2026-12-08T09:00+01:00",
        "2026-12-15T09:00+01:00",
        "2026-12-22T09:00+01:00",
    ]
    assert "Google Calendar and Outlook add one date, 8 Dec 2026, 09:00" in _text(html)
    assert _href(html, "8 Dec 2026, 09:00") == (
        f"/events/{weekly.id}?occurrence=2026-12-08T09:00"
    )


def test_a_cancelled_date_says_so_and_a_date_of_no_occurrence_is_ignored(
    client: Any, weekly: Any
) -> None:
    cancelled = _text(_html(client, f"/events/{weekly.id}?occurrence=2026-12-01T09:00"))
    wrong = client.get(
        f"/events/{weekly.id}?occurrence=2026-12-02T09:00", headers=ENGLISH
    )
    nonsense = client.get(f"/events/{weekly.id}?occurrence=%00x", headers=ENGLISH)

    assert "The meeting on 1 Dec 2026, 09:00 is cancelled." in cancelled
    assert (wrong.status_code, nonsense.status_code) == (200, 200)
    assert "is cancelled" not in _text(wrong.get_data(as_text=True))


# ---- description and canonical address ----------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1 Dec 2026, 09:00–11:00 – Talks on offshore wind in the North Sea."),
        ("nb", "1. des. 2026, 09:00–11:00 – Talks on offshore wind in the North Sea."),
    ],
)
def test_event_description_is_its_date_and_first_sentence(
    client: Any, create_event: Any, language: str, expected: str
) -> None:
    event = create_event(
        start=START,
        description="Talks on **offshore wind** in the North Sea. Lunch is served.",
    )

    description, canonical = _meta(
        _html(
            client,
            f"/events/{event.id}?back=/calendar%3Fview%3Dlist",
            {"Accept-Language": language},
        )
    )

    assert (description, canonical) == (
        expected,
        f"http://vertskap.test/events/{event.id}",
    )


def test_long_first_sentence_is_cut_at_a_word(client: Any, create_event: Any) -> None:
    event = create_event(
        start=START, status=EventStatus.cancelled, description="word " * 80
    )

    description, _canonical = _meta(_html(client, f"/events/{event.id}"))

    assert len(description) <= 160
    assert description.startswith(
        "This event is cancelled. 1 Dec 2026, 09:00–11:00 – word word"
    )
    assert description.endswith("word …")
