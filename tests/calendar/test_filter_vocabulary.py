"""One filter vocabulary on every surface: calendar, exports, feeds, API and widget.

`initiative`, `organisation`, `theme` and `kind` name things by id or by slug
(an organisation by its short name), each repeatable: any value of one
parameter, all of the parameters. A value that names nothing is an error in
words on every surface, never the whole calendar.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import icalendar
import pytest
from flask import Flask, request

from app.auth.models import Role
from app.core.db import db
from app.core.visibility import Visibility
from app.directory.models import Initiative, Theme
from app.feeds.tokens import create_feed_token
from tests.calendar.pages import shown_titles
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ENGLISH = {"Accept-Language": "en"}
PUBLIC = "/feeds/public.ics"


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def directory(
    create_event: Callable[..., Any], create_organisation: Callable[..., Any]
) -> dict[str, Any]:
    """Three public events early in December 2026: two tied to the directory, one loose."""
    ntnu = create_organisation("NTNU")
    visit_trondheim = create_organisation("Visit Trondheim")
    india = Initiative(
        slug="india-2011", title="India 2011", programme_period="2011-2012"
    )
    hamburg = Initiative(slug="hamburg", title="Hamburg", programme_period="2011-2012")
    energy = Theme(slug="energi", name_nb="Energi", name_en="Energy")
    climate = Theme(slug="klima", name_nb="Klima", name_en="Climate")
    db.session.add_all([india, hamburg, energy, climate])
    db.session.commit()
    create_event(
        "India energy",
        start=NOW + timedelta(days=7),
        organiser=ntnu,
        initiative_id=india.id,
        themes=[energy],
    )
    create_event(
        "Hamburg climate",
        start=NOW + timedelta(days=8),
        organiser=visit_trondheim,
        initiative_id=hamburg.id,
        themes=[climate],
    )
    create_event("Loose", start=NOW + timedelta(days=9))
    return {"india": india.id, "hamburg": hamburg.id, "ntnu": ntnu.id}


@pytest.fixture
def private_feed(create_user: Callable[..., Any]) -> str:
    """Return the path of an English-speaking member's private feed."""
    member = create_user(role=Role.member, locale="en")
    _token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    return f"/feeds/{raw}.ics"


# ---- each surface, read back as the titles it lists -------------------------------


def _calendar(client: Any, query: str) -> Any:
    return client.get(f"/calendar?view=list&date=2026-12-01&{query}", headers=ENGLISH)


def _export(client: Any, query: str) -> Any:
    return client.get(
        f"/calendar/export.csv?from=2026-11-26&to=2026-12-31&{query}", headers=ENGLISH
    )


def _feed(client: Any, query: str) -> Any:
    return client.get(f"{PUBLIC}?{query}", headers=ENGLISH)


def _api(client: Any, query: str) -> Any:
    return client.get(
        f"/api/v1/events?from=2026-11-26&to=2026-12-31&{query}", headers=ENGLISH
    )


def _widget(client: Any, query: str) -> Any:
    return client.get(f"/widget/upcoming?lang=en&limit=20&{query}")


def _titles(surface: str, response: Any) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_data(as_text=True)
    if surface == "calendar":
        titles = shown_titles(body)
    elif surface == "export":
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        titles = [row[rows[0].index("Title")] for row in rows[1:]]
    elif surface in {"feed", "private feed"}:
        calendar = icalendar.Calendar.from_ical(response.get_data())
        titles = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    elif surface == "api":
        titles = [item["title"] for item in response.get_json()["data"]]
    else:
        # A title not in the widget's language sits in a <span lang="...">.
        links = re.findall(r'class="widget__link"[^>]*>(.*?)</a>', body)
        titles = [re.sub(r"<[^>]*>", "", link) for link in links]
    return sorted(titles)


SURFACES: dict[str, Callable[[Any, str], Any]] = {
    "calendar": _calendar,
    "export": _export,
    "feed": _feed,
    "api": _api,
    "widget": _widget,
}


#: Query -> titles listed, on every surface. `{india}` and `{ntnu}` are ids.
QUERIES = {
    "": ["Hamburg climate", "India energy", "Loose"],
    "initiative=india-2011": ["India energy"],
    "initiative={india}": ["India energy"],
    # Any value of one parameter ...
    "initiative=india-2011&initiative=hamburg": ["Hamburg climate", "India energy"],
    "initiative={india}&initiative=hamburg": ["Hamburg climate", "India energy"],
    # ... and every parameter given.
    "initiative=india-2011&initiative=hamburg&theme=klima": ["Hamburg climate"],
    "theme=energi&kind=event": ["India energy"],
    "organisation=" + quote("Visit Trondheim"): ["Hamburg climate"],
    "organisation={ntnu}&organisation=" + quote("Visit Trondheim"): [
        "Hamburg climate",
        "India energy",
    ],
    "organisation=NTNU&theme=klima": [],
}


