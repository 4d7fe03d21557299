"""The feed lane answers unchanged feeds before Flask, exactly as the views would."""

from __future__ import annotations

import gc
import time
from datetime import timedelta
from typing import Any

import icalendar
import pytest
from flask import Flask, request
from werkzeug.wsgi import FileWrapper

from app.core.db import db
from app.feeds.lane import FILE_THRESHOLD, BodyFile
from app.feeds.tokens import create_feed_token
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

PUBLIC = "/feeds/public.ics"


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> Any:
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def views(app: Flask) -> list[str]:
    """The paths of the requests Flask itself handled (the lane's never get here)."""
    entered: list[str] = []
    app.before_request(lambda: entered.append(request.path))
    return entered


@pytest.fixture
def event(create_event: Any) -> Any:
    return create_event("Nordens dag", description="Æ, ø og å.")


def _headers(response: Any) -> dict[str, str]:
    return {name: value for name, value in response.headers if name != "Date"}


def test_an_unchanged_feed_is_answered_again_without_entering_flask(
    client: Any, event: Any, views: list[str]
) -> None:
    first = client.get(PUBLIC)
    again = client.get(PUBLIC)
    not_modified = client.get(PUBLIC, headers={"If-None-Match": first.headers["ETag"]})
    head = client.head(PUBLIC)

    assert views == [PUBLIC]
    assert again.data == first.data
    assert _headers(again) == _headers(first)
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    assert (head.status_code, head.data) == (200, b"")
    assert _headers(head) == _headers(first)


def test_the_lane_answers_304_with_the_headers_the_view_gives(
    client: Any, event: Any, views: list[str]
) -> None:
    etag = client.get(PUBLIC).headers["ETag"]
    since = client.get(PUBLIC).headers["Last-Modified"]

    # Another Accept-Language is another key: the view answers that one.
    from_view = client.get(
        PUBLIC, headers={"If-None-Match": etag, "Accept-Language": "nb"}
    )
    from_lane = client.get(PUBLIC, headers={"If-None-Match": etag})
    by_date = client.get(PUBLIC, headers={"If-Modified-Since": since})
    other_tag = client.get(PUBLIC, headers={"If-None-Match": '"something-else"'})

    assert views == [PUBLIC, PUBLIC]
    assert from_view.status_code == from_lane.status_code == by_date.status_code == 304
    assert _headers(from_lane) == _headers(from_view)
    assert "Content-Length" not in from_lane.headers
    assert other_tag.status_code == 200


def test_a_change_or_a_new_day_sends_the_next_fetch_through_the_view(
    client: Any, event: Any, views: list[str], clock: Any
) -> None:
    before = client.get(PUBLIC)
    clock.move_to(NOW + timedelta(minutes=1), tick=False)
    event.title = "Nordens dag i rådhuset"
    db.session.commit()
    changed = client.get(PUBLIC)
    clock.move_to(NOW + timedelta(days=1), tick=False)
    client.get(PUBLIC)

    assert changed.data != before.data
    assert "SUMMARY:Nordens dag i rådhuset".encode() in changed.data
    assert views == [PUBLIC, PUBLIC, PUBLIC]


def test_each_private_feed_is_its_owner_s_and_follows_the_owner_at_once(
    client: Any, event: Any, create_user: Any, views: list[str]
) -> None:
    nb_owner = create_user(locale="nb")
    en_owner = create_user(locale="en")
    _token, nb = create_feed_token(nb_owner, label="Phone", now=NOW)
    _token, en = create_feed_token(en_owner, label="Phone", now=NOW)
    db.session.commit()

    def name(raw: str) -> str:
        body = client.get(f"/feeds/{raw}.ics").data
        return str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"])

    names = [name(nb), name(en), name(nb), name(en)]
    nb_owner.locale = "en"
    db.session.commit()
    switched = name(nb)
    nb_owner.is_active = False
    db.session.commit()
    gone = client.get(f"/feeds/{nb}.ics")

    assert names[0] == names[2] != names[1] == names[3]
    assert switched == names[1]
    assert gone.status_code == 404
    assert len(views) == 4  # two first fetches, the language change, the 404


