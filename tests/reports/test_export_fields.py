"""Every export shows exactly the fields its reader's pages show, for every role.

The visit page and the register's exports share one list of a visit's fields
and one rule for the staff working fields (app/delegations/fields.py): the
host contact, who pays, the budget and the notes are for staff only, on the
page and in every CSV and workbook.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import FollowUp, FollowUpStatus, Participant
from app.directory.models import Initiative
from tests.fixtures.builders import NOW
from tests.reports.columns import STAFF_COLUMNS, UTC_COLUMNS, VISIT_COLUMNS

pytestmark = pytest.mark.integration

ROLES = ["anonymous", "member", "mayors_office", "admin"]
STAFF = {"mayors_office", "admin"}
ENGLISH = {"Accept-Language": "en"}

#: The staff working values of one visit: none may reach a member or a visitor.
HOST_CONTACT = "Kari Kontaktperson"
COST_BEARER = "Kommunen dekker middagen"
NOTES = "Intern merknad om gavene"
BUDGET = 987654

PARTICIPANT_COLUMNS = [
    "Visit",
    "Name",
    "Title",
    "Organisation",
    "Dietary needs",
    "Accessibility needs",
]
FOLLOWUP_COLUMNS = [
    "Visit",
    "Arrival",
    "Follow-up",
    "Owner",
    "Deadline",
    "Status",
    "Closed",
    "Notes",
]
CALENDAR_COLUMNS = [
    "Type",
    "Title",
    "Start",
    "End",
    "Time zone",
    "All day",
    "Place",
    "Organiser or visit",
    "Visibility",
    "Cancelled",
    "Start (UTC)",
    "End (UTC)",
]
#: Arrival and departure again in UTC, to sort visits of any zone: no new field.
MATRIX_COLUMNS = [
    ["Theme", "Done", "Planned", "Status as of 31/12/2010"],
    ["Theme", "Kind", "Title", "Date"],
]
#: The annual report's tables, one sheet each: visits by direction (incoming,
#: then outgoing), events; follow-ups are counted for staff only, as on the page.
ANNUAL_COLUMNS = [
    ["What", "Number"],
    ["Status", "Incoming", "Outgoing"],
    ["Country", "Visits"],
    ["Protocol level", "Visits"],
    ["Initiative", "Visits"],
    ["Host organisation", "Visits"],
    ["Country", "Visits"],
    ["Protocol level", "Visits"],
    ["Initiative", "Visits"],
    ["Host organisation", "Visits"],
    ["Initiative", "Events", "Occurrences"],
    ["Organiser", "Events", "Occurrences"],
]
ANNUAL_STAFF_COLUMNS = [*ANNUAL_COLUMNS, ["Follow-up items", "Number"]]

#: Export -> header rows of each sheet for members, for staff; None: refused.
EXPORTS: dict[str, tuple[list[list[str]] | None, list[list[str]] | None]] = {
    "/visits/export.csv": (
        [VISIT_COLUMNS + UTC_COLUMNS],
        [VISIT_COLUMNS + STAFF_COLUMNS + UTC_COLUMNS],
    ),
    "/visits/export.xlsx": (
        [VISIT_COLUMNS + UTC_COLUMNS],
        [VISIT_COLUMNS + STAFF_COLUMNS + UTC_COLUMNS],
    ),
    "/visits/export.xlsx?participants=1": (
        None,
        [VISIT_COLUMNS + STAFF_COLUMNS + UTC_COLUMNS, PARTICIPANT_COLUMNS],
    ),
    "/visits/participants.csv?participants=1": (None, [PARTICIPANT_COLUMNS]),
    "/visits/follow-ups.csv": (None, [FOLLOWUP_COLUMNS]),
    "/visits/follow-ups.xlsx": (None, [FOLLOWUP_COLUMNS]),
    "/calendar/export.csv": ([CALENDAR_COLUMNS], [CALENDAR_COLUMNS]),
    "/calendar/export.xlsx": ([CALENDAR_COLUMNS], [CALENDAR_COLUMNS]),
    "/action-programme/2011-2012.xlsx": (MATRIX_COLUMNS, MATRIX_COLUMNS),
    f"/reports/annual/{NOW.year}.xlsx": (ANNUAL_COLUMNS, ANNUAL_STAFF_COLUMNS),
}
#: Exports anonymous visitors may download (the others send them to log in).
PUBLIC_EXPORTS = {
    "/calendar/export.csv",
    "/calendar/export.xlsx",
    "/action-programme/2011-2012.xlsx",
    f"/reports/annual/{NOW.year}.xlsx",
}


@pytest.fixture
def hosted_visit(
    demo_data: None,
    create_delegation: Callable[..., Any],
    create_user: Callable[..., Any],
) -> Any:
    """A public visit next week, in a theme of the programme, with every staff field set."""
    contact = create_user(role=Role.mayors_office, name=HOST_CONTACT)
    india = db.session.scalars(
        sa.select(Initiative).where(Initiative.slug == "india-2011")
    ).one()
    visit = create_delegation(
        "Delegation from Pune",
        visibility=Visibility.public,
        arrival=NOW + timedelta(days=7),
        host_contact_id=contact.id,
        initiative_id=india.id,
        cost_bearer=COST_BEARER,
        budget_nok=BUDGET,
        notes=NOTES,
    )
    db.session.add_all(
        [
            Participant(delegation_id=visit.id, name="Asha Rao"),
            FollowUp(
                delegation_id=visit.id,
                title="Send the report",
                status=FollowUpStatus.open,
            ),
        ]
    )
    db.session.commit()
    return visit


@pytest.fixture
def reader(
    client: Any, create_user: Callable[..., Any], login: Callable[..., Any]
) -> Callable[[str], Any]:
    def _as(role: str) -> Any:
        if role != "anonymous":
            login(create_user(role=Role[role], locale="en"))
        return client

    return _as


def _sheets(url: str, body: bytes) -> list[list[list[str]]]:
    """Return every sheet of a download as rows of text."""
    if ".csv" in url:
        text = body.decode("utf-8-sig")
        return [list(csv.reader(io.StringIO(text, newline="")))]
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [
        [["" if cell is None else str(cell) for cell in row] for row in sheet.values]
        for sheet in book.worksheets
    ]


def _every_text(url: str, body: bytes) -> str:
    """Return all the text a download holds: a workbook's XML parts unzipped."""
    if ".csv" in url:
        return body.decode("utf-8-sig")
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        return "\n".join(
            unescape(book.read(name).decode("utf-8")) for name in book.namelist()
        )