@pytest.mark.parametrize("surface", SURFACES)
def test_every_surface_reads_ids_slugs_and_repeats_alike(
    client: Any, directory: dict[str, Any], surface: str
) -> None:
    shown = {
        query: _titles(surface, SURFACES[surface](client, query.format(**directory)))
        for query in QUERIES
    }

    assert shown == QUERIES


@pytest.mark.parametrize("surface", ["calendar", "export", "feed", "widget"])
def test_an_empty_value_is_the_forms_any(
    client: Any, directory: dict[str, Any], surface: str
) -> None:
    response = SURFACES[surface](client, "initiative=&organisation=&theme=&kind=")

    assert _titles(surface, response) == ["Hamburg climate", "India energy", "Loose"]


@pytest.mark.usefixtures("directory")
def test_the_api_refuses_an_empty_value_its_document_does_not_allow(
    client: Any,
) -> None:
    response = _api(client, "theme=")

    assert response.status_code == 400
    assert response.get_json()["detail"] == (
        "No theme matches “theme=”: give its number or its short name."
    )


#: Query -> the message every surface gives, in the reader's language.
UNKNOWN = {
    "initiative=india-2099": "No initiative matches “initiative=india-2099”: "
    "give its number or its short name.",
    "initiative=india-2011&initiative=nowhere": "No initiative matches "
    "“initiative=nowhere”: give its number or its short name.",
    "initiative=999999": "No initiative matches “initiative=999999”: give its "
    "number or its short name.",
    "organisation=NTNUX": "No organisation matches “organisation=NTNUX”: give its "
    "number or its short name.",
    "theme=energy": "No theme matches “theme=energy”: give its number or its "
    "short name.",
    "kind=foo": "No kind of entry matches “kind=foo”: use event, programme or visit.",
    "theme=" + "&theme=".join(["energi"] * 51): "“theme” may be given at most 50 "
    "times.",
}


@pytest.mark.usefixtures("directory")
@pytest.mark.parametrize(("query", "message"), UNKNOWN.items())
def test_an_unknown_value_is_an_error_in_words_on_every_surface(
    client: Any, private_feed: str, query: str, message: str
) -> None:
    calendar = _calendar(client, query)
    export = _export(client, query)
    entries = client.get(
        f"/calendar/entries.json?start=2026-11-26&end=2026-12-31&{query}",
        headers=ENGLISH,
    )
    subscribe = client.get(f"/subscribe?{query}", headers=ENGLISH)
    public = _feed(client, query)
    private = client.get(f"{private_feed}?{query}")
    api = _api(client, query)
    widget = _widget(client, query)

    for page in (calendar, export, subscribe):
        assert page.status_code == 400
        assert page.mimetype == "text/html"
        assert f"<p>{message}</p>" in page.get_data(as_text=True)
    assert (entries.status_code, entries.get_json()) == (400, {"error": message})
    for feed in (public, private):
        assert feed.status_code == 404
        assert feed.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert feed.get_data(as_text=True) == message + "\n"
    assert api.status_code == 400
    assert api.content_type == "application/problem+json"
    assert api.get_json()["detail"] == message
    assert widget.status_code == 400
    assert widget.mimetype == "text/plain"
    assert widget.get_data(as_text=True) == message


@pytest.mark.usefixtures("directory")
def test_a_feed_speaks_the_language_it_was_asked_in(
    client: Any,
) -> None:
    response = client.get(f"{PUBLIC}?lang=nb&theme=energy")

    assert response.status_code == 404
    assert response.get_data(as_text=True) == (
        "Intet fagområde passer til «theme=energy»: oppgi nummeret eller kortnavnet.\n"
    )


# ---- the feed lane and the feeds' cache -------------------------------------------


@pytest.fixture
def views(app: Flask) -> list[str]:
    """The full paths of the requests Flask itself handled (the lane's never get here)."""
    entered: list[str] = []
    app.before_request(lambda: entered.append(request.full_path))
    return entered


@pytest.mark.usefixtures("directory")
def test_the_lane_never_answers_an_unknown_value_with_a_kept_feed(
    client: Any, views: list[str]
) -> None:
    whole = client.get(PUBLIC)
    kept = client.get(PUBLIC)
    first = client.get(f"{PUBLIC}?initiative=nowhere", headers=ENGLISH)
    again = client.get(f"{PUBLIC}?initiative=nowhere", headers=ENGLISH)
    # The whole calendar's tag gets no 304 either: nothing was served for this URL.
    validated = client.get(
        f"{PUBLIC}?initiative=nowhere",
        headers={**ENGLISH, "If-None-Match": whole.headers["ETag"]},
    )

    assert whole.status_code == kept.status_code == 200
    assert views == [f"{PUBLIC}?"] + [f"{PUBLIC}?initiative=nowhere"] * 3
    for refused in (first, again, validated):
        assert refused.status_code == 404
        assert refused.get_data(as_text=True) == (
            "No initiative matches “initiative=nowhere”: give its number or its "
            "short name.\n"
        )


