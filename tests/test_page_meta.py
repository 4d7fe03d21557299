"""Public pages describe themselves for search engines and name their canonical address.

Each public page has its own meta description in the reader's language, and a
canonical link built from PUBLIC_BASE_URL with the page's path and no query,
so a calendar view or a link carrying a way back counts as the page it is.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from app.core.db import db
from app.directory.models import Initiative
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

BASE = "http://vertskap.test"
#: Path asked for -> canonical path, and the start of its description by language.
PAGES = {
    "/": (
        "/",
        "What is coming up in the International Forum's shared calendar",
        "Dette skjer i Internasjonalt forums felles kalender",
    ),
    "/calendar?view=list&date=2026-12-03&kind=event": (
        "/calendar",
        "December 2026 in the International Forum's shared calendar",
        "Desember 2026 i Internasjonalt forums felles kalender",
    ),
    "/subscribe": (
        "/subscribe",
        "Subscribe to the International Forum's calendar",
        "Abonner på Internasjonalt forums kalender",
    ),
    "/submit": (
        "/submit",
        "Propose an event for the International Forum's shared calendar",
        "Foreslå et arrangement til Internasjonalt forums felles kalender",
    ),
    "/action-programme/": (
        "/action-programme/",
        "The city's international action programmes",
        "Byens internasjonale handlingsprogrammer",
    ),
    "/action-programme/2011-2012": (
        "/action-programme/2011-2012",
        "The international action programme 2011-2012",
        "Det internasjonale handlingsprogrammet 2011-2012",
    ),
    f"/reports/annual/{NOW.year}": (
        f"/reports/annual/{NOW.year}",
        f"Annual report {NOW.year}: incoming and outgoing delegation visits",
        f"Årsrapport {NOW.year}: innkommende og utgående delegasjonsbesøk",
    ),
    "/login?next=/visits/": (
        "/login",
        "Log in to Vertskap",
        "Logg inn i Vertskap",
    ),
}


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def programme(app: Any) -> None:
    db.session.add(
        Initiative(slug="india-2011", title="India 2011", programme_period="2011-2012")
    )
    db.session.commit()


def _meta(html: str) -> tuple[str, str | None]:
    description = re.search(r'<meta name="description" content="([^"]*)">', html)
    canonical = re.search(r'<link rel="canonical" href="([^"]*)">', html)
    assert description is not None
    return unescape(description[1]), unescape(canonical[1]) if canonical else None


@pytest.mark.parametrize("language", ["en", "nb"])
@pytest.mark.parametrize("path", list(PAGES))
def test_public_page_has_its_own_description_and_canonical_link(
    client: Any, programme: None, path: str, language: str
) -> None:
    canonical_path, english, norwegian = PAGES[path]

    response = client.get(path, headers={"Accept-Language": language})
    description, canonical = _meta(response.get_data(as_text=True))

    assert response.status_code == 200
    assert description.startswith(english if language == "en" else norwegian)
    assert len(description) <= 160
    assert canonical == BASE + canonical_path


def test_descriptions_differ_from_page_to_page(client: Any, programme: None) -> None:
    descriptions = [_meta(client.get(path).get_data(as_text=True))[0] for path in PAGES]

    assert len(set(descriptions)) == len(PAGES)


def test_a_page_without_its_own_text_has_the_default_description(
    client: Any,
) -> None:
    html = client.get("/upcoming", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )

    assert _meta(html) == (
        "The shared calendar of the International Forum and the city's international"
        " office: events, delegation visits and their programmes.",
        f"{BASE}/upcoming",
    )


def test_a_page_no_route_answered_names_no_canonical_address(client: Any) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})

    assert response.status_code == 404
    assert _meta(response.get_data(as_text=True))[1] is None