@pytest.mark.usefixtures("hosted_visit")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", EXPORTS)
def test_every_export_has_the_columns_of_its_readers_pages(
    reader: Callable[[str], Any], url: str, role: str
) -> None:
    client = reader(role)
    for_member, for_staff = EXPORTS[url]
    expected = for_staff if role in STAFF else for_member

    response = client.get(url, headers=ENGLISH)

    if role == "anonymous" and url not in PUBLIC_EXPORTS:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        return
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert [sheet[0] for sheet in _sheets(url, response.data)] == expected
    text = _every_text(url, response.data)
    staff_values = (HOST_CONTACT, COST_BEARER, NOTES, str(BUDGET))
    if role not in STAFF:
        assert [value for value in staff_values if value in text] == []
    elif url.startswith("/visits/export."):
        assert [value for value in staff_values if value in text] == list(staff_values)


def _page_fields(html: str) -> list[str]:
    facts = re.search(r'<dl class="facts">(.*?)</dl>', html, flags=re.DOTALL)
    assert facts is not None
    return [unescape(label) for label in re.findall(r"<dt>(.*?)</dt>", facts[1])]


@pytest.mark.parametrize("role", ROLES)
def test_the_visit_page_and_the_export_show_the_same_fields(
    reader: Callable[[str], Any], hosted_visit: Any, role: str
) -> None:
    client = reader(role)

    page = client.get(f"/visits/{hosted_visit.id}", headers=ENGLISH)
    export = client.get("/visits/export.csv", headers=ENGLISH)

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    expected = VISIT_COLUMNS[1:] + (STAFF_COLUMNS if role in STAFF else [])
    assert _page_fields(html) == expected
    assert (HOST_CONTACT in html) is (role in STAFF)
    if role != "anonymous":
        assert _sheets("x.csv", export.data)[0][0] == [
            "Title",
            *expected,
            *UTC_COLUMNS,
        ]