def test_a_slug_that_stops_naming_anything_is_refused_though_the_lane_kept_it(
    client: Any, directory: dict[str, Any], views: list[str]
) -> None:
    query = f"{PUBLIC}?initiative=india-2011"
    served = _titles("feed", client.get(query, headers=ENGLISH))
    _titles("feed", client.get(query, headers=ENGLISH))  # from the lane
    initiative = db.session.get(Initiative, directory["india"])
    initiative.slug = "india-2011-2012"
    db.session.commit()  # raises the calendar version

    refused = client.get(query, headers=ENGLISH)

    assert served == ["India energy"]
    assert views == [query, query]
    assert refused.status_code == 404
    assert refused.get_data(as_text=True) == (
        "No initiative matches “initiative=india-2011”: give its number or its "
        "short name.\n"
    )


def test_a_slug_and_an_id_share_one_kept_feed(
    client: Any, directory: dict[str, Any]
) -> None:
    by_slug = client.get(f"{PUBLIC}?initiative=india-2011")
    by_id = client.get(f"{PUBLIC}?initiative={directory['india']}")

    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.data == by_id.data
    assert by_slug.headers["ETag"] == by_id.headers["ETag"]


# ---- a feed that matches nothing ---------------------------------------------------


def _components(body: bytes) -> list[tuple[str, str]]:
    calendar = icalendar.Calendar.from_ical(body)
    return [
        (component.name, str(component.get("TZID", "")))
        for component in calendar.subcomponents
    ]


@pytest.mark.usefixtures("directory")
def test_a_feed_that_matches_nothing_is_still_a_calendar_with_one_component(
    client: Any, private_feed: str
) -> None:
    public = client.get(f"{PUBLIC}?organisation=NTNU&theme=klima")
    private = client.get(f"{private_feed}?kind=visit")

    for response in (public, private):
        assert response.status_code == 200
        assert response.mimetype == "text/calendar"
        # RFC 5545 section 3.6: at least one component; the city's VTIMEZONE.
        assert _components(response.data) == [("VTIMEZONE", "Europe/Oslo")]
        assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")
        assert response.data.endswith(b"END:VTIMEZONE\r\nEND:VCALENDAR\r\n")


def test_an_empty_calendar_and_an_empty_programme_are_calendars_too(
    client: Any, create_delegation: Callable[..., Any]
) -> None:
    empty = client.get(PUBLIC)
    visit = create_delegation("No programme yet", visibility=Visibility.public)
    programme = client.get(f"/visits/{visit.id}/programme.ics")

    assert _components(empty.data) == [("VTIMEZONE", "Europe/Oslo")]
    assert programme.status_code == 200
    assert _components(programme.data) == [("VTIMEZONE", "Europe/Oslo")]


# ---- the register, which names one initiative and one host ----------------------------


@pytest.fixture
def register(
    create_delegation: Callable[..., Any],
    create_user: Callable[..., Any],
    login: Callable[..., Any],
    directory: dict[str, Any],
) -> None:
    create_delegation(
        "Delegation from Mumbai",
        initiative_id=directory["india"],
        host_organisation_id=directory["ntnu"],
    )
    create_delegation("Delegation from Hamburg", initiative_id=directory["hamburg"])
    login(create_user(role=Role.admin, locale="en"))


@pytest.mark.usefixtures("register")
@pytest.mark.parametrize(
    "query",
    ["initiative=india-2011", "initiative={india}", "host=NTNU", "host={ntnu}"],
)
def test_the_register_and_its_export_take_an_id_or_a_name(
    client: Any, directory: dict[str, Any], query: str
) -> None:
    query = query.format(**directory)

    page = client.get(f"/visits/?{query}")
    export = client.get(f"/visits/export.csv?{query}")

    assert page.status_code == 200
    assert "Delegation from Mumbai" in page.get_data(as_text=True)
    assert "Delegation from Hamburg" not in page.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["Delegation from Mumbai"]


@pytest.mark.usefixtures("register")
@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "initiative=india-2099",
            "No initiative matches “initiative=india-2099”: give its number or its "
            "short name.",
        ),
        (
            "host=NTNUX",
            "No organisation matches “host=NTNUX”: give its number or its short name.",
        ),
    ],
)
@pytest.mark.parametrize(
    "path", ["/visits/", "/visits/export.csv", "/visits/export.xlsx"]
)
def test_the_register_refuses_an_initiative_or_host_that_names_nothing(
    client: Any, path: str, query: str, message: str
) -> None:
    response = client.get(f"{path}?{query}")

    assert response.status_code == 400
    assert f"<p>{message}</p>" in response.get_data(as_text=True)
    assert "Delegation from" not in response.get_data(as_text=True)
