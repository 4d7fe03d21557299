"""The embeddable upcoming-events widget: what it lists, in which language, and its headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.auth.models import Role
from app.calendar.models import Event, EventStatus, Submission, SubmissionState
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from app.directory.models import Initiative
from app.widget.views import MAX_LIMIT, WIDGET_POLICY

URL = "/widget/upcoming"


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _soon(days: float) -> Any:
    return utcnow() + timedelta(days=days)


@pytest.fixture
def calendar(
    create_event: Callable[..., Event], create_organisation: Callable[..., Any]
) -> dict[str, Any]:
    """Public, forum and internal events, one past, one by NTNU in an initiative."""
    ntnu = create_organisation("NTNU")
    initiative = Initiative(
        slug="green-ports", title="Green ports", programme_period="2025-2028"
    )
    db.session.add(initiative)
    db.session.commit()
    create_event("Public open day", start=_soon(2), location="City Hall")
    create_event("Forum breakfast", start=_soon(3), visibility=Visibility.forum)
    create_event("Internal budget", start=_soon(4), visibility=Visibility.internal)
    create_event("Finished talk", start=_soon(-3))
    create_event(
        "NTNU port seminar",
        start=_soon(5),
        organiser_id=ntnu.id,
        initiative_id=initiative.id,
    )
    return {"ntnu": ntnu, "initiative": initiative}


def test_lists_only_public_upcoming_events(
    client: Any, calendar: dict[str, Any]
) -> None:
    response = client.get(URL + "?lang=en")

    assert response.status_code == 200
    body = _text(response)
    assert "Public open day" in body
    assert "NTNU port seminar" in body
    for hidden in ("Forum breakfast", "Internal budget", "Finished talk"):
        assert hidden not in body
    assert body.index("Public open day") < body.index("NTNU port seminar")
    assert 'href="http://vertskap.test/events/' in body
    assert 'target="_top"' not in body
    assert body.count('target="_blank" rel="noopener"') == 3  # two events, the calendar
    assert "City Hall" in body
    assert '<time class="widget__time" datetime="' in body


def test_logged_in_visitor_still_sees_public_only_and_gets_no_cookie(
    client: Any,
    calendar: dict[str, Any],
    create_user: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    login(create_user(role=Role.admin))

    response = client.get(URL + "?lang=en")

    assert response.status_code == 200
    assert "Internal budget" not in _text(response)
    assert "Forum breakfast" not in _text(response)
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("key", ["id", "slug"])
def test_filters_by_initiative(client: Any, calendar: dict[str, Any], key: str) -> None:
    initiative = calendar["initiative"]
    value = initiative.id if key == "id" else initiative.slug

    body = _text(client.get(f"{URL}?lang=en&initiative={value}"))

    assert "NTNU port seminar" in body
    assert "Public open day" not in body
    assert f"/calendar?initiative={initiative.id}" in body


@pytest.mark.parametrize("key", ["id", "short_name"])
def test_filters_by_organisation(
    client: Any, calendar: dict[str, Any], key: str
) -> None:
    ntnu = calendar["ntnu"]
    value = ntnu.id if key == "id" else ntnu.short_name

    body = _text(client.get(f"{URL}?lang=en&organisation={value}"))

    assert "NTNU port seminar" in body
    assert "Public open day" not in body


def test_english_and_norwegian_texts(
    client: Any, create_event: Callable[..., Event]
) -> None:
    start = (utcnow() + timedelta(days=400)).replace(
        month=12, day=1, hour=9, minute=0, second=0, microsecond=0
    )
    if start - utcnow() > timedelta(days=399):
        start = start.replace(year=start.year - 1)
    create_event("Cancelled fair", start=start, status=EventStatus.cancelled)

    english = _text(client.get(URL + "?lang=en"))
    norwegian = _text(client.get(URL + "?lang=nb"))

    assert '<html lang="en">' in english
    assert "Upcoming events" in english
    assert 'Cancelled: <span lang="nb">Cancelled fair</span>' in english
    assert f"1 Dec {start.year}, 10:00" in english
    assert '<html lang="nb">' in norwegian
    assert "Avlyst: Cancelled fair" in norwegian  # a bokmål title needs no lang here
    assert f"1. des. {start.year}, 10:00" in norwegian


def test_without_lang_speaks_the_default_language(client: Any) -> None:
    body = _text(client.get(URL, headers={"Accept-Language": "en"}))

    assert '<html lang="nb">' in body


def test_empty_state(client: Any) -> None:
    body = _text(client.get(URL + "?lang=en"))

    assert "No upcoming events." in body
    assert "<ul" not in body
    assert "More in the calendar" in body


def test_limit_is_bounded(client: Any, create_event: Callable[..., Event]) -> None:
    for n in range(MAX_LIMIT + 3):
        create_event(f"Talk number {n:02d}", start=_soon(1 + n / 24))

    def count(query: str) -> int:
        return _text(client.get(URL + "?lang=en" + query)).count('class="widget__item')

    assert count("") == 5
    assert count("&limit=2") == 2
    assert count("&limit=0") == 1
    assert count("&limit=999") == MAX_LIMIT


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # An unknown language is refused in the default one, Norwegian.
        ("lang=de", "bruk lang=nb eller lang=en"),
        ("lang=en&limit=many", "whole number from 1 to 20"),
        ("lang=en&limit=-3", "whole number from 1 to 20"),
        (
            "lang=en&initiative=nowhere",
            "No initiative matches “initiative=nowhere”: give its number or its "
            "short name.",
        ),
        (
            "lang=en&organisation=9999",
            "No organisation matches “organisation=9999”: give its number or its "
            "short name.",
        ),
        (
            "lang=en&theme=energi",
            "No theme matches “theme=energi”: give its number or its short name.",
        ),
        (
            "lang=en&kind=foo",
            "No kind of entry matches “kind=foo”: use event, programme or visit.",
        ),
    ],
)
def test_bad_parameters_are_refused_with_a_clear_text(
    client: Any, query: str, message: str
) -> None:
    response = client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in _text(response)
    assert "X-Frame-Options" not in response.headers


def test_widget_may_be_framed_by_any_site_and_is_cacheable(client: Any) -> None:
    response = client.get(URL + "?lang=en")

    assert "X-Frame-Options" not in response.headers
    assert response.headers["Content-Security-Policy"] == WIDGET_POLICY
    assert "frame-ancestors *" in WIDGET_POLICY
    assert "script-src" not in WIDGET_POLICY
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers
    etag = response.headers["ETag"]

    again = client.get(URL + "?lang=en", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert "X-Frame-Options" not in again.headers


@pytest.mark.parametrize(
    "path", ["/", "/upcoming", "/subscribe", "/calendar?view=list"]
)
def test_other_pages_still_refuse_framing(client: Any, path: str) -> None:
    response = client.get(path)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_subscribe_page_offers_the_snippet(client: Any) -> None:
    body = _text(client.get("/subscribe"))

    assert 'id="widget"' in body
    assert (
        "&lt;iframe src=&#34;http://vertskap.test/widget/upcoming?lang=nb&#34;" in body
    )
    assert (
        "loading=&#34;lazy&#34; style=&#34;border:0&#34; "
        "sandbox=&#34;allow-popups allow-popups-to-escape-sandbox&#34;&gt;&lt;/iframe&gt;"
    ) in body


def test_snippet_builder_follows_the_chosen_language_and_filters(
    client: Any, calendar: dict[str, Any]
) -> None:
    ntnu, initiative = calendar["ntnu"], calendar["initiative"]
    query = (
        f"widget_lang=en&widget_initiative={initiative.id}"
        f"&widget_organisation={ntnu.id}&initiative={initiative.id}"
    )

    body = _text(client.get(f"/subscribe?{query}"))

    url = (
        f"http://vertskap.test/widget/upcoming?lang=en&amp;initiative={initiative.id}"
        f"&amp;organisation={ntnu.id}"
    )
    assert f'href="{url}"' in body
    assert "title=&#34;Upcoming events&#34;" in body
    # The feed filters chosen above survive a change of the widget's options.
    assert f'<input type="hidden" name="initiative" value="{initiative.id}">' in body
    widget = _text(
        client.get(url.replace("&amp;", "&").removeprefix("http://vertskap.test"))
    )
    assert "NTNU port seminar" in widget


def test_snippet_builder_ignores_unknown_choices(client: Any) -> None:
    body = _text(
        client.get(
            "/subscribe?widget_lang=de&widget_initiative=77&widget_organisation=x"
        )
    )

    assert 'href="http://vertskap.test/widget/upcoming?lang=nb"' in body


def test_titles_are_marked_with_their_language_when_it_is_not_the_widgets(
    client: Any, create_event: Callable[..., Event], now: datetime
) -> None:
    """The office's titles are bokmål; a partner's are in the language of its form."""
    create_event("Nordens dag", start=now + timedelta(days=2))
    partners = create_event("Harbour tour", start=now + timedelta(days=3))
    db.session.add(
        Submission(
            title="Harbour tour",
            start_dt=partners.start_dt,
            end_dt=partners.end_dt,
            submitter_name="Ada",
            submitter_email="ada@example.org",
            locale="en",
            state=SubmissionState.approved,
            decided_dt=now,
            event_id=partners.id,
        )
    )
    db.session.commit()

    english = _text(client.get(URL + "?lang=en"))
    norwegian = _text(client.get(URL + "?lang=nb"))

    assert re.findall(r'class="widget__link"[^>]*>(.*?)</a>', english) == [
        '<span lang="nb">Nordens dag</span>',
        "Harbour tour",
    ]
    assert re.findall(r'class="widget__link"[^>]*>(.*?)</a>', norwegian) == [
        "Nordens dag",
        '<span lang="en">Harbour tour</span>',
    ]


def test_dates_over_several_days_are_a_range_and_the_zone_is_shown(
    client: Any, create_event: Callable[..., Event]
) -> None:
    oslo_midnight = datetime(2026, 12, 13, 23, tzinfo=UTC)  # 14 December in Oslo
    create_event(
        "Forum days",
        start=oslo_midnight,
        hours=3 * 24,
        is_all_day=True,
    )
    create_event(
        "Single day",
        start=oslo_midnight + timedelta(days=10),
        hours=24,
        is_all_day=True,
    )
    create_event("Seminar", start=datetime(2026, 12, 15, 9, tzinfo=UTC), hours=2)
    create_event("Night train", start=datetime(2026, 12, 16, 20, tzinfo=UTC), hours=14)

    body = _text(client.get(URL + "?lang=en&limit=10"))

    assert re.findall(r'<time class="widget__time"[^>]*>(.*?)</time>', body) == [
        "14 Dec 2026 – 16 Dec 2026",
        "15 Dec 2026, 10:00–12:00",
        "16 Dec 2026, 21:00 – 17 Dec 2026, 11:00",
        "24 Dec 2026",
    ]
    assert '<p class="widget__zone">Times: Europe/Oslo</p>' in body
