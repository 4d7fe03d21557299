"""Each feed item serialised once per change and kept by each worker.

Building and serialising a VEVENT costs about 0.3 ms (FACTS.md): 3 s for a
feed of 10,000 items. So a worker keeps every item it has serialised, under
a key that changes whenever anything the VEVENT shows may have changed (the
item's UID, SEQUENCE and `updated_dt`, its visit's for a programme item, the
language, and a stamp of the directory names shown in feeds). A feed rebuilt
after one change serialises that item only and joins the rest.

An edited item is a new key, so nothing stale is ever served; old keys leave
when the store is full, least recently used first. Entries are per app: tests
run many apps, and their databases reuse ids and times.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from flask import Flask

from calendar_feeds import FeedItem, ZoneSpan, item_zone_span, serialize_event


@dataclass(frozen=True)
class FeedEntry:
    """One item as feeds keep it: the item, its VEVENT bytes and the zone span they need."""

    item: FeedItem
    vevent: bytes
    zone: ZoneSpan | None

    @property
    def uid(self) -> str:
        return self.item.uid


def make_entry(item: FeedItem) -> FeedEntry:
    """Serialise `item` once."""
    return FeedEntry(item=item, vevent=serialize_event(item), zone=item_zone_span(item))


class EntryStore:
    """A thread-safe LRU of feed entries, bounded by number."""

    def __init__(self, size: int) -> None:
        self._size = max(size, 0)
        self._entries: OrderedDict[Hashable, FeedEntry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get_many(self, keys: Iterable[Hashable]) -> dict[Hashable, FeedEntry]:
        """Return the kept entries among `keys`, marking them recently used."""
        found: dict[Hashable, FeedEntry] = {}
        with self._lock:
            entries = self._entries
            for key in keys:
                entry = entries.get(key)
                if entry is not None:
                    entries.move_to_end(key)
                    found[key] = entry
        return found

    def put_many(self, entries: dict[Hashable, FeedEntry]) -> None:
        """Keep `entries`, dropping the least recently used beyond the size."""
        with self._lock:
            self._entries.update(entries)
            for key in entries:
                self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def entry_store(app: Flask) -> EntryStore:
    """Return the app's entry store, made on first use."""
    store = app.extensions.get("vertskap_feed_entries")
    if store is None:
        store = app.extensions.setdefault(
            "vertskap_feed_entries",
            EntryStore(int(app.config["FEED_ENTRY_CACHE_SIZE"])),
        )
    return store
