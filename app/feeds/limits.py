"""Rate limits of feed fetches: per client address, and per private feed token.

One counter for both ways a feed is answered: the views, and the lane that
answers unchanged feeds before Flask does (`app.feeds.lane`), so a fetch counts
once whichever answers it. Built on `limits` (the library under Flask-Limiter),
with the same storage (`RATELIMIT_STORAGE_URI`) and switch (`RATELIMIT_ENABLED`).
Tokens are counted by their hash: the raw token never reaches the storage.

With the default per-process storage (memory://) the counting is done here, in
fixed windows like `limits`' own: its memory storage starts a new timer thread
every 10 ms while counters exist, and under gunicorn's threads that cost about
80 us of CPU per fetch, more than the lane's whole answer (measured with
bench/feeds.py). Shared storages (redis:// ...) go through `limits`.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol

from flask import Flask
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.core.per_app import per_app
from app.core.security import hash_token

#: Same cap as `resolve_feed_token` hashes: a forged megabyte costs no more.
_MAX_HASHED = 64


def token_key(raw: str) -> str:
    """Return what a private feed's fetches are counted by: the hash of its token."""
    return hash_token(raw[:_MAX_HASHED])


class Windows(Protocol):
    """Counts hits of one limit per key, in fixed windows."""

    def hit(self, item: RateLimitItem, key: str) -> float | None:
        """Count a hit; return the seconds until the window ends if over the limit."""


class SharedWindows:
    """Fixed windows kept in a `limits` storage shared by processes (redis:// ...)."""

    def __init__(self, storage: str) -> None:
        self._limiter = FixedWindowRateLimiter(storage_from_string(storage))

    def hit(self, item: RateLimitItem, key: str) -> float | None:
        if self._limiter.hit(item, "feeds", key):
            return None
        reset = self._limiter.get_window_stats(item, "feeds", key).reset_time
        return reset - time.time()


class LocalWindows:
    """Fixed windows kept in this process, as `limits`' memory storage keeps them."""

    #: Counters of windows that have ended are dropped once there are this many.
    PRUNE_AT = 10_000

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, item: RateLimitItem, key: str) -> float | None:
        period = item.get_expiry()
        now = time.time()
        slot = (key, id(item))
        with self._lock:
            ends, count = self._counts.get(slot, (0.0, 0))
            if now >= ends:
                ends, count = now + period, 0
                if len(self._counts) >= self.PRUNE_AT:
                    self._prune(now)
            count += 1
            self._counts[slot] = (ends, count)
        return ends - now if count > item.amount else None

    def _prune(self, now: float) -> None:
        self._counts = {
            slot: kept for slot, kept in self._counts.items() if kept[0] > now
        }


class FeedLimits:
    """Counts feed fetches and says how long a client over its limit must wait."""

    def __init__(
        self, *, enabled: bool, storage: str, per_address: str, per_token: str
    ) -> None:
        self.enabled = enabled
        self._windows: Windows = (
            LocalWindows()
            if storage.startswith("memory://")
            else SharedWindows(storage)
        )
        self._per_address = parse(per_address)
        self._per_token = parse(per_token)

    def hit(self, address: str, token_hash: str | None = None) -> int | None:
        """Count one fetch; return the seconds to wait if a limit is exceeded, else None."""
        if not self.enabled:
            return None
        wait = self._windows.hit(self._per_address, "address:" + address)
        if wait is None and token_hash is not None:
            wait = self._windows.hit(self._per_token, "token:" + token_hash)
        return None if wait is None else max(1, math.ceil(wait))


def feed_limits(app: Flask) -> FeedLimits:
    """Return the app's feed limits, made on first use."""
    config = app.config
    return per_app(
        app,
        "vertskap_feed_limits",
        lambda: FeedLimits(
            enabled=bool(config["RATELIMIT_ENABLED"]),
            storage=str(config["RATELIMIT_STORAGE_URI"]),
            per_address=str(config["FEED_RATE_LIMIT"]),
            per_token=str(config["PRIVATE_FEED_RATE_LIMIT"]),
        ),
    )
