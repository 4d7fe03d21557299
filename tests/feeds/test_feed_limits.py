"""Feed rate limits: the in-process windows count as `limits`' own storage does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from limits import parse

from app.feeds.limits import FeedLimits, LocalWindows, SharedWindows, Windows
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> Any:
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.mark.parametrize(
    "windows",
    [LocalWindows, lambda: SharedWindows("memory://")],
    ids=["local", "limits"],
)
def test_windows_allow_the_amount_then_say_when_the_window_ends(
    windows: Any, clock: Any
) -> None:
    counter: Windows = windows()
    item = parse("3 per minute")

    first = [counter.hit(item, "address:10.0.0.1") for _ in range(4)]
    other = counter.hit(item, "address:10.0.0.2")
    clock.move_to(NOW + timedelta(seconds=30), tick=False)
    later = counter.hit(item, "address:10.0.0.1")
    clock.move_to(NOW + timedelta(seconds=61), tick=False)
    renewed = counter.hit(item, "address:10.0.0.1")

    assert first[:3] == [None, None, None]
    assert first[3] == pytest.approx(60, abs=1)
    assert other is None
    assert later == pytest.approx(30, abs=1)
    assert renewed is None


def test_local_windows_drop_the_counters_of_ended_windows(clock: Any) -> None:
    counter = LocalWindows()
    counter.PRUNE_AT = 10
    item = parse("1 per minute")
    for n in range(10):
        counter.hit(item, f"address:10.0.0.{n}")
    clock.move_to(NOW + timedelta(minutes=2), tick=False)

    counter.hit(item, "address:10.0.1.1")

    assert len(counter._counts) == 1


def test_feed_limits_count_the_address_then_the_token() -> None:
    limits = FeedLimits(
        enabled=True,
        storage="memory://",
        per_address="3 per minute",
        per_token="1 per minute",
    )
    off = FeedLimits(
        enabled=False,
        storage="memory://",
        per_address="1 per hour",
        per_token="1 per hour",
    )

    token = [limits.hit("10.0.0.1", "abc") for _ in range(2)]
    address = [limits.hit("10.0.0.1") for _ in range(2)]

    assert token == [None, 60]
    assert address == [None, 60]  # the two token fetches counted for the address too
    assert [off.hit("10.0.0.1") for _ in range(3)] == [None, None, None]
