"""Read calendar entries back out of rendered list pages, whatever the page's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class ShownEntry:
    """One `<li class="entry">` of a calendar list as the viewer sees it."""

    kind: str
    title: str
    is_cancelled: bool


class _EntryParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.entries: list[ShownEntry] = []
        self._classes: list[str] = []
        self._title: list[str] | None = None
        self._badge_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "li" and "entry" in classes:
            self._classes = classes
        elif tag in ("h2", "h3", "h4") and "entry__title" in classes:
            self._title = []
        elif tag == "span" and self._title is not None:
            # The "Cancelled" badge sits inside the title; it is not the title.
            self._badge_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._badge_depth:
            self._badge_depth -= 1
        elif tag in ("h2", "h3", "h4") and self._title is not None:
            kind = next(
                c.removeprefix("entry--")
                for c in self._classes
                if c.startswith("entry--") and c != "entry--cancelled"
            )
            title = " ".join("".join(self._title).split())
            self.entries.append(
                ShownEntry(kind, title, "entry--cancelled" in self._classes)
            )
            self._title = None

    def handle_data(self, data: str) -> None:
        if self._title is not None and not self._badge_depth:
            self._title.append(data)


def shown_entries(html: str) -> list[ShownEntry]:
    """Return the entries of a calendar list page, in page order."""
    parser = _EntryParser()
    parser.feed(html)
    parser.close()
    return parser.entries


def shown_titles(html: str) -> list[str]:
    """Return the titles of a calendar list page, in page order."""
    return [entry.title for entry in shown_entries(html)]


def shown_count(html: str) -> int:
    """Return the number in the upcoming page's item count ("15 items", "15 elementer")."""
    match = re.search(r'<p class="count"[^>]*>\D*(\d+)', html)
    assert match is not None, "no item count on the page"
    return int(match.group(1))


def home_total(html: str) -> int:
    """Return the number in the home page's "See all N upcoming items" link."""
    match = re.search(r'<a href="/upcoming">\D*(\d+)', html)
    assert match is not None, "no link to all upcoming items on the home page"
    return int(match.group(1))
