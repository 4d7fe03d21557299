"""The annual report counts what each reader may see, and its numbers match the database.

The expected numbers are counted here with plain queries and the visibility
rule written out per audience, not through the report's service, so a bug in
the service's grouping or filtering shows as a difference.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa
from babel import Locale
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext as _

from app.calendar.models import Event, EventStatus
from app.core.db import db
from app.core.i18n import babel_locale
from app.core.visibility import Visibility
from app.delegations.forms import PROTOCOL_LABELS, STATUS_LABELS
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    FollowUp,
    FollowUpStatus,
    ProtocolLevel,
)
from app.demo.data import ADMIN_EMAIL, MAYORS_OFFICE_EMAIL, MEMBER_EMAIL
from app.directory.models import Initiative, Organisation
from tests.fixtures.builders import NOW
from tests.fixtures.database import IsolatedClient
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

#: Each role's demo log-in, and the visibilities it may see (DESIGN.md section 4).
ROLES: dict[str, tuple[tuple[str, str] | None, tuple[str, ...]]] = {
    "anonymous": (None, ("public",)),
    "member": ((MEMBER_EMAIL, "vertskap-medlem-demo"), ("public", "forum")),
    "mayors_office": (
        (MAYORS_OFFICE_EMAIL, "vertskap-ordforer-demo"),
        ("public", "forum", "internal"),
    ),
    "admin": ((ADMIN_EMAIL, "vertskap-admin-demo"), ("public", "forum", "internal")),
}
#: The seed document's year and the demo's own.
DEMO_YEARS = (2011, NOW.year)
HELD = ("confirmed", "completed")

Rows = list[tuple[str, list[int]]]


# ---- reading the page ----------------------------------------------------------


class _Report(HTMLParser):
    """Collects every report table by id (`table-<key>`): its rows' labels and numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.tables: dict[str, Rows] = {}
        self.ids: list[str] = []
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "table" and (found.get("id") or "").startswith("table-"):
            self._table = str(found["id"]).removeprefix("table-")
            self.tables[self._table] = []
        elif self._table and tag == "tbody":
            self._in_body = True
        elif self._table and self._in_body and tag == "tr":
            self.tables[self._table].append(("", []))
        elif self._table and self._in_body and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table, self._in_body = None, False
        elif tag in ("th", "td") and self._cell is not None and self._table:
            text = "".join(self._cell).strip()
            _label, values = self.tables[self._table][-1]
            if tag == "th":
                self.tables[self._table][-1] = (text, values)
            else:
                values.append(int(re.sub(r"\D", "", text)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _log_in(client: FlaskClient, role: str) -> None:
    login = ROLES[role][0]
    if login is not None:
        email, password = login
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302


def _read(client: FlaskClient, year: int) -> _Report:
    response = client.get(f"/reports/annual/{year}")
    assert response.status_code == 200
    report = _Report()
    report.feed(response.get_data(as_text=True))
    return report


# ---- the expected numbers, counted directly --------------------------------------


def _bounds(year: int) -> tuple[datetime, datetime]:
    oslo = ZoneInfo("Europe/Oslo")
    return (
        datetime(year, 1, 1, tzinfo=oslo).astimezone(UTC),
        datetime(year + 1, 1, 1, tzinfo=oslo).astimezone(UTC),
    )


def _ranked(counts: dict[Any, list[int]], labels: dict[Any, str], nobody: str) -> Rows:
    """Most first, then by name; the bucket without a key last."""
    rows = sorted(
        ((labels[key], values) for key, values in counts.items() if key is not None),
        key=lambda pair: (-pair[1][0], pair[0].casefold()),
    )
    if None in counts:
        rows.append((nobody, counts[None]))
    return rows


def _visit_tables(year: int, allowed: tuple[str, ...], lang: str) -> dict[str, Rows]:
    start, end = _bounds(year)
    in_year = (
        Delegation.visibility.in_(allowed),
        Delegation.arrival_dt >= start,
        Delegation.arrival_dt < end,
    )
    territories = Locale.parse(babel_locale(lang)).territories
    tables: dict[str, Rows] = {}
    by_status = Counter(
        {
            (status, direction): n
            for status, direction, n in db.session.execute(
                sa.select(Delegation.status, Delegation.direction, sa.func.count())
                .where(*in_year)
                .group_by(Delegation.status, Delegation.direction)
            )
        }
    )
    tables["visits-status"] = [
        (
            str(STATUS_LABELS[status]),
            [
                by_status[status, Direction.incoming],
                by_status[status, Direction.outgoing],
            ],
        )
        for status in DelegationStatus
    ]
    for direction in Direction:
        held = (
            *in_year,
            Delegation.direction == direction,
            Delegation.status.in_(HELD),
        )

        def grouped(
            column: Any, *joined: Any, held: Any = held
        ) -> dict[Any, list[int]]:
            query = sa.select(column, sa.func.count()).select_from(Delegation)
            for target, on in joined:
                query = query.outerjoin(target, on)
            return {
                key: [n]
                for key, n in db.session.execute(query.where(*held).group_by(column))
            }

        countries = grouped(Delegation.country)
        tables[f"{direction.value}-country"] = _ranked(
            countries, {code: territories[code] for code in countries}, ""
        )
        levels = grouped(Delegation.protocol_level)
        tables[f"{direction.value}-protocol-level"] = [
            (str(PROTOCOL_LABELS[level]), levels.get(level, [0]))
            for level in ProtocolLevel
        ]
        initiatives = grouped(Delegation.initiative_id)
        titles = dict(
            db.session.execute(sa.select(Initiative.id, Initiative.title)).all()
        )
        tables[f"{direction.value}-initiative"] = _ranked(
            initiatives, titles, _("No initiative")
        )
        hosts = grouped(Delegation.host_organisation_id)
        names = dict(
            db.session.execute(sa.select(Organisation.id, Organisation.name)).all()
        )
        tables[f"{direction.value}-host"] = _ranked(
            hosts, names, _("No host organisation")
        )
    return tables


def _event_tables(year: int, allowed: tuple[str, ...]) -> dict[str, Rows]:
    """Every not cancelled event seen by the audience, kept when an occurrence starts in the year."""
    start, end = _bounds(year)
    by_initiative: dict[Any, list[int]] = {}
    by_organiser: dict[Any, list[int]] = {}
    organisers: dict[Any, str] = {}
    titles = dict(db.session.execute(sa.select(Initiative.id, Initiative.title)).all())
    for event in db.session.scalars(
        sa.select(Event).where(
            Event.visibility.in_(allowed), Event.status != EventStatus.cancelled
        )
    ):
        found = [
            o
            for o in event.occurrences_between(start - timedelta(days=2), end)
            if start <= o.start_dt < end
        ]
        if not found:
            continue
        who: Any = None
        if event.organiser is not None:
            who, organisers[who] = ("org", event.organiser_id), event.organiser.name
        elif event.organiser_name.strip():
            who = ("name", event.organiser_name.strip())
            organisers[who] = event.organiser_name
        for tally, key in ((by_initiative, event.initiative_id), (by_organiser, who)):
            events, occurrences = tally.get(key, [0, 0])
            tally[key] = [events + 1, occurrences + len(found)]
    return {
        "events-initiative": _ranked(by_initiative, titles, _("No initiative")),
        "events-organiser": _ranked(by_organiser, organisers, _("No organiser")),
    }


def _followup_rows(year: int) -> Rows:
    start, end = _bounds(year)

    def count(*where: Any) -> int:
        return (
            db.session.scalar(sa.select(sa.func.count(FollowUp.id)).where(*where)) or 0
        )

    closed = (FollowUp.closed_dt >= start, FollowUp.closed_dt < end)
    return [
        (
            _("Opened in the year"),
            [count(FollowUp.created_dt >= start, FollowUp.created_dt < end)],
        ),
        (
            _("Closed in the year as done"),
            [count(*closed, FollowUp.status == FollowUpStatus.done)],
        ),
        (
            _("Closed in the year as dropped"),
            [count(*closed, FollowUp.status == FollowUpStatus.dropped)],
        ),
        (
            _("Still open at the end of the year"),
            [
                count(
                    FollowUp.created_dt < end,
                    sa.or_(FollowUp.closed_dt.is_(None), FollowUp.closed_dt >= end),
                )
            ],
        ),
    ]


def _expected(app: Flask, year: int, role: str, lang: str) -> dict[str, Rows]:
    """Every table the page should show to `role`, counted straight from the database."""
    allowed = ROLES[role][1]
    with app.test_request_context(), force_locale(babel_locale(lang)):
        tables = {**_visit_tables(year, allowed, lang), **_event_tables(year, allowed)}
        staff = "internal" in allowed
        if staff:
            tables["followups"] = _followup_rows(year)
        totals = {
            direction: sum(
                values[0] for _label, values in tables[f"{direction}-protocol-level"]
            )
            for direction in ("incoming", "outgoing")
        }
        events = [values for _label, values in tables["events-initiative"]]
        summary = [
            (_("Incoming visits"), [totals["incoming"]]),
            (_("Outgoing visits"), [totals["outgoing"]]),
            (_("Events"), [sum(v[0] for v in events)]),
            (_("Event occurrences"), [sum(v[1] for v in events)]),
        ]
        if staff:
            followups = dict(tables["followups"])
            summary += [
                (_("Follow-up items opened"), followups[_("Opened in the year")]),
                (
                    _("Follow-up items closed"),
                    [
                        followups[_("Closed in the year as done")][0]
                        + followups[_("Closed in the year as dropped")][0]
                    ],
                ),
            ]
        tables["summary"] = summary
    # The page shows no table for a breakdown with nothing in it.
    return {key: rows for key, rows in tables.items() if rows}


# ---- fixtures ----------------------------------------------------------------------


@contextmanager
def _as(app: Flask, role: str) -> Iterator[FlaskClient]:
    """Yield a client of its own logged in as `role`: several readers in one test."""
    app.test_client_class = IsolatedClient
    client = app.test_client()
    _log_in(client, role)
    yield client


# ---- tests -------------------------------------------------------------------------


def _demo_years() -> list[int]:
    """Every Oslo year in which a demo visit arrives or a demo event starts."""
    oslo = ZoneInfo("Europe/Oslo")
    instants = db.session.scalars(sa.select(Delegation.arrival_dt)).all()
    instants += db.session.scalars(sa.select(Event.start_dt)).all()
    return sorted({instant.astimezone(oslo).year for instant in instants})


@pytest.mark.parametrize("role", list(ROLES))
def test_every_count_matches_the_database_for_each_role_and_demo_year(
    app: Flask, demo_data: None, role: str
) -> None:
    years = _demo_years()
    assert set(DEMO_YEARS) <= set(years)
    with _as(app, role) as client:
        for year in years:
            page = _read(client, year)

            expected = _expected(app, year, role, page.lang)

            assert page.tables == expected, (role, year)


def test_the_demo_years_have_visits_and_events_to_count(
    app: Flask, demo_data: None
) -> None:
    for year in DEMO_YEARS:
        tables = _expected(app, year, "anonymous", "en")

        visits = sum(sum(values) for _label, values in tables["visits-status"])
        summary = dict(tables["summary"])
        assert visits > 0, year
        assert summary["Events"][0] > 0, year


def test_the_workbook_has_the_numbers_of_the_page(app: Flask, demo_data: None) -> None:
    with _as(app, "admin") as client:
        page = _read(client, NOW.year)

        response = client.get(f"/reports/annual/{NOW.year}.xlsx")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert (
        f"vertskap-annual-report-{NOW.year}.xlsx"
        in response.headers["Content-Disposition"]
    )
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheets = [
        [
            (row[0] or "", list(row[1:]))
            for row in sheet.iter_rows(min_row=2, values_only=True)
        ]
        for sheet in book.worksheets
    ]
    # One sheet per table of the page, in page order; empty breakdowns have an empty sheet.
    assert [rows for rows in sheets if rows] == list(page.tables.values())


def test_hidden_visits_count_only_for_those_who_may_see_them(
    app: Flask, demo_data: None, create_delegation: Any
) -> None:
    clients = {}
    app.test_client_class = IsolatedClient
    for role in ("anonymous", "member", "admin"):
        clients[role] = app.test_client()
        _log_in(clients[role], role)

    def incoming() -> dict[str, int]:
        # The summary's first row: the incoming visits counted.
        return {
            role: _read(client, NOW.year).tables["summary"][0][1][0]
            for role, client in clients.items()
        }

    before = incoming()
    create_delegation("Internal talks", arrival=NOW, visibility=Visibility.internal)
    after_internal = incoming()
    create_delegation("Forum seminar", arrival=NOW, visibility=Visibility.forum)
    after_forum = incoming()

    assert after_internal == {**before, "admin": before["admin"] + 1}
    assert after_forum == {
        "anonymous": before["anonymous"],
        "member": before["member"] + 1,
        "admin": before["admin"] + 2,
    }


def test_follow_ups_are_shown_to_staff_only(app: Flask, demo_data: None) -> None:
    for role, shown in (
        ("anonymous", False),
        ("member", False),
        ("mayors_office", True),
        ("admin", True),
    ):
        with _as(app, role) as client:
            page = _read(client, NOW.year)

            assert ("table-followups" in page.ids) is shown, role
            assert ("followups-heading" in page.ids) is shown, role


def test_years_outside_the_range_are_not_found(app: Flask, client: FlaskClient) -> None:
    for path in (
        "/reports/annual/1999",
        "/reports/annual/1999.xlsx",
        "/reports/annual/2101",
        "/reports/annual/2101.xlsx",
    ):
        assert client.get(path).status_code == 404, path


def test_the_report_address_leads_to_the_chosen_or_the_current_year(
    app: Flask, client: FlaskClient
) -> None:
    this_year = datetime.now(ZoneInfo("Europe/Oslo")).year

    chosen = client.get("/reports/annual?year=2011")
    current = client.get("/reports/annual")
    wrong = client.get("/reports/annual?year=1066")

    assert chosen.headers["Location"] == "/reports/annual/2011"
    assert current.headers["Location"] == f"/reports/annual/{this_year}"
    assert wrong.headers["Location"] == f"/reports/annual/{this_year}"


def test_the_year_picker_offers_the_years_with_data(
    app: Flask, demo_data: None
) -> None:
    with _as(app, "anonymous") as client:
        html = client.get("/reports/annual/2011").get_data(as_text=True)

    offered = re.findall(r'<option value="(\d+)"', html)
    assert "2011" in offered
    assert str(NOW.year) in offered
    assert offered == sorted(offered)
    assert "/reports/annual/2010" in html
    assert "/reports/annual/2012" in html


def test_the_page_runs_as_many_queries_whatever_the_data(
    app: Flask, demo_data: None, create_delegation: Any, create_event: Any
) -> None:
    with _as(app, "admin") as client:
        with count_statements() as before:
            _read(client, NOW.year)
        for n, country in enumerate(("SE", "FI", "IN", "CN", "US")):
            visit = create_delegation(f"Visit {n}", arrival=NOW, country=country)
            db.session.add(
                FollowUp(delegation=visit, title=f"Follow-up {n}", created_dt=NOW)
            )
            create_event(f"Event {n}", start=NOW, rrule="FREQ=WEEKLY;COUNT=3")
        db.session.commit()
        with count_statements() as after:
            page = _read(client, NOW.year)

    assert len(after) == len(before)
    assert len(before) <= 12
    names = Locale.parse(babel_locale(page.lang)).territories
    countries = {label for label, _v in page.tables["incoming-country"]}
    assert {names[code] for code in ("SE", "FI", "IN", "CN", "US")} <= countries
