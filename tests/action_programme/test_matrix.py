"""The demo's 2011-2012 matrix renders like the seed document's table and exports the same cells."""

from __future__ import annotations

import io
from datetime import timedelta
from html.parser import HTMLParser

import openpyxl
import pytest
import sqlalchemy as sa

from app.action_programme.services import LINKED_LIMIT
from app.auth.models import Role
from app.calendar.models import Event
from app.core.db import db
from app.core.visibility import Audience, visible_clause
from app.delegations.models import Delegation
from app.directory.models import Initiative
from tests.fixtures.builders import NOW
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

PERIOD = "2011-2012"
LOG_INS = {
    Audience.public: None,
    Audience.forum: ("medlem@ntnu.example", "vertskap-medlem-demo"),
    Audience.staff: ("ordforer@vertskap.example", "vertskap-ordforer-demo"),
}


class _Table(HTMLParser):
    """Collects the matrix table: its heading cells, its rows' cells and the linked items' links."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.rows: list[list[str]] = []
        self.linked: list[str] = []
        self._in_table = self._in_head = self._in_linked = False
        self._cell: list[str] | None = None
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "matrix-table" in classes:
            self._in_table = True
        elif self._in_table and tag == "thead":
            self._in_head = True
        elif self._in_table and tag == "tr":
            self._in_linked = "matrix-linked" in classes
            if not self._in_head and not self._in_linked:
                self.rows.append([])
        elif self._in_table and tag in ("th", "td") and not self._in_linked:
            self._cell = []
        elif self._in_linked and tag == "a":
            self._link = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell)
            (self.headings if self._in_head else self.rows[-1]).append(text)
            self._cell = None
        elif tag == "a" and self._link is not None:
            self.linked.append("".join(self._link))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._link is not None:
            self._link.append(data)


def _read(client, path: str, **headers: str) -> _Table:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    table = _Table()
    table.feed(response.get_data(as_text=True))
    return table


def test_the_2011_matrix_renders_like_the_seed_table(demo_data, client):
    table = _read(client, f"/action-programme/{PERIOD}", **{"Accept-Language": "nb"})

    assert table.headings == [
        "Tema",
        "Gjennomført",
        "Planlagt",
        "Status per 31.12.2010",
    ]
    first = table.rows[0]
    assert first[0] == (
        "Tilrettelegging og samarbeid som bidrar til økt internasjonal kontakt\n\n"
        "Aktører: Internasjonalt forum\n"
        "Kultur og innvandrerorganisasjoner/Kulturenheten\n"
        "TSO og Trondheimsolistene"
    )
    assert first[1].startswith("Etablering av internasjonalt forum\n")
    assert first[3] == (
        "Internasjonalt forum er etablert. Faste møter, løpende dialog om mulige "
        "fellessatsninger"
    )
    titles = [row[0].split("\n")[0] for row in table.rows]
    assert titles[:3] == [
        "Tilrettelegging og samarbeid som bidrar til økt internasjonal kontakt",
        "Kartlegging av internasjonale aktiviteter",
        "Vennskapsbyer",
    ]
    initiatives = db.session.scalars(
        sa.select(Initiative)
        .where(Initiative.programme_period == PERIOD)
        .order_by(Initiative.id)
    ).all()
    assert len(table.rows) == len(initiatives)


@pytest.mark.parametrize("audience", list(LOG_INS))
def test_each_theme_lists_exactly_the_linked_items_the_reader_may_see(
    demo_data, client, audience
):
    if LOG_INS[audience]:
        email, password = LOG_INS[audience]
        client.post("/login", data={"email": email, "password": password})

    table = _read(client, f"/action-programme/{PERIOD}")

    expected = []
    for initiative in db.session.scalars(
        sa.select(Initiative)
        .where(Initiative.programme_period == PERIOD)
        .order_by(Initiative.id)
    ):
        expected += db.session.scalars(
            sa.select(Delegation.title)
            .where(
                Delegation.initiative_id == initiative.id,
                visible_clause(Delegation, audience),
            )
            .order_by(Delegation.arrival_dt, Delegation.id)
        ).all()
        expected += db.session.scalars(
            sa.select(Event.title)
            .where(
                Event.initiative_id == initiative.id, visible_clause(Event, audience)
            )
            .order_by(Event.start_dt, Event.id)
        ).all()
    assert table.linked == expected
    assert expected, "the demo links visits and events to its themes"
    if audience is Audience.public:
        hidden = db.session.scalars(
            sa.select(Delegation.title).where(
                Delegation.initiative_id.is_not(None),
                Delegation.visibility != "public",
            )
        ).all()
        assert hidden
        assert not set(hidden) & set(table.linked)


def test_the_xlsx_opens_with_the_same_cells_as_the_page(demo_data, client, create_user):
    staff = create_user(role=Role.mayors_office, locale="en")
    client.post(
        "/login",
        data={"email": staff.email, "password": "correct horse battery staple"},
    )
    page = _read(client, f"/action-programme/{PERIOD}")

    response = client.get(f"/action-programme/{PERIOD}.xlsx")

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        "vertskap-action-programme-2011-2012.xlsx"
        in response.headers["Content-Disposition"]
    )
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    matrix, linked = book.worksheets
    cells = [[cell or "" for cell in row] for row in matrix.iter_rows(values_only=True)]
    assert cells[0] == page.headings
    assert cells[1:] == page.rows
    linked_titles = [row[2] for row in linked.iter_rows(min_row=2, values_only=True)]
    assert sorted(linked_titles) == sorted(page.linked)


def test_an_unknown_period_is_not_found(demo_data, client):
    assert client.get("/action-programme/1999-2000").status_code == 404
    assert client.get("/action-programme/1999-2000.xlsx").status_code == 404
    listing = client.get("/action-programme/").get_data(as_text=True)
    assert f'href="/action-programme/{PERIOD}"' in listing


def test_a_theme_lists_its_latest_linked_items_and_the_xlsx_all_of_them(
    demo_data, client, create_delegation
):
    """A busy theme costs no more queries than a quiet one, and nothing linked is lost."""
    india = db.session.scalars(sa.select(Initiative).filter_by(slug="india-2011")).one()

    def statements() -> int:
        with count_statements() as seen:
            _read(client, f"/action-programme/{PERIOD}", **{"Accept-Language": "en"})
        return len(seen)

    before = statements()
    linked_before = db.session.scalar(
        sa.select(sa.func.count(Delegation.id)).where(
            Delegation.initiative_id == india.id,
            visible_clause(Delegation, Audience.public),
        )
    ) + db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(
            Event.initiative_id == india.id, visible_clause(Event, Audience.public)
        )
    )
    for n in range(LINKED_LIMIT + 5):
        create_delegation(
            f"India visit {n:02}",
            initiative_id=india.id,
            arrival=NOW + timedelta(days=30 + n),
        )

    assert statements() == before
    page = client.get(
        f"/action-programme/{PERIOD}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    listed = [n for n in range(LINKED_LIMIT + 5) if f"India visit {n:02}" in page]
    assert listed == list(range(5, LINKED_LIMIT + 5))  # the latest ten
    more = linked_before + LINKED_LIMIT + 5 - LINKED_LIMIT - _events_listed(india)
    assert f"Only the latest are listed: {more} more" in page
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/action-programme/{PERIOD}.xlsx").data)
    )
    titles = [
        row[2] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)
    ]
    assert all(f"India visit {n:02}" in titles for n in range(LINKED_LIMIT + 5))


def _events_listed(initiative: Initiative) -> int:
    """The public events of `initiative` the page lists (at most the limit)."""
    count = db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(
            Event.initiative_id == initiative.id,
            visible_clause(Event, Audience.public),
        )
    )
    return min(count, LINKED_LIMIT)
