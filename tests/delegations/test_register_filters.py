"""A register filter value the filter does not know is an error in words, never every visit.

The register page and its exports read one query string (app.delegations.filters).
An empty value means "any", as the page's own menus send it; anything else must
name a direction, status, year, country, level, initiative or host that exists.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from app.auth.models import Role

pytestmark = pytest.mark.integration

#: A refused query string -> the sentence the reader is given (English).
REFUSED = {
    "direction=sideways": "“direction=sideways” is not a value this filter knows: "
    "use incoming, outgoing.",
    "status=maybe": "“status=maybe” is not a value this filter knows: use enquiry, "
    "tentative, confirmed, completed, cancelled.",
    "level=royal": "“level=royal” is not a value this filter knows: use state, "
    "ministerial, ambassador, mayoral, professional, business, academic, youth.",
    "year=abc": "“year=abc” is not a year: give four digits, such as 2027.",
    "year=99999": "“year=99999” is not a year: give four digits, such as 2027.",
    "year=1066": "“year=1066” is not a year: give four digits, such as 2027.",
    "year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96": "“year=\uff12\uff10\uff12\uff16” is not a "
    "year: give "
    "four digits, such as 2027.",
    "country=XX": "No country has the code in “country=XX”: give its two-letter "
    "code, such as NO or DE.",
    "country=Norway": "No country has the code in “country=Norway”: give its "
    "two-letter code, such as NO or DE.",
    "country=EU": "No country has the code in “country=EU”: give its two-letter "
    "code, such as NO or DE.",
    "direction=incoming&level=%20": "“level= ” is not a value this filter knows: "
    "use state, ministerial, ambassador, mayoral, professional, business, academic, "
    "youth.",
}

SURFACES = ["/visits/", "/visits/export.csv", "/visits/export.xlsx"]


@pytest.fixture
def staff(client: Any, create_user: Any, login: Any, create_delegation: Any) -> Any:
    """A visit in the register, and a member of the mayor's office who reads English."""
    create_delegation("Hamburg harbour", country="DE")
    return login(create_user(role=Role.mayors_office, locale="en"))


def _message(response: Any) -> str:
    """Return the error page's sentence (its first paragraph, after the heading)."""
    found = re.search(r"</h1>\s*<p>(.*?)</p>", response.text, re.S)
    assert found, response.text
    return html.unescape(found.group(1)).strip()


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("query", list(REFUSED))
def test_an_unknown_filter_value_is_refused_in_words(client, staff, surface, query):
    response = client.get(f"{surface}?{query}")

    assert response.status_code == 400
    assert response.content_type.startswith("text/html")
    assert _message(response) == REFUSED[query]
    assert "Hamburg harbour" not in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "status=maybe",
            "“status=maybe” is not a value this filter knows: use open, "
            "in_progress, done, dropped.",
        ),
        ("year=20266", "“year=20266” is not a year: give four digits, such as 2027."),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_follow_up_export_refuses_an_unknown_status_or_year(
    client, staff, query, message, fmt
):
    response = client.get(f"/visits/follow-ups.{fmt}?{query}")

    assert response.status_code == 400
    assert _message(response) == message


def test_the_refusal_speaks_the_readers_language(
    client, create_user, login, create_delegation
):
    create_delegation("Hamburg harbour", country="DE")
    login(create_user(role=Role.mayors_office, locale="nb"))

    response = client.get("/visits/?country=XX&direction=inn")

    assert response.status_code == 400
    assert _message(response) in {
        "«direction=inn» er ikke en verdi dette filteret kjenner: bruk incoming, "
        "outgoing.",
        "Ingen land har koden i «country=XX»: oppgi landets kode på to bokstaver, "
        "for eksempel NO eller DE.",
    }


@pytest.mark.parametrize(
    "query",
    [
        "direction=&status=&year=&country=&level=&initiative=&host=",
        "country=de",
        "country=%20DE%20",
        "year=%202026",
    ],
)
def test_empty_means_any_and_codes_are_read_as_people_type_them(client, staff, query):
    response = client.get(f"/visits/?{query}")

    assert response.status_code == 200
    assert "Hamburg harbour" in response.text
