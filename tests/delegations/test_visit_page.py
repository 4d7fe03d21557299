"""A visit's page as the public, forum members and staff read it, in both languages.

Everyone who may see a visit sees the programme items they may see, each at
its own anchor, with times and places, and the programme's .ics; the staff
working facts (visibility, interpreter, host contact, budget, notes) are for
staff only; the calendar links a programme item to its anchor.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.auth.models import Role
from app.core.db import db
from app.core.visibility import Visibility
from app.directory.models import City, CityRelation, Official, Venue
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

#: Thursday 3 December 2026, 10:00 in Oslo.
ARRIVAL = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
ENGLISH = {"Accept-Language": "en"}
ROLES = ["anonymous", "member", "mayors_office"]
#: Programme items each role sees, by the items' visibility.
SEES = {
    "anonymous": ["Welcome at the City Hall"],
    "member": ["Welcome at the City Hall", "Forum lunch at NTNU"],
    "mayors_office": [
        "Welcome at the City Hall",
        "Forum lunch at NTNU",
        "Briefing with the mayor",
    ],
}
#: Staff working values the hosted visit holds; none may reach other readers.
STAFF_VALUES = ["Gifts: a book of Nidaros", "987 654", "Ada Host"]


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def as_role(create_user: Any, login: Any) -> Any:
    def _as(role: str, locale: str = "en") -> None:
        if role != "anonymous":
            login(create_user(role=Role(role), locale=locale))

    return _as


@pytest.fixture
def hamburg(
    create_delegation: Any, create_programme_item: Any, create_user: Any
) -> Any:
    """A public incoming visit from Hamburg with a public, a forum and an internal item."""
    host = create_user(role=Role.mayors_office, name="Ada Host")
    visit = create_delegation(
        "Delegation from Hamburg",
        arrival=ARRIVAL,
        city=City(
            name="Hamburg",
            country="DE",
            relation=CityRelation.friendship,
            friendship_category=1,
        ),
        visibility=Visibility.public,
        needs_interpreter=True,
        notes="Gifts: a book of Nidaros",
        budget_nok=987654,
        host_contact_id=host.id,
    )
    hall = Venue(name="Trondheim rådhus, Storsal", address="Munkegata 1, Trondheim")
    mayor = Official(name="Rita Ottervik", title="Ordfører")
    welcome = create_programme_item(
        "Welcome at the City Hall",
        delegation=visit,
        start=ARRIVAL + timedelta(hours=1),
        venue=hall,
        responsible_person="Kari Nordmann",
        description="Coffee and a short welcome.\nPhotos afterwards.",
    )
    welcome.officials = [mayor]
    create_programme_item(
        "Forum lunch at NTNU",
        delegation=visit,
        start=ARRIVAL + timedelta(hours=3),
        location="NTNU Gløshaugen",
        visibility=Visibility.forum,
    )
    create_programme_item(
        "Briefing with the mayor",
        delegation=visit,
        start=ARRIVAL + timedelta(days=1),
        visibility=Visibility.internal,
    )
    db.session.commit()
    return visit


def _html(client: Any, url: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(url, headers=headers or ENGLISH)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _items(html: str) -> dict[str, str]:
    """Return the programme items on the page: anchor id -> visible text."""
    return {
        anchor: _text(body)
        for anchor, body in re.findall(
            r'<li class="programme-item" id="(item-\d+)">(.*?)</li>', html, re.S
        )
    }


def _labels(html: str) -> list[str]:
    facts = re.search(r'<dl class="facts">(.*?)</dl>', html, re.S)
    assert facts is not None
    return [_text(label) for label in re.findall(r"<dt>(.*?)</dt>", facts[1])]


def _titles(items: dict[str, str], hamburg: Any) -> list[str]:
    ordered = sorted(hamburg.programme_items, key=lambda i: i.start_dt)
    return [item.title for item in ordered if f"item-{item.id}" in items]


@pytest.mark.parametrize("role", ROLES)
def test_each_reader_sees_the_programme_items_they_may_see(
    client: Any, hamburg: Any, as_role: Any, role: str
) -> None:
    as_role(role)

    html = _html(client, f"/visits/{hamburg.id}")
    items = _items(html)

    assert _titles(items, hamburg) == SEES[role]
    assert f'href="/visits/{hamburg.id}/programme.ics"' in html


def test_a_programme_item_shows_its_time_place_people_and_map(
    client: Any, hamburg: Any
) -> None:
    welcome = next(i for i in hamburg.programme_items if i.title.startswith("Welcome"))

    html = _html(client, f"/visits/{hamburg.id}")

    assert _items(html)[f"item-{welcome.id}"] == (
        "11:00–12:00 Welcome at the City Hall"
        " Place Trondheim rådhus, Storsal, Munkegata 1, Trondheim"
        " Show on a map (OpenStreetMap, another site)"
        " Responsible Kari Nordmann"
        " Officials attending Rita Ottervik (Ordfører)"
        " Coffee and a short welcome. Photos afterwards."
    )
    assert "https://www.openstreetmap.org/search?query=Trondheim%20r%C3%A5dhus" in html
    assert "Thursday, 3 December 2026" in _text(html)


@pytest.mark.parametrize(
    ("role", "language", "hidden"),
    [
        ("anonymous", "en", ["Visibility", "Needs an interpreter", "Host contact"]),
        ("member", "en", ["Visibility", "Needs an interpreter", "Budget (NOK)"]),
        (
            "anonymous",
            "nb",
            ["Synlighet", "Trenger tolk", "Kontaktperson hos vertskapet"],
        ),
        ("member", "nb", ["Synlighet", "Trenger tolk", "Budsjett (NOK)"]),
    ],
)
def test_staff_facts_never_reach_other_readers(
    client: Any,
    hamburg: Any,
    as_role: Any,
    role: str,
    language: str,
    hidden: list[str],
) -> None:
    as_role(role, language)

    html = _html(client, f"/visits/{hamburg.id}", {"Accept-Language": language})
    labels = _labels(html)

    assert [label for label in hidden if label in labels] == []
    assert [value for value in STAFF_VALUES if value in html] == []
    assert "badge--internal" not in html


def test_staff_see_every_fact_and_each_items_visibility(
    client: Any, hamburg: Any, as_role: Any
) -> None:
    as_role("admin")

    html = _html(client, f"/visits/{hamburg.id}")
    labels = _labels(html)

    assert labels[-6:] == [
        "Needs an interpreter",
        "Visibility",
        "Host contact",
        "Who pays for what",
        "Budget (NOK)",
        "Notes",
    ]
    assert [value for value in STAFF_VALUES if value in html] == STAFF_VALUES
    assert html.count('<span class="badge badge--forum">Forum</span>') == 1
    assert html.count('<span class="badge badge--internal">Internal') == 1


@pytest.mark.parametrize(
    ("language", "lead"),
    [
        ("en", "In Trondheim, Norway. From Hamburg, Germany."),
        ("nb", "I Trondheim, Norge. Fra Hamburg, Tyskland."),
    ],
)
def test_an_incoming_visit_takes_place_here_and_comes_from_its_city(
    client: Any, hamburg: Any, language: str, lead: str
) -> None:
    html = _html(client, f"/visits/{hamburg.id}", {"Accept-Language": language})

    found = re.search(r'<p class="visit-lead">(.*?)</p>', html, re.S)

    assert found is not None
    assert _text(found[1]) == lead


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_a_visit_hidden_from_the_reader_is_not_found(
    client: Any, create_delegation: Any, as_role: Any, role: str
) -> None:
    internal = create_delegation("Secret ministerial", visibility=Visibility.internal)
    forum = create_delegation("Forum study trip", visibility=Visibility.forum)
    as_role(role)

    codes = [
        client.get(f"/visits/{internal.id}").status_code,
        client.get(f"/visits/{forum.id}").status_code,
    ]

    assert codes == [404, 404 if role == "anonymous" else 200]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_programme_item_in_the_calendar_links_to_its_anchor(
    client: Any, hamburg: Any, language: str
) -> None:
    welcome = next(i for i in hamburg.programme_items if i.title.startswith("Welcome"))
    headers = {"Accept-Language": language}

    listing = _html(
        client, "/calendar?view=list&date=2026-12-03&kind=programme", headers
    )
    [href] = re.findall(r'<a href="([^"]*)">Welcome at the City Hall</a>', listing)
    entries = client.get(
        "/calendar/entries.json?start=2026-12-01&end=2026-12-08&kind=programme"
    ).json
    target = _html(client, urlsplit(href).path, headers)

    assert href == f"/visits/{hamburg.id}#item-{welcome.id}"
    assert [entry["url"] for entry in entries] == [href]
    assert f'id="item-{welcome.id}"' in target


@pytest.mark.parametrize(
    ("language", "description"),
    [
        (
            "en",
            "3 Dec 2026 – 5 Dec 2026 in Trondheim, Norway: a delegation from Hamburg,"
            " Germany, and the programme of its visit.",
        ),
        (
            "nb",
            "3. des. 2026 – 5. des. 2026 i Trondheim, Norge: en delegasjon fra Hamburg,"
            " Tyskland og programmet for besøket.",
        ),
    ],
)
def test_visit_page_describes_itself_for_search_engines(
    client: Any, hamburg: Any, language: str, description: str
) -> None:
    html = _html(client, f"/visits/{hamburg.id}", {"Accept-Language": language})

    meta = re.search(r'<meta name="description" content="([^"]*)">', html)
    canonical = re.search(r'<link rel="canonical" href="([^"]*)">', html)

    assert meta is not None
    assert canonical is not None
    assert (unescape(meta[1]), canonical[1]) == (
        description,
        f"http://vertskap.test/visits/{hamburg.id}",
    )
