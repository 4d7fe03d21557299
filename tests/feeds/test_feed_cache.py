"""Unchanged feeds come from the worker's cache: one small query, the same bytes, gzip once."""

from __future__ import annotations

import gzip
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from app.core.db import db
from app.feeds.cache import CachedFeed, FeedCache
from tests.fixtures.builders import NOW
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def test_an_unchanged_feed_costs_one_query_and_keeps_its_bytes(
    client: Any, create_event: Any
) -> None:
    create_event("Nordens dag")
    first = client.get("/feeds/public.ics")

    with count_statements() as statements:
        again = client.get("/feeds/public.ics")
        not_modified = client.get(
            "/feeds/public.ics", headers={"If-None-Match": first.headers["ETag"]}
        )

    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert not_modified.status_code == 304
    # Reading the calendar version is all either answer asks of the database.
    assert len(statements) == 2, statements


def test_a_change_shows_in_the_next_fetch(client: Any, create_event: Any) -> None:
    event = create_event("Nordens dag")
    before = client.get("/feeds/public.ics")
    event.title = "Nordens dag i rådhuset"
    db.session.commit()

    after = client.get(
        "/feeds/public.ics", headers={"If-None-Match": before.headers["ETag"]}
    )

    assert after.status_code == 200
    assert b"Nordens dag i r" in after.data
    assert after.headers["ETag"] != before.headers["ETag"]


def test_gzip_answers_reuse_one_compression(client: Any, create_event: Any) -> None:
    create_event("Nordens dag")
    plain = client.get("/feeds/public.ics").data
    answers = [
        client.get("/feeds/public.ics", headers={"Accept-Encoding": "gzip"})
        for _ in range(2)
    ]

    assert answers[0].data == answers[1].data
    assert gzip.decompress(answers[0].data) == plain
    assert answers[0].headers["ETag"].endswith('-gz"')


def test_threads_asking_for_a_feed_being_built_wait_for_that_one_build() -> None:
    cache = FeedCache(size=4)
    builds: list[int] = []

    def build() -> CachedFeed:
        builds.append(1)
        time.sleep(0.2)
        return CachedFeed(version=1, body=b"BEGIN:VCALENDAR", last_modified=None)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda _n: cache.get_or_build("public", 1, build), range(4))
        )

    assert builds == [1]
    assert all(answer is answers[0] for answer in answers)
