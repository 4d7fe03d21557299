"""The read API: visibility per audience, filters, pagination, validation, caching, limits."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.auth.models import Role
from app.calendar.models import EventStatus
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import DelegationStatus, Participant
from app.directory.models import Initiative, Theme
from app.feeds.models import AccessPurpose
from app.feeds.tokens import create_feed_token, revoke_feed_token
from tests.fixtures.builders import NOW

#: A period around the builders' default times (a week and ten days after NOW).
WINDOW = {"from": "2026-11-26", "to": "2027-01-31"}


def _token(user: Any) -> str:
    _row, raw = create_feed_token(user, label="API", now=NOW, purpose=AccessPurpose.api)
    db.session.commit()
    return raw


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["title"] for item in response.get_json()["data"]]


@pytest.fixture
def three_of_each(create_event, create_delegation, create_programme_item):
    """One event, visit and programme item per visibility, all in WINDOW."""
    for vis in Visibility:
        create_event(f"Event {vis.value}", visibility=vis)
        visit = create_delegation(f"Visit {vis.value}", visibility=vis)
        create_programme_item(f"Item {vis.value}", delegation=visit, visibility=vis)


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        (None, ["public"]),
        (Role.member, ["public", "forum"]),
        (Role.mayors_office, ["public", "forum", "internal"]),
    ],
)
def test_each_audience_sees_exactly_its_calendar_objects(
    client, create_user, three_of_each, role, seen
):
    headers = _bearer(_token(create_user(role=role))) if role else {}
    for path, prefix in [
        ("/api/v1/events", "Event"),
        ("/api/v1/visits", "Visit"),
        ("/api/v1/programme-items", "Item"),
    ]:
        response = client.get(path, query_string=WINDOW, headers=headers)
        assert sorted(_titles(response)) == sorted(f"{prefix} {v}" for v in seen)


def test_a_programme_item_is_never_shown_wider_than_its_visit(
    client, create_delegation, create_programme_item
):
    visit = create_delegation("Closed visit", visibility=Visibility.internal)
    item = create_programme_item("Open item", delegation=visit)
    assert _titles(client.get("/api/v1/programme-items", query_string=WINDOW)) == []
    assert client.get(f"/api/v1/programme-items/{item.id}").status_code == 404


def test_one_object_is_404_for_whoever_may_not_see_it(
    client, create_user, create_event
):
    hidden = create_event("Staff only", visibility=Visibility.internal)
    staff = _bearer(_token(create_user(role=Role.mayors_office)))
    member = _bearer(_token(create_user(role=Role.member)))
    assert client.get(f"/api/v1/events/{hidden.id}").status_code == 404
    assert client.get(f"/api/v1/events/{hidden.id}", headers=member).status_code == 404
    response = client.get(f"/api/v1/events/{hidden.id}", headers=staff)
    assert response.get_json()["data"]["title"] == "Staff only"
    missing = client.get("/api/v1/events/999999")
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"


def test_a_visit_shows_no_participant_and_no_staff_working_field(
    client, create_user, create_delegation
):
    visit = create_delegation("Visit", notes="Staff note", budget_nok=5000)
    db.session.add(Participant(delegation_id=visit.id, name="Ola Nordmann"))
    db.session.commit()
    staff = _bearer(_token(create_user(role=Role.mayors_office)))
    body = client.get(f"/api/v1/visits/{visit.id}", headers=staff).get_data(
        as_text=True
    )
    assert "Ola Nordmann" not in body
    assert "Staff note" not in body
    assert "budget" not in body
    assert "5000" not in body


def test_unknown_revoked_and_malformed_tokens_are_refused_not_made_public(
    client, create_user, create_event
):
    create_event("Public")
    user = create_user(role=Role.member)
    row, raw = create_feed_token(user, label="Old", now=NOW, purpose=AccessPurpose.api)
    revoke_feed_token(row, actor=user, now=NOW, purpose=AccessPurpose.api)
    db.session.commit()
    for header in [f"Bearer {raw}", "Bearer " + "x" * 43, "Basic abc", "Bearer "]:
        response = client.get("/api/v1/events", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.content_type == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_events_carry_zone_offsets_and_the_occurrences_in_the_period(
    client, create_event
):
    start = NOW + timedelta(days=7)  # 2026-12-03 09:00 UTC, 10:00 in Oslo
    create_event("Weekly", start=start, rrule="FREQ=WEEKLY;COUNT=10")
    response = client.get(
        "/api/v1/events", query_string={"from": "2026-12-01", "to": "2026-12-20"}
    )
    (event,) = response.get_json()["data"]
    assert event["start"] == "2026-12-03T10:00:00+01:00"
    assert event["timezone"] == "Europe/Oslo"
    assert event["rrule"] == "FREQ=WEEKLY;COUNT=10"
    assert [o["start"][:10] for o in event["occurrences"]] == [
        "2026-12-03",
        "2026-12-10",
        "2026-12-17",
    ]


def test_filters_by_initiative_theme_organisation_and_status(
    client, create_event, create_delegation, create_organisation
):
    initiative = Initiative(slug="green", title="Green", programme_period="2026")
    theme = Theme(slug="climate", name_nb="Klima", name_en="Climate")
    db.session.add_all([initiative, theme])
    db.session.commit()
    org = create_organisation("HOST")
    create_event("Tagged", initiative_id=initiative.id, themes=[theme], organiser=org)
    create_event("Cancelled", status=EventStatus.cancelled)
    create_delegation("Enquiry", status=DelegationStatus.enquiry)
    create_delegation("Confirmed")

    def events(**args: Any) -> list[str]:
        return sorted(
            _titles(client.get("/api/v1/events", query_string={**WINDOW, **args}))
        )

    assert events(initiative="green") == ["Tagged"]
    assert events(initiative=str(initiative.id)) == ["Tagged"]
    assert events(theme="climate") == ["Tagged"]
    assert events(organisation="HOST") == ["Tagged"]
    assert events(initiative=["green", str(initiative.id)]) == ["Tagged"]
    assert events(kind="event", theme="climate") == ["Tagged"]
    assert events(kind="visit", theme="climate") == []
    assert events(status="cancelled") == ["Cancelled"]
    assert events(status=["cancelled", "confirmed"]) == ["Cancelled", "Tagged"]
    visits = client.get("/api/v1/visits", query_string={**WINDOW, "status": "enquiry"})
    assert _titles(visits) == ["Enquiry"]


def test_organisations_are_found_by_short_names_with_spaces_and_norwegian_letters(
    client, create_event, create_organisation
):
    for name in ("Visit Trondheim", "Trøndelag fylkeskommune"):
        create_event(f"By {name}", organiser=create_organisation(name))

    def events(*names: str):
        return client.get(
            "/api/v1/events", query_string={**WINDOW, "organisation": list(names)}
        )

    assert _titles(events("Visit Trondheim")) == ["By Visit Trondheim"]
    assert _titles(events("Trøndelag fylkeskommune")) == ["By Trøndelag fylkeskommune"]
    assert sorted(_titles(events("Visit Trondheim", "Trøndelag fylkeskommune"))) == [
        "By Trøndelag fylkeskommune",
        "By Visit Trondheim",
    ]
    # Blanks at either end are refused, as the document says.
    response = events(" Visit Trondheim")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    # Control characters never reach that check: every query string loses them
    # first (app.core.inputs), so the name left is looked up.
    assert _titles(events("Visit\x00 Trondheim\x1b")) == ["By Visit Trondheim"]


def test_the_period_excludes_what_lies_outside_it(client, create_event):
    create_event("December", start=NOW + timedelta(days=10))
    create_event("March", start=NOW + timedelta(days=110))
    december = {"from": "2026-12-01", "to": "2026-12-31"}
    assert _titles(client.get("/api/v1/events", query_string=december)) == ["December"]


def test_pages_link_to_each_other_in_the_body_and_the_link_header(client, create_event):
    for n in range(5):
        create_event(f"E{n}", start=NOW + timedelta(days=7, hours=n))
    first = client.get("/api/v1/events", query_string={**WINDOW, "per_page": 2})
    body = first.get_json()
    assert [e["title"] for e in body["data"]] == ["E0", "E1"]
    assert body["meta"]["total"] == 5
    assert body["links"]["prev"] is None
    assert 'rel="next"' in first.headers["Link"]
    second = client.get(body["links"]["next"])
    assert [e["title"] for e in second.get_json()["data"]] == ["E2", "E3"]
    last = client.get(second.get_json()["links"]["next"])
    assert [e["title"] for e in last.get_json()["data"]] == ["E4"]
    assert last.get_json()["links"]["next"] is None
    assert 'rel="prev"' in last.headers["Link"]


@pytest.mark.parametrize(
    ("args", "word"),
    [
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-11-26T10:00:00"}, "from"),  # no offset: never guessed
        ({"to": "2026-02-30"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
        ({"from": "2026-01-01", "to": "2030-01-01"}, "731"),
        ({"per_page": "201"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"page": " 1"}, "page"),
        ({"status": "maybe"}, "status"),
        ({"theme": "bad slug!"}, "theme"),
    ],
)
def test_bad_parameters_get_400_with_a_message(client, args, word):
    response = client.get("/api/v1/events", query_string=args)
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert word in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("args", "detail"),
    [
        (
            {"theme": "no-such-theme"},
            "No theme matches “theme=no-such-theme”: give its number or its short name.",
        ),
        (
            {"initiative": ["green", "india-2011"]},
            "No initiative matches “initiative=india-2011”: give its number or its "
            "short name.",
        ),
        (
            {"organisation": "NTNU"},
            "No organisation matches “organisation=NTNU”: give its number or its "
            "short name.",
        ),
        (
            {"initiative": "999999"},
            "No initiative matches “initiative=999999”: give its number or its "
            "short name.",
        ),
        (
            {"kind": "foo"},
            "No kind of entry matches “kind=foo”: use event, programme or visit.",
        ),
        ({"theme": ["climate"] * 51}, "“theme” may be given at most 50 times."),
    ],
)
@pytest.mark.parametrize("path", ["/events", "/programme-items", "/visits"])
def test_a_filter_value_that_names_nothing_gets_400_never_everything(
    client, create_event, path, args, detail
):
    db.session.add_all(
        [
            Initiative(slug="green", title="Green", programme_period="2026"),
            Theme(slug="climate", name_nb="Klima", name_en="Climate"),
        ]
    )
    db.session.commit()
    create_event("Anything")

    response = client.get(
        "/api/v1" + path,
        query_string={**WINDOW, **args},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": detail,
    }


def test_etag_gives_304_and_a_change_gives_a_new_tag(client, create_event):
    event = create_event("Meeting")
    first = client.get("/api/v1/events", query_string=WINDOW)
    tag = first.headers["ETag"]
    again = client.get(
        "/api/v1/events", query_string=WINDOW, headers={"If-None-Match": tag}
    )
    assert again.status_code == 304
    assert again.data == b""
    event.title = "Renamed meeting"
    db.session.commit()
    changed = client.get(
        "/api/v1/events", query_string=WINDOW, headers={"If-None-Match": tag}
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_default_window_starts_at_the_minute_so_its_etag_holds_for_seconds(
    client, create_event, time_machine
):
    create_event("Meeting")
    time_machine.move_to(NOW + timedelta(seconds=5, microseconds=123), tick=False)
    first = client.get("/api/v1/events")
    assert first.get_json()["meta"]["from"] == "2026-11-26T09:00:00+00:00"
    assert first.get_json()["meta"]["to"] == "2027-11-26T09:00:00+00:00"
    time_machine.move_to(NOW + timedelta(seconds=6, microseconds=456), tick=False)
    again = client.get(
        "/api/v1/events", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    time_machine.move_to(NOW + timedelta(minutes=1, seconds=1), tick=False)
    later = client.get(
        "/api/v1/events", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert later.status_code == 200
    assert later.get_json()["meta"]["from"] == "2026-11-26T09:01:00+00:00"


def test_public_answers_are_shared_and_token_answers_private(
    client, create_user, create_event
):
    create_event("Meeting")
    public = client.get("/api/v1/events", query_string=WINDOW)
    assert public.headers["Access-Control-Allow-Origin"] == "*"
    assert public.headers["Cache-Control"].startswith("public")
    token = _bearer(_token(create_user()))
    private = client.get("/api/v1/events", query_string=WINDOW, headers=token)
    assert "Access-Control-Allow-Origin" not in private.headers
    assert private.headers["Cache-Control"].startswith("private")
    assert "Authorization" in private.headers["Vary"]


def test_a_logged_in_browser_session_still_sees_only_public_data(
    client, create_user, login, create_event
):
    create_event("Internal", visibility=Visibility.internal)
    login(create_user(role=Role.mayors_office))
    assert _titles(client.get("/api/v1/events", query_string=WINDOW)) == []


def test_directory_lists_and_unknown_paths_answer_json(client, create_organisation):
    org = create_organisation("KOMM", name="Kommunen")
    listed = client.get("/api/v1/organisations").get_json()["data"]
    assert [o["short_name"] for o in listed] == ["KOMM"]
    one = client.get(f"/api/v1/organisations/{org.id}").get_json()["data"]
    assert one["name"] == "Kommunen"
    assert client.get("/api/v1/initiatives").get_json()["data"] == []
    for path in ["/api/v1/nothing", "/api/v1/events/-1", "/api/v1/events/abc"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content_type == "application/problem+json"
    post = client.post("/api/v1/events")
    assert post.status_code == 405
    assert post.content_type == "application/problem+json"


def test_the_openapi_document_describes_every_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert "personalToken" in document["components"]["securitySchemes"]
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<int:item_id>", "{id}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document"
    }
    assert routes == set(document["paths"])


def test_the_openapi_document_lists_the_filter_values_that_name_a_row(
    client, create_organisation
):
    db.session.add_all(
        [
            Initiative(slug="green", title="Green", programme_period="2026"),
            Theme(slug="climate", name_nb="Klima", name_en="Climate"),
        ]
    )
    db.session.commit()
    org = create_organisation("NTNU")
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = {
        p["name"]: p["schema"]
        for p in document["paths"]["/events"]["get"]["parameters"]
        if p["name"] in {"initiative", "organisation", "theme"}
    }
    assert schemas == {
        name: {
            "type": "array",
            "items": {"type": "string", "enum": values},
            "maxItems": 50,
        }
        for name, values in {
            "initiative": ["1", "green"],
            "organisation": [str(org.id), "NTNU"],
            "theme": ["1", "climate"],
        }.items()
    }
    for name, schema in schemas.items():
        for value in schema["items"]["enum"]:
            response = client.get(
                "/api/v1/events", query_string={**WINDOW, name: value}
            )
            assert response.status_code == 200, (name, value)


def test_the_openapi_document_takes_no_filter_value_when_none_names_a_row(client):
    document = client.get("/api/v1/openapi.json").get_json()
    theme = next(
        p
        for p in document["paths"]["/visits"]["get"]["parameters"]
        if p["name"] == "theme"
    )
    assert theme["schema"] == {
        "type": "array",
        "items": {"type": "string"},
        "maxItems": 0,
    }


@pytest.mark.parametrize(
    "value",
    [
        "1899-12-31",
        "1900-01-01",
        "2199-12-31",
        "2200-01-01",
        "2026-02-30",
        "2026-11-26T09:00:00.123456+01:00",
        "2026-11-26T09:00:00.1234567+01:00",
        "2026-11-26t09:00:00z",
        "2026-11-26T24:00:00Z",
        "2026-11-26T09:00:60Z",
        "2026-11-26T09:00:00",
    ],
)
def test_the_openapi_document_takes_exactly_the_from_values_the_api_takes(
    client, value
):
    document = client.get("/api/v1/openapi.json").get_json()
    bound = next(
        p
        for p in document["paths"]["/events"]["get"]["parameters"]
        if p["name"] == "from"
    )["schema"]
    shaped = any(re.fullmatch(s["pattern"], value) for s in bound["anyOf"])
    valid_date = True
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        valid_date = False
    answer = client.get("/api/v1/events", query_string={"from": value})
    assert answer.status_code == (200 if shaped and valid_date else 400)


def test_exdates_carry_the_utc_offset_of_their_day_oldest_first(client, create_event):
    """Weekly at 10:00 Oslo time from March: one cancelled date in winter, one in summer."""
    event = create_event(
        "Weekly",
        start=datetime(2027, 3, 16, 9, 0, tzinfo=UTC),
        rrule="FREQ=WEEKLY;COUNT=5",
        exdates="2027-04-06T10:00,2027-03-23T10:00",
    )
    body = client.get(f"/api/v1/events/{event.id}").get_json()["data"]
    assert body["exdates"] == [
        "2027-03-23T10:00:00+01:00",
        "2027-04-06T10:00:00+02:00",
    ]


def test_the_openapi_document_states_the_markup_of_each_description(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {
        name: schemas[name]["properties"]["description"]["contentMediaType"]
        for name in ("Event", "ProgrammeItem", "Initiative")
    } == {
        "Event": "text/markdown",
        "ProgrammeItem": "text/plain",
        "Initiative": "text/plain",
    }


class TestRateLimit:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}

    def test_requests_over_the_limit_get_429_counted_per_token(
        self, client, create_user
    ):
        for _n in range(3):
            assert client.get("/api/v1/organisations").status_code == 200
        over = client.get("/api/v1/organisations")
        assert over.status_code == 429
        assert over.content_type == "application/problem+json"
        # A token has its own count, apart from the address's.
        token = _bearer(_token(create_user()))
        assert client.get("/api/v1/organisations", headers=token).status_code == 200

    def test_answers_carry_the_limit_what_is_left_and_when_it_resets(
        self, client, time_machine
    ):
        time_machine.move_to(NOW, tick=False)
        # Flask-Limiter rounds the end of the window up to the next second.
        reset = str(int(NOW.timestamp()) + 61)
        seen = []
        for _n in range(4):
            response = client.get("/api/v1/organisations")
            seen.append(
                (
                    response.status_code,
                    response.headers.get("X-RateLimit-Limit"),
                    response.headers.get("X-RateLimit-Remaining"),
                    response.headers.get("X-RateLimit-Reset"),
                )
            )
        assert seen == [
            (200, "3", "2", reset),
            (200, "3", "1", reset),
            (200, "3", "0", reset),
            (429, "3", "0", reset),
        ]
        assert client.get("/api/v1/organisations").headers["Retry-After"] == "61"
