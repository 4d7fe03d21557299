"""Each feed item serialised once per change and kept by each worker.

Building and serialising a VEVENT costs about 0.3 ms (FACTS.md): 3 s for a
feed of 10,000 items. So a worker keeps every item it has serialised with the
stamp it was built at: its SEQUENCE and `updated_dt`, and its visit's
`updated_dt` for a programme item (the visit lends it status and time zone).
Entries are kept per language and per stamp of the directory names feeds show
(`app.feeds.services`). A feed rebuilt after one change serialises that item
only and joins the rest.

An edited item has a new stamp, so nothing stale is ever served. Old entries
stay until the store holds more than its size, then all are dropped and the
next build serialises again. Entries are per app: tests run many apps, and
their databases reuse ids and times.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import Flask

from app.core.per_app import per_app
from calendar_feeds import FeedItem, ZoneSpan, item_zone_span, serialize_event


@dataclass(frozen=True, slots=True)
class Stamp:
    """What an item's VEVENT was built from, beyond the language and directory."""

    sequence: int
    updated: datetime
    #: The visit's `updated_dt`, for a programme item.
    parent_updated: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item as feeds keep it: the item, its VEVENT bytes and the zone span they need."""

    item: FeedItem
    vevent: bytes
    zone: ZoneSpan | None
    stamp: Stamp
    #: SHA-256 of `vevent`: a feed's ETag is made of these, not of its bytes.
    digest: bytes

    @property
    def uid(self) -> str:
        return self.item.uid


def make_entry(item: FeedItem, stamp: Stamp) -> FeedEntry:
    """Serialise `item` once."""
    vevent = serialize_event(item)
    return FeedEntry(
        item=item,
        vevent=vevent,
        zone=item_zone_span(item),
        stamp=stamp,
        digest=hashlib.sha256(vevent).digest(),
    )


Partition = dict[str, FeedEntry]


class EntryStore:
    """Kept entries by language and directory stamp, then by UID."""

    def __init__(self, size: int) -> None:
        self._size = max(size, 0)
        self._partitions: dict[tuple[str, str], Partition] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(partition) for partition in self._partitions.values())

    def partition(self, language: str, directory: str) -> Partition:
        """Return the entries of one language at one directory stamp, for reading.

        Entries kept at any other directory stamp can never be used again and
        are dropped.
        """
        key = (language, directory)
        found = self._partitions.get(key)
        if found is not None:
            return found
        with self._lock:
            for old in [k for k in self._partitions if k[1] != directory]:
                del self._partitions[old]
            return self._partitions.setdefault(key, {})

    def keep(self, language: str, directory: str, entries: list[FeedEntry]) -> None:
        """Keep `entries`; when the store is over its size, drop everything first."""
        with self._lock:
            if len(self) + len(entries) > self._size:
                self._partitions.clear()
            partition = self._partitions.setdefault((language, directory), {})
            for entry in entries:
                partition[entry.uid] = entry
        if len(entries) >= SETTLE_AFTER:
            settle_heap()


#: A build that kept this many new entries settles the heap (`settle_heap`).
SETTLE_AFTER = 1000


def settle_heap() -> None:
    """Collect garbage once, then exempt every object alive from later full collections.

    Tens of thousands of kept entries make each full collection of Python's
    cyclic garbage collector cost 100 ms or more, and one falls, now and then,
    inside a rebuild or among 304 answers. Kept entries hold no reference
    cycles, so once frozen (`gc.freeze`) they are still freed by reference
    counting when replaced; only the collector stops walking them. Called
    after a large build, which takes seconds anyway.
    """
    gc.collect()
    gc.freeze()


def entry_store(app: Flask) -> EntryStore:
    """Return the app's entry store, made on first use."""
    return per_app(
        app,
        "vertskap_feed_entries",
        lambda: EntryStore(int(app.config["FEED_ENTRY_CACHE_SIZE"])),
    )
