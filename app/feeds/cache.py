"""Assembled feeds kept in each worker's memory while the calendar does not change.

An entry is good while the calendar version it was built at is still current
(`app.core.calendar_version`), so an unchanged feed is answered, 304 or full,
without a query beyond reading that version, and its gzip form is compressed
once. Entries are per app (tests run many apps in one process) and few: the
least recently used one leaves first.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask

from app.core.http_cache import body_etag
from app.core.per_app import per_app


@dataclass
class CachedFeed:
    """One assembled feed, its validators, and its gzip form once asked for."""

    version: int
    body: bytes
    last_modified: datetime | None
    etag: str = ""
    _gzipped: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.etag = self.etag or body_etag(self.body)

    def gzipped(self) -> bytes:
        """Return the gzip form, compressed on first use (mtime 0: stable bytes)."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class FeedCache:
    """A small thread-safe LRU of assembled feeds, keyed by everything that shapes one."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, CachedFeed] = OrderedDict()
        self._lock = threading.Lock()
        #: One lock per feed being built: threads asking for it meanwhile wait
        #: for that build instead of repeating it (a cold worker under load).
        self._building: dict[Hashable, threading.Lock] = {}

    def get_or_build(
        self, key: Hashable, version: int, build: Callable[[], CachedFeed]
    ) -> CachedFeed:
        """Return the entry for `key` built at `version`, building it if there is none."""
        entry = self._current(key, version)
        if entry is not None:
            return entry
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        # Built outside the cache's lock: other feeds keep answering meanwhile.
        with building:
            entry = self._current(key, version)
            if entry is None:
                entry = build()
                self._keep(key, entry)
        with self._lock:
            if not building.locked():
                self._building.pop(key, None)
        return entry

    def _current(self, key: Hashable, version: int) -> CachedFeed | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == version:
                self._entries.move_to_end(key)
                return entry
        return None

    def _keep(self, key: Hashable, entry: CachedFeed) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def feed_cache(app: Flask) -> FeedCache:
    """Return the app's feed cache, made on first use."""
    return per_app(
        app,
        "vertskap_feed_cache",
        lambda: FeedCache(int(app.config["FEED_CACHE_ENTRIES"])),
    )
