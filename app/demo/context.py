"""State of one demo load: rows found or added so far, and what was added."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from app.auth.models import Role, User
from app.calendar.models import Event
from app.core.db import db
from app.delegations.models import ChecklistTemplate, Delegation, ProtocolLevel
from app.directory.models import City, Initiative, Official, Organisation, Theme, Venue
from calendar_feeds import make_uid


@dataclass(frozen=True)
class DemoLogin:
    """A demo account created by this run, with its password."""

    role: Role
    email: str
    password: str


@dataclass
class DemoSummary:
    """What one run of the loader added."""

    #: Rows added per kind, in the order they were loaded.
    created: dict[str, int] = field(default_factory=dict)
    #: Log-ins of the users created by this run (none on a rerun).
    logins: list[DemoLogin] = field(default_factory=list)

    def add(self, kind: str, count: int = 1) -> None:
        """Count `count` new rows of `kind`."""
        self.created[kind] = self.created.get(kind, 0) + count

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def describe(self) -> str:
        """Return a text summary for the command line, with the new log-ins."""
        if not self.total:
            return "Demo data already loaded; nothing added."
        lines = ["Demo data loaded:"]
        lines += [f"  {kind}: {count}" for kind, count in self.created.items() if count]
        if self.logins:
            lines.append("Demo log-ins (role, e-mail, password):")
            lines += [
                f"  {login.role.value:<14} {login.email:<28} {login.password}"
                for login in self.logins
            ]
        return "\n".join(lines)


@dataclass
class LoadContext:
    """Rows loaded so far, by natural key, and the clock of this run."""

    now: datetime
    today: date
    domain: str
    summary: DemoSummary = field(default_factory=DemoSummary)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    cities: dict[tuple[str, str], City] = field(default_factory=dict)
    venues: dict[str, Venue] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    officials: dict[str, Official] = field(default_factory=dict)
    initiatives: dict[str, Initiative] = field(default_factory=dict)
    templates: dict[ProtocolLevel, ChecklistTemplate] = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)
    #: Events added by this run, by slug.
    events: dict[str, Event] = field(default_factory=dict)

    def add(self, kind: str, row: object) -> None:
        """Add a new row to the session and count it."""
        db.session.add(row)
        self.summary.add(kind)

    def uid(self, kind: str, slug: str) -> str:
        """Return the permanent UID of the demo item `slug`."""
        return make_uid(kind, f"demo-{slug}", self.domain)

    def organisation(self, short_name: str | None) -> Organisation | None:
        return self.organisations[short_name] if short_name else None

    def initiative(self, slug: str | None) -> Initiative | None:
        return self.initiatives[slug] if slug else None

    def theme_list(self, slugs: Iterable[str]) -> list[Theme]:
        return [self.themes[slug] for slug in slugs]
