"""Rate limits of feed fetches: per client address, and per private feed token.

One counter for both ways a feed is answered: the views, and the lane that
answers unchanged feeds before Flask does (`app.feeds.lane`), so a fetch counts
once whichever answers it. Built on `limits` (the library under Flask-Limiter),
with the same storage (`RATELIMIT_STORAGE_URI`) and switch (`RATELIMIT_ENABLED`).
Tokens are counted by their hash: the raw token never reaches the storage.
"""

from __future__ import annotations

import math
import time

from flask import Flask
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.core.security import hash_token

#: Same cap as `resolve_feed_token` hashes: a forged megabyte costs no more.
_MAX_HASHED = 64


def token_key(raw: str) -> str:
    """Return what a private feed's fetches are counted by: the hash of its token."""
    return hash_token(raw[:_MAX_HASHED])


class FeedLimits:
    """Counts feed fetches and says how long a client over its limit must wait."""

    def __init__(
        self, *, enabled: bool, storage: str, per_address: str, per_token: str
    ) -> None:
        self.enabled = enabled
        self._limiter = FixedWindowRateLimiter(storage_from_string(storage))
        self._per_address = parse(per_address)
        self._per_token = parse(per_token)

    def hit(self, address: str, token_hash: str | None = None) -> int | None:
        """Count one fetch; return the seconds to wait if a limit is exceeded, else None."""
        if not self.enabled:
            return None
        checks: list[tuple[RateLimitItem, str]] = [
            (self._per_address, "address:" + address)
        ]
        if token_hash is not None:
            checks.append((self._per_token, "token:" + token_hash))
        for item, key in checks:
            if not self._limiter.hit(item, "feeds", key):
                reset = self._limiter.get_window_stats(item, "feeds", key).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None


def feed_limits(app: Flask) -> FeedLimits:
    """Return the app's feed limits, made on first use."""
    limits = app.extensions.get("vertskap_feed_limits")
    if limits is None:
        config = app.config
        limits = app.extensions.setdefault(
            "vertskap_feed_limits",
            FeedLimits(
                enabled=bool(config["RATELIMIT_ENABLED"]),
                storage=str(config["RATELIMIT_STORAGE_URI"]),
                per_address=str(config["FEED_RATE_LIMIT"]),
                per_token=str(config["PRIVATE_FEED_RATE_LIMIT"]),
            ),
        )
    return limits
