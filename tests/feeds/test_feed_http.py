"""Feeds over HTTP: content type, validators, 304, HEAD, gzip, caching and rate limits."""

from __future__ import annotations

import gzip
from datetime import timedelta
from typing import Any

import icalendar
import pytest

from app.core.db import db
from app.core.logging import redact
from app.feeds.tokens import create_feed_token, revoke_feed_token
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

#: Headers that must be equal between a GET and a HEAD, or two 404s.
COMPARED = (
    "Content-Type",
    "Content-Length",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Vary",
    "Content-Disposition",
    "Content-Encoding",
)


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> Any:
    """The views read the clock; pin it to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def feed(create_event) -> Any:
    return create_event("Forum meeting", description="Æ, ø og å.")


@pytest.fixture
def member_token(create_user) -> tuple[Any, str]:
    user = create_user("member@example.org")
    token, raw = create_feed_token(user, label="Phone", now=NOW)
    db.session.commit()
    return token, raw


def _headers(response: Any) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in COMPARED}


def test_public_feed_is_text_calendar_and_parses(client, feed):
    response = client.get("/feeds/public.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="public.ics"'
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [feed.uid]


def test_feeds_ask_clients_to_refresh_hourly(client, feed):
    calendar = icalendar.Calendar.from_ical(client.get("/feeds/public.ics").data)

    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"


def test_public_feed_name_is_localised_from_the_request(client, feed):
    nb = client.get("/feeds/public.ics", headers={"Accept-Language": "nb"}).data
    en = client.get("/feeds/public.ics?lang=en").data

    assert str(icalendar.Calendar.from_ical(en)["X-WR-CALNAME"]) == (
        "Vertskap – public calendar"
    )
    # Needs the feed msgids merged into messages.po and compiled.
    assert str(icalendar.Calendar.from_ical(nb)["X-WR-CALNAME"]) == (
        "Vertskap – offentlig kalender"
    )


def test_etag_is_stable_across_fetches_and_last_modified_is_the_newest_change(
    client, feed
):
    first = client.get("/feeds/public.ics")
    second = client.get("/feeds/public.ics")

    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["ETag"].startswith('"')
    assert first.data == second.data
    assert first.last_modified == NOW


def test_if_none_match_gets_304_without_a_body(client, feed):
    etag = client.get("/feeds/public.ics").headers["ETag"]

    response = client.get("/feeds/public.ics", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag


def test_if_none_match_with_an_old_tag_gets_the_new_feed(client, feed, clock):
    etag = client.get("/feeds/public.ics").headers["ETag"]
    clock.move_to(NOW + timedelta(minutes=5), tick=False)
    feed.title = "Forum meeting, moved"
    db.session.commit()

    response = client.get("/feeds/public.ics", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_if_modified_since_gets_304_when_nothing_changed(client, feed, clock):
    last_modified = client.get("/feeds/public.ics").headers["Last-Modified"]

    unchanged = client.get(
        "/feeds/public.ics", headers={"If-Modified-Since": last_modified}
    )
    clock.move_to(NOW + timedelta(minutes=5), tick=False)
    feed.title = "Forum meeting, moved"
    db.session.commit()
    changed = client.get(
        "/feeds/public.ics", headers={"If-Modified-Since": last_modified}
    )

    assert unchanged.status_code == 304
    assert changed.status_code == 200


def test_if_none_match_wins_over_if_modified_since(client, feed):
    last_modified = client.get("/feeds/public.ics").headers["Last-Modified"]

    response = client.get(
        "/feeds/public.ics",
        headers={"If-None-Match": '"other"', "If-Modified-Since": last_modified},
    )

    assert response.status_code == 200


def test_head_has_the_headers_of_get_and_no_body(client, feed):
    get = client.get("/feeds/public.ics")
    head = client.head("/feeds/public.ics")

    assert head.status_code == 200
    assert head.data == b""
    assert _headers(head) == _headers(get)


def test_gzip_body_decodes_to_the_same_bytes_under_its_own_etag(client, feed):
    plain = client.get("/feeds/public.ics")
    zipped = client.get("/feeds/public.ics", headers={"Accept-Encoding": "gzip"})
    again = client.get(
        "/feeds/public.ics",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
    )

    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gz"'
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert again.status_code == 304


def test_public_feed_is_publicly_cacheable_and_token_feeds_are_private(
    client, feed, member_token, create_delegation
):
    _token, raw = member_token
    visit = create_delegation()

    public = client.get("/feeds/public.ics")
    private = client.get(f"/feeds/{raw}.ics")
    programme = client.get(f"/visits/{visit.id}/programme.ics")

    assert public.headers["Cache-Control"] == "public, max-age=900"
    assert private.headers["Cache-Control"] == "private, max-age=900"
    assert programme.headers["Cache-Control"] == "private, max-age=900"
    assert private.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_event_download_is_an_attachment_with_validators(client, feed):
    response = client.get(f"/events/{feed.id}.ics")
    again = client.get(
        f"/events/{feed.id}.ics", headers={"If-None-Match": response.headers["ETag"]}
    )

    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="event-{feed.id}.ics"'
    )
    assert response.headers["Cache-Control"] == "private, max-age=900"
    assert again.status_code == 304


def test_unknown_token_gets_the_same_404_as_a_revoked_one(client, member_token):
    token, raw = member_token
    revoke_feed_token(token, actor=token.user, now=NOW)
    db.session.commit()

    revoked = client.get(f"/feeds/{raw}.ics")
    unknown = client.get(f"/feeds/{'x' * 43}.ics")

    assert revoked.status_code == unknown.status_code == 404
    assert revoked.data == unknown.data
    assert _headers(revoked) == _headers(unknown)


class TestRateLimits:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {
            "RATELIMIT_ENABLED": True,
            "FEED_RATE_LIMIT": "3 per minute",
            "PRIVATE_FEED_RATE_LIMIT": "2 per minute",
        }

    def test_feeds_are_rate_limited_per_address(self, client):
        codes = [client.get("/feeds/public.ics").status_code for _ in range(4)]

        assert codes == [200, 200, 200, 429]

    def test_private_feed_is_rate_limited_per_token_whether_it_exists_or_not(
        self, client, member_token
    ):
        _token, raw = member_token
        real = [
            client.get(
                f"/feeds/{raw}.ics", environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}
            ).status_code
            for i in range(3)
        ]
        unknown = [
            client.get(
                f"/feeds/{'y' * 43}.ics", environ_base={"REMOTE_ADDR": f"10.0.1.{i}"}
            )
            for i in range(3)
        ]
        real_429 = client.get(
            f"/feeds/{raw}.ics", environ_base={"REMOTE_ADDR": "10.0.2.1"}
        )

        assert real == [200, 200, 429]
        assert [r.status_code for r in unknown] == [404, 404, 429]
        assert unknown[2].data == real_429.data == b"Too many requests\n"
        assert _headers(unknown[2]) == _headers(real_429)
        assert "Set-Cookie" not in real_429.headers


def test_request_log_line_of_a_private_feed_hides_the_token(member_token):
    _token, raw = member_token

    line = redact(f'127.0.0.1 - - "GET /feeds/{raw}.ics?kind=event HTTP/1.1" 200 -')

    assert raw not in line
    assert '"GET /feeds/[redacted].ics?kind=event HTTP/1.1"' in line
