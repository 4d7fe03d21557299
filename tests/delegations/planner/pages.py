"""Read the planner page back: visits, days, their entries and the clash warnings beside them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ShownDay:
    """A day heading and the titles listed under it."""

    heading: str
    entries: list[str] = field(default_factory=list)


@dataclass
class ShownPlanner:
    """What the planner page shows, as plain text."""

    count: str = ""
    visits: list[str] = field(default_factory=list)
    days: list[ShownDay] = field(default_factory=list)
    #: Clash warnings by the title of the visit or entry they stand beside.
    clashes: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


class _PlannerParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = ShownPlanner()
        self._capture: tuple[str, str, list[str]] | None = None  # target, end tag, text
        self._depth = 0
        self._owner = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if self._capture:
            self._depth += tag == self._capture[1]
            return
        if tag == "a" and attributes.get("rel") in ("prev", "next"):
            self.page.links[str(attributes["rel"])] = str(attributes.get("href"))
        target = (
            "count"
            if "planner__count" in classes
            else "day"
            if tag == "h3"
            else "title"
            if "planner__title" in classes
            else "clash"
            if "clash" in classes
            else None
        )
        if target:
            self._capture, self._depth = (target, tag, []), 0

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._capture[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._capture or tag != self._capture[1]:
            return
        if self._depth:
            self._depth -= 1
            return
        target, _tag, parts = self._capture
        self._capture = None
        text = re.sub(r"\s+", " ", "".join(parts)).strip()
        if target == "count":
            self.page.count = text
        elif target == "day":
            self.page.days.append(ShownDay(text))
        elif target == "title":
            self._owner = text
            if self.page.days:
                self.page.days[-1].entries.append(text)
            else:
                self.page.visits.append(text)
        elif target == "clash":
            self.page.clashes.setdefault(self._owner, []).append(text)


def read_planner(html: str) -> ShownPlanner:
    """Return what the planner page shows, as plain text."""
    parser = _PlannerParser()
    parser.feed(html)
    return parser.page
