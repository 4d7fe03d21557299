"""An incoming visit takes place in the host city; where it comes from is told in words.

The calendar list and its JSON, the public feed, the read API and the visit
page agree: an incoming delegation from Hamburg is in Trondheim (HOST_CITY),
"from Hamburg, Germany"; an outgoing visit to Mumbai is in Mumbai.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any

import icalendar
import pytest

from app.delegations.models import Direction
from app.directory.models import City, CityRelation
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ARRIVAL = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def visits(create_delegation: Any) -> dict[str, Any]:
    """An incoming visit from Hamburg and an outgoing one to Mumbai, both public."""
    hamburg = City(
        name="Hamburg",
        country="DE",
        relation=CityRelation.friendship,
        friendship_category=1,
    )
    mumbai = City(name="Mumbai", country="IN", relation=CityRelation.partner)
    return {
        "incoming": create_delegation(
            "Delegation from Hamburg", arrival=ARRIVAL, city=hamburg, country="DE"
        ),
        "outgoing": create_delegation(
            "Trip to Mumbai",
            arrival=ARRIVAL,
            city=mumbai,
            country="IN",
            direction=Direction.outgoing,
            timezone="Asia/Kolkata",
        ),
    }


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _meta_lines(html: str) -> dict[str, str]:
    """Return each visit entry's meta line of a calendar list page, by title."""
    found = re.findall(
        r'<li class="entry entry--visit">.*?<a href="[^"]*">(.*?)</a>.*?'
        r'<p class="entry__meta">(.*?)</p>',
        html,
        re.S,
    )
    return {_text(title): _text(meta) for title, meta in found}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "Delegation from Hamburg": "Delegation visit Trondheim From Hamburg, Germany",
                "Trip to Mumbai": "Delegation visit Mumbai",
            },
        ),
        (
            "nb",
            {
                "Delegation from Hamburg": "Delegasjonsbesøk Trondheim Fra Hamburg, Tyskland",
                "Trip to Mumbai": "Delegasjonsbesøk Mumbai",
            },
        ),
    ],
)
def test_calendar_list_places_a_visit_where_it_happens(
    client: Any, visits: dict[str, Any], language: str, expected: dict[str, str]
) -> None:
    html = client.get(
        "/calendar?view=list&date=2026-12-03&kind=visit",
        headers={"Accept-Language": language},
    ).get_data(as_text=True)

    assert _meta_lines(html) == expected


def test_calendar_json_places_a_visit_where_it_happens(
    client: Any, visits: dict[str, Any]
) -> None:
    entries = client.get(
        "/calendar/entries.json?start=2026-12-01&end=2026-12-08&kind=visit"
    ).json

    assert {e["title"]: e["extendedProps"]["location"] for e in entries} == {
        "Delegation from Hamburg": "Trondheim",
        "Trip to Mumbai": "Mumbai",
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "Delegation from Hamburg": (
                    "Trondheim, Norway",
                    "From Hamburg, Germany",
                ),
                "Trip to Mumbai": ("Mumbai, India", ""),
            },
        ),
        (
            "nb",
            {
                "Delegation from Hamburg": (
                    "Trondheim, Norge",
                    "Fra Hamburg, Tyskland",
                ),
                "Trip to Mumbai": ("Mumbai, India", ""),
            },
        ),
    ],
)
def test_feed_places_a_visit_where_it_happens_and_says_where_it_comes_from(
    client: Any, visits: dict[str, Any], language: str, expected: dict[str, Any]
) -> None:
    body = client.get(f"/feeds/public.ics?lang={language}").data

    found = {
        str(event["SUMMARY"]): (
            str(event.get("LOCATION", "")),
            str(event.get("DESCRIPTION", "")),
        )
        for event in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }

    assert found == expected


def test_api_places_a_visit_where_it_happens_and_keeps_its_own_city(
    client: Any, visits: dict[str, Any]
) -> None:
    incoming = client.get(f"/api/v1/visits/{visits['incoming'].id}").json["data"]
    outgoing = client.get(f"/api/v1/visits/{visits['outgoing'].id}").json["data"]

    assert (incoming["location"], incoming["city"]["name"], incoming["country"]) == (
        "Trondheim",
        "Hamburg",
        "DE",
    )
    assert (outgoing["location"], outgoing["city"]["name"]) == ("Mumbai", "Mumbai")


class TestAnotherHostCity:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {"HOST_CITY": "Darmstadt", "HOST_COUNTRY": "DE"}

    def test_the_host_city_is_a_setting(
        self, client: Any, visits: dict[str, Any]
    ) -> None:
        body = client.get("/feeds/public.ics?lang=en").data
        page = client.get(
            f"/visits/{visits['incoming'].id}", headers={"Accept-Language": "en"}
        ).get_data(as_text=True)

        locations = {
            str(event["SUMMARY"]): str(event["LOCATION"])
            for event in icalendar.Calendar.from_ical(body).walk("VEVENT")
        }
        lead = re.search(r'<p class="visit-lead">(.*?)</p>', page, re.S)

        assert locations["Delegation from Hamburg"] == "Darmstadt, Germany"
        assert lead is not None
        assert _text(lead[1]) == "In Darmstadt, Germany. From Hamburg, Germany."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Place Trondheim, Norway From Hamburg, Germany"),
        ("nb", "Sted Trondheim, Norge Fra Hamburg, Tyskland"),
    ],
)
def test_printable_programme_places_an_incoming_visit_here(
    client: Any, visits: dict[str, Any], language: str, expected: str
) -> None:
    html = client.get(
        f"/visits/{visits['incoming'].id}/programme/print?lang={language}"
    ).get_data(as_text=True)
    outgoing = client.get(
        f"/visits/{visits['outgoing'].id}/programme/print?lang=en"
    ).get_data(as_text=True)

    assert expected in _text(html)
    assert "Place Mumbai, India Times" in _text(outgoing)
