"""The calendar page: periods, filters, search, URL state, visibility, DST, cancelled, queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import g

from app.auth.models import Role
from app.calendar.models import EventStatus
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import DelegationStatus
from app.directory.models import Initiative, Theme
from tests.calendar.pages import ShownEntry, shown_count, shown_entries, shown_titles
from tests.fixtures.builders import NOW
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
ROLES = ["anonymous", "member", "mayors_office", "admin"]


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """The view picks "today" from the clock; pin it to the builders' NOW (Thu 26 Nov 2026)."""
    time_machine.move_to(NOW, tick=False)


def _get(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---- periods -----------------------------------------------------------------


@pytest.fixture
def spread(create_event: Any) -> None:
    """Events around November 2026 (Oslo is UTC+1 then)."""
    create_event("Last of October", start=_utc(2026, 10, 31, 12))
    create_event("Sunday 22 November", start=_utc(2026, 11, 22, 12))
    create_event("Monday 23 November", start=_utc(2026, 11, 23, 12))
    create_event("Sunday 29 November", start=_utc(2026, 11, 29, 12))
    # 00:30 on 1 December in Oslo, still 30 November in UTC.
    create_event("Just after midnight, December", start=_utc(2026, 11, 30, 23, 30))
    create_event("Monday 30 November", start=_utc(2026, 11, 30, 12))


#: URL -> titles listed. The month and list views show the month of `date`
#: (today without one), the week view its Monday-to-Sunday week, in Oslo time.
PERIODS = {
    "/calendar": [
        "Sunday 22 November",
        "Monday 23 November",
        "Sunday 29 November",
        "Monday 30 November",
    ],
    "/calendar?view=list": [
        "Sunday 22 November",
        "Monday 23 November",
        "Sunday 29 November",
        "Monday 30 November",
    ],
    "/calendar?view=week": ["Monday 23 November", "Sunday 29 November"],
    "/calendar?view=week&date=2026-11-30": [
        "Monday 30 November",
        "Just after midnight, December",
    ],
    "/calendar?view=month&date=2026-10-05": ["Last of October"],
    "/calendar?view=list&date=2026-12-31": ["Just after midnight, December"],
}


@pytest.mark.usefixtures("spread")
def test_calendar_lists_the_period_of_the_view(client: Any) -> None:
    shown = {url: shown_titles(_get(client, url)) for url in PERIODS}

    assert shown == PERIODS


@pytest.mark.usefixtures("spread")
def test_calendar_groups_the_list_by_local_day(client: Any) -> None:
    html = _get(client, "/calendar?view=week&date=2026-11-30")

    days = re.findall(r'<h3 class="calendar-list__day">([^<]*)</h3>', html)
    assert len(days) == 2
    assert ("30." in days[0], " 1." in days[1]) == (True, True)


#: Garbage that must be ignored: the page falls back to this month's view.
GARBAGE = [
    "?view=",
    "?date=2026-13-01",
    "?date=yesterday",
    "?date=0001-01-01",
    "?date=99999-01-01",
    "?date=%00",
    "?initiative=&organisation=&theme=&kind=",
    "?q=" + "x" * 5000,
    "?q=%25%25%25",
    "?q=%00",
    "?view=week&date=2026-02-30",
]


@pytest.mark.usefixtures("spread")
@pytest.mark.parametrize("query", GARBAGE)
def test_calendar_ignores_invalid_parameters(client: Any, query: str) -> None:
    response = client.get("/calendar" + query)

    assert response.status_code == 200
    titles = shown_titles(response.get_data(as_text=True))
    assert set(titles) <= set(PERIODS["/calendar"])


@pytest.mark.usefixtures("spread")
def test_calendar_links_keep_view_filters_and_move_by_period(client: Any) -> None:
    html = _get(client, "/calendar?view=week&date=2026-11-26&kind=event")

    prev = re.search(r'<a rel="prev" href="([^"]*)"', html)
    nxt = re.search(r'<a rel="next" href="([^"]*)"', html)
    assert prev is not None
    assert nxt is not None
    assert prev.group(1).replace("&amp;", "&") == (
        "/calendar?view=week&date=2026-11-16&kind=event"
    )
    assert nxt.group(1).replace("&amp;", "&") == (
        "/calendar?view=week&date=2026-11-30&kind=event"
    )
    assert "Monday 23 November" in shown_titles(html)


# ---- filters and search ------------------------------------------------------


@pytest.fixture
def tagged(
    create_event: Any,
    create_delegation: Any,
    create_programme_item: Any,
    create_organisation: Any,
) -> dict[str, int]:
    """One entry of each kind tied to an initiative, an organisation and a theme; one untied of each."""
    ntnu = create_organisation("NTNU")
    india = Initiative(slug="india", title="India 2011", programme_period="2011-2012")
    energy = Theme(slug="energy", name_nb="Energi", name_en="Energy")
    db.session.add_all([india, energy])
    db.session.commit()
    start = NOW + DAY
    create_event(
        "Tied event",
        start=start,
        organiser=ntnu,
        initiative_id=india.id,
        themes=[energy],
        description="About 100% renewable power",
    )
    create_event("Loose event", start=start + HOUR, location="Gamle_bybro")
    tied_visit = create_delegation(
        "Tied visit",
        arrival=start + 2 * HOUR,
        host_organisation=ntnu,
        initiative_id=india.id,
        themes=[energy],
    )
    loose_visit = create_delegation("Loose visit", arrival=start + 3 * HOUR)
    create_programme_item(
        "Tied item",
        delegation=tied_visit,
        start=start + 4 * HOUR,
        responsible_organisation=ntnu,
    )
    create_programme_item(
        "Loose item",
        delegation=loose_visit,
        start=start + 5 * HOUR,
        location="Østbyen",
    )
    return {"initiative": india.id, "organisation": ntnu.id, "theme": energy.id}


def _filtered(client: Any, query: str) -> list[str]:
    return shown_titles(_get(client, "/calendar?view=list&" + query))


def test_calendar_filters_by_initiative_organisation_theme_and_kind(
    client: Any, tagged: dict[str, int]
) -> None:
    shown = {
        "initiative": _filtered(client, f"initiative={tagged['initiative']}"),
        "organisation": _filtered(client, f"organisation={tagged['organisation']}"),
        "theme": _filtered(client, f"theme={tagged['theme']}"),
        "kinds": _filtered(client, "kind=visit&kind=programme"),
        "combined": _filtered(
            client, f"kind=event&organisation={tagged['organisation']}"
        ),
        "by slug": _filtered(client, "initiative=india&theme=energy"),
        "either initiative": _filtered(
            client, f"initiative=india&initiative={tagged['initiative']}"
        ),
    }

    assert shown == {
        # Programme items belong to the initiative and themes of their visit.
        "initiative": ["Tied event", "Tied visit", "Tied item"],
        "organisation": ["Tied event", "Tied visit", "Tied item"],
        "theme": ["Tied event", "Tied visit", "Tied item"],
        "kinds": ["Tied visit", "Loose visit", "Tied item", "Loose item"],
        "combined": ["Tied event"],
        "by slug": ["Tied event", "Tied visit", "Tied item"],
        "either initiative": ["Tied event", "Tied visit", "Tied item"],
    }


#: A filter value that names nothing -> the message the page gives (the page
#: speaks the browser's language; no entry is listed).
UNKNOWN_FILTERS = {
    "initiative=999999": "No initiative matches “initiative=999999”: give its "
    "number or its short name.",
    "initiative=abc&organisation=-1&theme=1.5": "No initiative matches "
    "“initiative=abc”: give its number or its short name.",
    "initiative=india&organisation=-1": "No organisation matches "
    "“organisation=-1”: give its number or its short name.",
    "theme=1.5": "No theme matches “theme=1.5”: give its number or its short name.",
    "initiative=99999999999999999999": "No initiative matches "
    "“initiative=99999999999999999999”: give its number or its short name.",
    "initiative=%C2%B2": "No initiative matches “initiative=²”: give its number "
    "or its short name.",
    "kind=meeting&kind=EVENT": "No kind of entry matches “kind=meeting”: use "
    "event, programme or visit.",
}


@pytest.mark.usefixtures("tagged")
@pytest.mark.parametrize(("query", "message"), UNKNOWN_FILTERS.items())
@pytest.mark.parametrize("path", ["/calendar?view=list&", "/calendar/export.csv?"])
def test_calendar_refuses_a_filter_value_that_names_nothing(
    client: Any, path: str, query: str, message: str
) -> None:
    response = client.get(path + query, headers={"Accept-Language": "en"})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"<p>{message}</p>" in html
    assert shown_titles(html) == []


@pytest.mark.usefixtures("tagged")
def test_calendar_entries_json_refuses_a_filter_value_that_names_nothing(
    client: Any,
) -> None:
    response = client.get(
        "/calendar/entries.json?start=2026-11-01&end=2026-12-07&theme=nope",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "No theme matches “theme=nope”: give its number or its short name."
    }


#: Search text -> titles found: case-insensitive (beyond ASCII too), in titles,
#: descriptions and places; "%" and "_" are plain characters.
SEARCHES = {
    "tied": ["Tied event", "Tied visit", "Tied item"],
    "LOOSE EV": ["Loose event"],
    "renewable": ["Tied event"],
    "100%": ["Tied event"],
    "10%0": [],
    "%": ["Tied event"],
    "_": ["Loose event"],
    "e_b": ["Loose event"],
    "gamle_bybro": ["Loose event"],
    "  item  ": ["Tied item", "Loose item"],
    "nothing like it": [],
    "ØSTBYEN": ["Loose item"],
}


@pytest.mark.usefixtures("tagged")
def test_calendar_search_matches_text_case_insensitively(client: Any) -> None:
    from urllib.parse import quote  # noqa: PLC0415 -- only this test builds query text

    shown = {q: _filtered(client, "q=" + quote(q)) for q in SEARCHES}

    assert shown == SEARCHES


def test_calendar_filter_form_shows_the_url_state(
    client: Any, tagged: dict[str, int]
) -> None:
    html = _get(
        client,
        f"/calendar?view=week&date=2026-11-27&kind=event&kind=visit"
        f"&organisation={tagged['organisation']}&theme={tagged['theme']}&q=Tied",
    )

    ticked = set(re.findall(r'name="kind" value="(\w+)" checked', html))
    selected = re.findall(r'<option value="(\d+)" selected>', html)
    assert ticked == {"event", "visit"}
    assert sorted(selected) == sorted(
        [str(tagged["organisation"]), str(tagged["theme"])]
    )
    assert 'name="q" value="Tied"' in html
    assert '<input type="hidden" name="view" value="week">' in html
    assert '<input type="hidden" name="date" value="2026-11-27">' in html
    assert shown_titles(html) == ["Tied event", "Tied visit"]


# ---- visibility --------------------------------------------------------------


@pytest.fixture
def every_visibility(
    create_event: Any, create_delegation: Any, create_programme_item: Any
) -> None:
    for n, visibility in enumerate(Visibility):
        create_event(
            f"Event {visibility}", start=NOW + DAY + n * HOUR, visibility=visibility
        )
        visit = create_delegation(
            f"Visit {visibility}",
            arrival=NOW + 2 * DAY + n * HOUR,
            visibility=visibility,
        )
        create_programme_item(
            f"Item {visibility}",
            delegation=visit,
            start=visit.arrival_dt + HOUR,
            visibility=Visibility.public,
        )
    # A weekly internal meeting: none of its occurrences may leak.
    create_event(
        "Internal weekly",
        start=NOW + HOUR,
        visibility=Visibility.internal,
        rrule="FREQ=WEEKLY",
    )


#: Titles each role sees in November 2026 (the weekly meeting once: its next one is in December).
SEEN = {
    "anonymous": ["Event public", "Visit public", "Item public"],
    "member": [
        "Event public",
        "Event forum",
        "Visit public",
        "Item public",
        "Visit forum",
        "Item forum",
    ],
}
SEEN["admin"] = SEEN["mayors_office"] = [
    "Internal weekly",
    "Event public",
    "Event forum",
    "Event internal",
    "Visit public",
    "Item public",
    "Visit forum",
    "Item forum",
    "Visit internal",
    "Item internal",
]


@pytest.mark.usefixtures("every_visibility")
@pytest.mark.parametrize("role", ROLES)
def test_calendar_shows_exactly_what_each_role_may_see(
    client: Any, login: Any, create_user: Any, role: str
) -> None:
    if role != "anonymous":
        login(create_user(role=Role(role)))

    html = _get(client, "/calendar?view=list")
    feed = client.get("/calendar/entries.json?start=2026-11-01&end=2026-12-01").json
    searched = shown_titles(_get(client, "/calendar?view=list&q=internal"))

    staff = role in ("admin", "mayors_office")
    assert shown_titles(html) == SEEN[role]
    assert shown_count(html) == len(SEEN[role])
    assert [event["title"] for event in feed] == SEEN[role]
    assert searched == (
        ["Internal weekly", "Event internal", "Visit internal", "Item internal"]
        if staff
        else []
    )


# ---- daylight saving and cancellations ---------------------------------------


@pytest.fixture
def weekly_meeting(create_event: Any) -> None:
    """Tuesdays 09:00-10:00 in Oslo from 13 October 2026; DST ends on 25 October."""
    create_event(
        "Weekly forum meeting",
        start=_utc(2026, 10, 13, 7),
        hours=1,
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )


@pytest.mark.usefixtures("weekly_meeting")
def test_weekly_meeting_stays_at_nine_across_the_dst_change_in_the_list(
    client: Any,
) -> None:
    html = _get(client, "/calendar?view=list&date=2026-10-01")

    whens = re.findall(r'<p class="entry__when">([^<]*)</p>', html)
    assert [w.split(", ")[-1] for w in whens] == ["09:00–10:00"] * 3
    assert [w.split(".")[0] for w in whens] == ["13", "20", "27"]


@pytest.mark.usefixtures("weekly_meeting")
def test_weekly_meeting_stays_at_nine_across_the_dst_change_in_the_json(
    client: Any,
) -> None:
    feed = client.get("/calendar/entries.json?start=2026-10-01&end=2026-11-01").json

    assert [(e["start"], e["end"]) for e in feed] == [
        ("2026-10-13T09:00", "2026-10-13T10:00"),
        ("2026-10-20T09:00", "2026-10-20T10:00"),
        ("2026-10-27T09:00", "2026-10-27T10:00"),
    ]


def test_calendar_shows_cancelled_entries_marked(
    client: Any, create_event: Any, create_delegation: Any, create_programme_item: Any
) -> None:
    create_event("Cancelled event", start=NOW + DAY, status=EventStatus.cancelled)
    visit = create_delegation(
        "Cancelled visit", arrival=NOW + 2 * DAY, status=DelegationStatus.cancelled
    )
    create_programme_item("Its item", delegation=visit, start=NOW + 2 * DAY + HOUR)
    create_event("Going ahead", start=NOW + 3 * DAY)

    html = _get(client, "/calendar?view=list")
    feed = client.get("/calendar/entries.json?start=2026-11-01&end=2026-12-01").json

    assert shown_entries(html) == [
        ShownEntry("event", "Cancelled event", True),
        ShownEntry("visit", "Cancelled visit", True),
        ShownEntry("programme", "Its item", True),
        ShownEntry("event", "Going ahead", False),
    ]
    assert [
        ("fc-entry--cancelled" in e["classNames"], e["extendedProps"]["cancelled"])
        for e in feed
    ] == [(True, True), (True, True), (True, True), (False, False)]


# ---- script, style and queries -----------------------------------------------


def test_grid_views_allow_fullcalendars_style_element_by_nonce(client: Any) -> None:
    month = client.get("/calendar?view=month")
    listing = client.get("/calendar?view=list")

    policy = month.headers["Content-Security-Policy"]
    nonce = re.search(r"style-src 'self' 'nonce-([\w-]+)'", policy)
    assert nonce is not None
    html = month.get_data(as_text=True)
    assert f'<style data-fullcalendar nonce="{nonce.group(1)}"></style>' in html
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy
    assert "font-src 'self' data:;" in policy  # FullCalendar's embedded icon font
    assert "style-src 'self';" in listing.headers["Content-Security-Policy"]
    assert "fullcalendar" not in listing.get_data(as_text=True)
    # A fresh nonce for every response.
    again = client.get("/calendar?view=month").headers["Content-Security-Policy"]
    assert again != policy


@pytest.fixture
def fill_month(
    create_organisation: Any,
    create_event: Any,
    create_delegation: Any,
    create_programme_item: Any,
) -> Any:
    """Return a function adding `n` entries of each kind (and a weekly series) in November 2026."""

    def _fill(n: int) -> None:
        for i in range(n):
            create_event(
                f"Event {i}",
                start=NOW + DAY + i * HOUR,
                organiser=create_organisation(),
            )
            create_event(
                f"Weekly {i}", start=_utc(2026, 11, 2, 8 + i), rrule="FREQ=WEEKLY"
            )
            visit = create_delegation(f"Visit {i}", arrival=NOW + 2 * DAY + i * HOUR)
            create_programme_item(
                f"Item {i}", delegation=visit, start=visit.arrival_dt + HOUR
            )

    return _fill


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("n", [1, 3])
def test_calendar_query_count_does_not_grow_with_entries(
    client: Any, login: Any, create_user: Any, fill_month: Any, role: str, n: int
) -> None:
    fill_month(n)
    if role != "anonymous":
        login(create_user(role=Role(role)))
    db.session.remove()
    g.pop("_login_user", None)

    with count_statements() as page_statements:
        html = _get(client, "/calendar?view=list")
    db.session.remove()
    g.pop("_login_user", None)
    with count_statements() as json_statements:
        feed = client.get("/calendar/entries.json?start=2026-11-01&end=2026-12-01")

    # One event, five Mondays of the weekly series, one visit, one item per i.
    assert len(shown_titles(html)) == 8 * n
    assert len(feed.json) == 8 * n
    admin = role == "admin"
    # events + organisers + items + their visits + visits (no venue or city to
    # load), and the page's three filter lists; an admin adds their own row, and
    # on pages the header's count of submissions waiting for moderation.
    assert len(page_statements) == 8 + 2 * admin, page_statements
    assert len(json_statements) == 5 + admin, json_statements


#: A few markup payloads; the full list of the issue is tested across pages elsewhere.
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
]


def test_calendar_renders_markup_in_titles_and_places_as_text(
    client: Any, create_event: Any
) -> None:
    for n, payload in enumerate(PAYLOADS):
        create_event(payload, start=NOW + DAY + n * HOUR, location=payload)

    html = _get(client, "/calendar?view=list")
    feed = client.get("/calendar/entries.json?start=2026-11-01&end=2026-12-01")

    assert shown_titles(html) == PAYLOADS
    for payload in PAYLOADS:
        assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The JSON carries the text as data; FullCalendar writes it as text (see the
    # browser test), and the browser never sniffs the JSON as a page.
    assert feed.mimetype == "application/json"
    assert feed.headers["X-Content-Type-Options"] == "nosniff"
    assert [(e["title"], e["extendedProps"]["location"]) for e in feed.json] == [
        (payload, payload) for payload in PAYLOADS
    ]