def test_a_404_is_never_kept(client: Any, views: list[str]) -> None:
    unknown = f"/feeds/{'z' * 43}.ics"

    codes = [client.get(unknown).status_code for _ in range(2)]

    assert codes == [404, 404]
    assert views == [unknown, unknown]


def test_other_paths_and_methods_pass_through_to_plain_errors(
    client: Any, event: Any
) -> None:
    client.get(PUBLIC)

    posted = client.post(PUBLIC)
    nested = client.get("/feeds/a/public.ics")

    assert (posted.status_code, posted.data) == (405, b"Method Not Allowed\n")
    assert (nested.status_code, nested.data) == (404, b"Not Found\n")
    assert "Set-Cookie" not in posted.headers


class TestExpiry:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {"FEED_LANE_SECONDS": 0}

    def test_a_kept_answer_older_than_the_lane_seconds_goes_to_the_view(
        self, client: Any, event: Any, views: list[str]
    ) -> None:
        first = client.get(PUBLIC)
        again = client.get(PUBLIC)

        assert again.data == first.data
        assert views == [PUBLIC, PUBLIC]


class TestLimits:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {
            "RATELIMIT_ENABLED": True,
            "FEED_RATE_LIMIT": "100 per minute",
            "PRIVATE_FEED_RATE_LIMIT": "2 per minute",
        }

    def test_a_fetch_counts_once_whichever_answers_it(
        self, client: Any, event: Any, create_user: Any, views: list[str]
    ) -> None:
        _token, raw = create_feed_token(create_user(), label="Phone", now=NOW)
        db.session.commit()
        path = f"/feeds/{raw}.ics"

        answers = [client.get(path) for _ in range(3)]

        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].data == b"Too many requests\n"
        assert int(answers[2].headers["Retry-After"]) > 0
        # The view answered the first and the refusal; the lane the second.
        assert views == [path, path]


def test_feeds_get_no_session_so_a_cdn_may_cache_the_public_one(
    client: Any, event: Any, create_user: Any, login: Any
) -> None:
    login(create_user())

    answer = client.get(PUBLIC)

    assert answer.headers["Vary"] == "Accept-Encoding, Accept-Language"
    assert "Set-Cookie" not in answer.headers


def test_a_large_body_goes_to_the_server_as_a_file_with_the_same_bytes(
    app: Flask, client: Any, create_event: Any, views: list[str]
) -> None:
    for n in range(30):
        create_event(f"Seminar {n}", description="Ø" * 3000)
    environ = {"wsgi.file_wrapper": FileWrapper}
    first = client.get(PUBLIC, environ_base=environ)
    with client.get(PUBLIC, environ_base=environ) as again:  # closes the file
        sent = again.get_data()
    without = client.get(PUBLIC)

    assert len(first.data) > FILE_THRESHOLD
    assert sent == without.data == first.data
    assert again.headers["Content-Length"] == str(len(first.data))
    assert views == [PUBLIC]
    [kept] = app.wsgi_app._answers.values()  # type: ignore[attr-defined]
    assert kept.file is not None


def test_a_body_file_reads_back_and_is_closed_with_its_last_holder() -> None:
    body = "Næringsforeningen i Trondheimsregionen\r\n".encode() * 5000
    held = BodyFile.holding(body)
    assert held is not None
    closer = held._finalizer

    with held.open() as one, held.open() as two:
        one.seek(100)
        assert two.read() == body  # each open has its own offset
    assert closer.alive
    del held
    gc.collect()

    assert not closer.alive


class TestRefresh:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {"FEED_LANE_SECONDS": 0.2}

    def test_a_304_through_the_view_keeps_the_body_for_full_fetches(
        self, client: Any, event: Any, views: list[str]
    ) -> None:
        first = client.get(PUBLIC)
        time.sleep(0.3)  # the kept answer expires: the next fetch asks the view
        not_modified = client.get(
            PUBLIC, headers={"If-None-Match": first.headers["ETag"]}
        )
        full = client.get(PUBLIC)

        assert not_modified.status_code == 304
        assert full.data == first.data
        assert views == [PUBLIC, PUBLIC]
