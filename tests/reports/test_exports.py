"""CSV and Excel exports: rows per role, filters, participants, injection, headers."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.auth.models import Role
from app.core.db import db, utcnow
from app.core.visibility import Visibility
from app.delegations.models import (
    DelegationStatus,
    Direction,
    FollowUp,
    FollowUpStatus,
    Participant,
    ProtocolLevel,
)
from app.directory.models import City, Initiative
from app.reports.exports import Table, build_xlsx, sheet_name
from tests.fixtures.queries import count_statements
from tests.reports.columns import STAFF_COLUMNS, UTC_COLUMNS, VISIT_COLUMNS

pytestmark = pytest.mark.integration

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Anonymous visitors get the browser's language.
ENGLISH = {"Accept-Language": "en"}


def _csv_rows(response) -> list[list[str]]:
    """Return the rows of a CSV download, checking it starts with the UTF-8 BOM."""
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _as_text(value) -> str:
    """Write an Excel cell the way the CSV writes the same value."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.get_data()))


def _sheet_rows(sheet) -> list[list[str]]:
    """Return a sheet's cells as the CSV writes them; date-only cells as dates."""
    return [
        [
            _as_text(
                cell.value.date()
                if isinstance(cell.value, datetime)
                and cell.number_format == "yyyy-mm-dd"
                else cell.value
            )
            for cell in row
        ]
        for row in sheet.iter_rows()
    ]


def _column(rows: list[list[str]], header: str) -> list[str]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def register(create_delegation, create_organisation, create_user):
    """Visits of every visibility, with participants (one erased) and follow-ups."""
    host = create_organisation("NTNU")
    city = City(name="Darmstadt", country="DE")
    db.session.add(city)
    db.session.commit()
    owner = create_user(role=Role.admin, name="Åse Øvrebø", locale="en")
    public = create_delegation(
        "Hamburg harbour",
        visibility=Visibility.public,
        arrival=datetime(2026, 12, 10, 9, tzinfo=UTC),
        host_organisation_id=host.id,
        host_contact_id=owner.id,
        size=12,
    )
    forum = create_delegation(
        "Forum study trip",
        visibility=Visibility.forum,
        direction=Direction.outgoing,
        country="IN",
        timezone="Asia/Kolkata",
        arrival=datetime(2027, 2, 1, 9, tzinfo=UTC),
        status=DelegationStatus.tentative,
    )
    internal = create_delegation(
        "Secret ministerial",
        visibility=Visibility.internal,
        protocol_level=ProtocolLevel.ministerial,
        city_id=city.id,
        arrival=datetime(2026, 12, 20, 9, tzinfo=UTC),
        head_of_delegation="Olaf Scholz",
    )
    db.session.add_all(
        [
            Participant(
                delegation_id=public.id,
                name="Jürgen Möller",
                title="Harbour master",
                organisation="Port of Hamburg",
                dietary_needs="vegetarian",
            ),
            Participant(
                delegation_id=internal.id,
                name="Minister Weiß",
                accessibility_needs="step-free access",
            ),
            Participant(
                delegation_id=internal.id,
                name="",
                erased_dt=datetime(2026, 11, 1, tzinfo=UTC),
            ),
            FollowUp(
                delegation_id=public.id,
                title="Send harbour study",
                owner_id=owner.id,
                deadline=date(2027, 1, 15),
                status=FollowUpStatus.open,
            ),
            FollowUp(
                delegation_id=forum.id,
                title="Book return visit",
                status=FollowUpStatus.done,
                closed_dt=datetime(2027, 3, 1, 12, tzinfo=UTC),
            ),
            FollowUp(
                delegation_id=internal.id,
                title="Thank the minister",
                status=FollowUpStatus.in_progress,
            ),
        ]
    )
    db.session.commit()
    return {"owner": owner}


# ---- the register ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.admin, ["Forum study trip", "Secret ministerial", "Hamburg harbour"]),
        (
            Role.mayors_office,
            ["Forum study trip", "Secret ministerial", "Hamburg harbour"],
        ),
        (Role.member, ["Forum study trip", "Hamburg harbour"]),
    ],
)
def test_visit_export_lists_what_the_role_may_see(
    client, create_user, login, register, role, expected, fmt
):
    login(create_user(role=role, locale="en"))

    response = client.get(f"/visits/export.{fmt}")

    assert response.status_code == 200
    if fmt == "csv":
        rows = _csv_rows(response)
    else:
        rows = _sheet_rows(_workbook(response).worksheets[0])
    assert _column(rows, "Title") == expected


@pytest.mark.parametrize(
    "url",
    [
        "/visits/export.csv",
        "/visits/export.xlsx",
        "/visits/export.xlsx?participants=1",
        "/visits/participants.csv?participants=1",
        "/visits/follow-ups.csv",
        "/visits/follow-ups.xlsx",
    ],
)
def test_anonymous_is_sent_to_log_in_for_visit_exports(client, register, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("direction=outgoing", ["Forum study trip"]),
        ("q=scholz", ["Secret ministerial"]),
        ("year=2027", ["Forum study trip"]),
        ("status=confirmed&level=ministerial", ["Secret ministerial"]),
        ("country=de&year=2026", ["Secret ministerial", "Hamburg harbour"]),
        ("direction=&year=", None),
    ],
)
def test_register_filters_narrow_the_export(
    client, create_user, login, register, query, expected
):
    login(create_user(role=Role.admin, locale="en"))

    rows = _csv_rows(client.get(f"/visits/export.csv?{query}"))

    everything = ["Forum study trip", "Secret ministerial", "Hamburg harbour"]
    assert _column(rows, "Title") == (expected or everything)


def test_visit_rows_hold_local_times_labels_and_names(
    client, create_user, login, register
):
    login(create_user(role=Role.admin, locale="en"))

    rows = _csv_rows(client.get("/visits/export.csv"))

    assert rows[0] == VISIT_COLUMNS + STAFF_COLUMNS + UTC_COLUMNS
    by_title = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    forum = by_title["Forum study trip"]
    assert [forum[header] for header in VISIT_COLUMNS[1:11]] == [
        "Tentative",
        "Outgoing (we visit them)",
        "2027-02-01 14:30",
        "2027-02-03 14:30",
        "Asia/Kolkata",
        "",
        "India",
        "",
        "",
        "Professional",
    ]
    hamburg = by_title["Hamburg harbour"]
    assert [hamburg[header] for header in VISIT_COLUMNS[3:6]] == [
        "2026-12-10 10:00",
        "2026-12-12 10:00",
        "Europe/Oslo",
    ]
    assert [hamburg[header] for header in VISIT_COLUMNS[11:]] == [
        "12",
        "NTNU",
        "",
        "",
        "",
        "",
    ]
    assert [hamburg[header] for header in STAFF_COLUMNS] == [
        "No",
        "Public",
        "Åse Øvrebø",
        "",
        "",
        "",
    ]
    assert [forum[header] for header in UTC_COLUMNS] == [
        "2027-02-01 09:00",
        "2027-02-03 09:00",
    ]
    assert [hamburg[header] for header in UTC_COLUMNS] == [
        "2026-12-10 09:00",
        "2026-12-12 09:00",
    ]
    assert by_title["Secret ministerial"]["City"] == "Darmstadt"
    assert by_title["Secret ministerial"]["Head of delegation"] == "Olaf Scholz"
    assert by_title["Secret ministerial"]["Visibility"] == "Internal (staff only)"


def test_headers_follow_the_viewers_language(client, create_user, login, register):
    login(create_user(role=Role.admin, locale="nb"))

    csv_rows = _csv_rows(client.get("/visits/export.csv"))
    workbook = _workbook(client.get("/visits/export.xlsx?participants=1"))

    for header in ("Tittel", "Retning", "Ankomst", "Protokollnivå", "Synlighet"):
        assert header in csv_rows[0]
    assert workbook.sheetnames == ["Besøk", "Deltakere"]
    participant_headers = _sheet_rows(workbook.worksheets[1])[0]
    assert participant_headers[:2] == ["Besøk", "Navn"]
    assert "Kostholdsbehov" in participant_headers


def test_xlsx_cells_equal_the_csv_cells(client, create_user, login, register):
    login(create_user(role=Role.admin, locale="en"))

    workbook = _workbook(client.get("/visits/export.xlsx?participants=1"))
    visits_csv = _csv_rows(client.get("/visits/export.csv"))
    people_csv = _csv_rows(client.get("/visits/participants.csv?participants=1"))

    assert _sheet_rows(workbook.worksheets[0]) == visits_csv
    assert _sheet_rows(workbook.worksheets[1]) == people_csv
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert isinstance(sheet["D2"].value, datetime)
    assert sheet["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.column_dimensions["A"].width >= len("Secret ministerial")


def test_participants_only_for_staff(client, create_user, login, register):
    login(create_user(role=Role.member, locale="en"))

    assert client.get("/visits/export.xlsx?participants=1").status_code == 403
    assert client.get("/visits/export.csv?participants=1").status_code == 403
    assert client.get("/visits/participants.csv?participants=1").status_code == 403
    plain = _workbook(client.get("/visits/export.xlsx"))
    assert len(plain.worksheets) == 1


def test_participants_only_when_asked_and_never_erased(
    client, create_user, login, register
):
    login(create_user(role=Role.admin, locale="en"))

    plain = _workbook(client.get("/visits/export.xlsx"))
    asked = _workbook(client.get("/visits/export.xlsx?participants=1"))
    unasked_csv = client.get("/visits/participants.csv")
    filtered = _csv_rows(client.get("/visits/participants.csv?participants=1&q=hamb"))

    assert len(plain.worksheets) == 1
    people = _sheet_rows(asked.worksheets[1])
    assert people[1:] == [
        ["Secret ministerial", "Minister Weiß", "", "", "", "step-free access"],
        [
            "Hamburg harbour",
            "Jürgen Möller",
            "Harbour master",
            "Port of Hamburg",
            "vegetarian",
            "",
        ],
    ]
    assert unasked_csv.status_code == 400
    assert _column(filtered, "Name") == ["Jürgen Möller"]


@pytest.mark.parametrize(
    ("title", "in_csv", "in_xlsx", "quote_prefix"),
    [
        (
            '=HYPERLINK("http://x.example","ok")',
            '\'=HYPERLINK("http://x.example","ok")',
            '=HYPERLINK("http://x.example","ok")',
            True,
        ),
        ("+1+2", "'+1+2", "+1+2", True),
        ("-2+3", "'-2+3", "-2+3", True),
        ("@SUM(A1)", "'@SUM(A1)", "@SUM(A1)", True),
        ("\tcmd", "'\tcmd", "\tcmd", True),
        ("\rcmd", "'\ncmd", "\ncmd", True),
        ("It's fine", "It's fine", "It's fine", False),
        (
            'Plain, "quoted" title',
            'Plain, "quoted" title',
            'Plain, "quoted" title',
            False,
        ),
    ],
)
def test_formula_cells_are_neutralised(
    client, create_user, create_delegation, login, title, in_csv, in_xlsx, quote_prefix
):
    """CSV has no cell types: a quote keeps a formula inert there.

    The workbook has them: the text goes in as a string cell, exactly as typed
    (no apostrophe shown), and formula-looking text also gets Excel's quote
    prefix style, so editing the cell does not turn it into a formula.
    """
    create_delegation(title)
    login(create_user(role=Role.admin, locale="en"))

    csv_rows = _csv_rows(client.get("/visits/export.csv"))
    sheet = _workbook(client.get("/visits/export.xlsx")).worksheets[0]

    assert csv_rows[1][0] == in_csv
    assert sheet["A2"].value == in_xlsx
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix is quote_prefix


def test_download_headers(client, create_user, login, register):
    login(create_user(role=Role.admin, locale="en"))

    as_csv = client.get("/visits/export.csv")
    as_xlsx = client.get("/visits/export.xlsx")
    people = client.get("/visits/participants.csv?participants=1")
    followups = client.get("/visits/follow-ups.xlsx")

    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert as_xlsx.headers["Content-Type"] == XLSX_TYPE
    dated = r'attachment; filename="vertskap-{}-\d{{4}}-\d{{2}}-\d{{2}}\.{}"'
    assert re.fullmatch(
        dated.format("visits", "csv"), as_csv.headers["Content-Disposition"]
    )
    assert re.fullmatch(
        dated.format("visits", "xlsx"), as_xlsx.headers["Content-Disposition"]
    )
    assert re.fullmatch(
        dated.format("participants", "csv"), people.headers["Content-Disposition"]
    )
    assert re.fullmatch(
        dated.format("follow-ups", "xlsx"), followups.headers["Content-Disposition"]
    )
    for response in (as_csv, as_xlsx, people, followups):
        assert response.headers["Cache-Control"] == "no-store"


def test_register_page_links_to_exports_with_its_filters(
    client, create_user, login, register
):
    login(create_user(role=Role.member, locale="en"))

    html = client.get("/visits/?direction=outgoing&page=1").get_data(as_text=True)

    links = html.split('class="export-links"')[1].split("</ul>")[0]
    assert 'href="/visits/export.csv?direction=outgoing"' in links
    assert 'href="/visits/export.xlsx?direction=outgoing"' in links
    assert "participants" not in links
    assert "follow-ups" not in links


def test_register_page_offers_staff_participants_and_follow_ups(
    client, create_user, login, register
):
    login(create_user(role=Role.admin, locale="en"))

    html = client.get("/visits/?year=2026").get_data(as_text=True)

    assert 'href="/visits/export.xlsx?participants=1&amp;year=2026"' in html
    assert 'href="/visits/participants.csv?participants=1&amp;year=2026"' in html
    assert 'href="/visits/follow-ups.csv?year=2026"' in html
    assert 'href="/visits/follow-ups.xlsx?year=2026"' in html


# ---- follow-ups -------------------------------------------------------------------


def test_followups_are_for_staff(client, create_user, login, register):
    login(create_user(role=Role.member, locale="en"))

    assert client.get("/visits/follow-ups.csv").status_code == 403
    assert client.get("/visits/follow-ups.xlsx").status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Book return visit", "Thank the minister", "Send harbour study"]),
        ("status=done", ["Book return visit"]),
        ("year=2026", ["Thank the minister", "Send harbour study"]),
        ("status=open&year=2027", []),
        ("status=&year=", None),
    ],
)
def test_followups_export_filters_by_status_and_year(
    client, create_user, login, register, query, expected
):
    login(create_user(role=Role.admin, locale="en"))

    rows = _csv_rows(client.get(f"/visits/follow-ups.csv?{query}"))

    everything = ["Book return visit", "Thank the minister", "Send harbour study"]
    assert _column(rows, "Follow-up") == (everything if expected is None else expected)


def test_followup_rows_and_workbook_agree(client, create_user, login, register):
    login(create_user(role=Role.admin, locale="en"))

    csv_rows = _csv_rows(client.get("/visits/follow-ups.csv"))
    sheet = _workbook(client.get("/visits/follow-ups.xlsx")).worksheets[0]

    assert _sheet_rows(sheet) == csv_rows
    hamburg = next(row for row in csv_rows if row[2] == "Send harbour study")
    assert hamburg == [
        "Hamburg harbour",
        "2026-12-10 10:00",
        "Send harbour study",
        "Åse Øvrebø",
        "2027-01-15",
        "Open",
        "",
        "",
    ]
    done = next(row for row in csv_rows if row[2] == "Book return visit")
    assert done[5:7] == ["Done", "2027-03-01 13:00"]


# ---- the calendar -------------------------------------------------------------------


@pytest.fixture
def calendar(create_event, create_delegation, now):
    """Events of every visibility soon, one far away, and a public visit."""
    soon = now + timedelta(days=7)
    create_event("Open forum", start=soon, visibility=Visibility.public)
    create_event("Members' breakfast", start=soon, visibility=Visibility.forum)
    create_event("Staff planning", start=soon, visibility=Visibility.internal)
    create_event(
        "Next year's fair",
        start=now + timedelta(days=500),
        visibility=Visibility.public,
    )
    create_delegation(
        "Hamburg harbour",
        visibility=Visibility.public,
        arrival=now + timedelta(days=20),
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, ["Open forum"]),
        (Role.member, ["Open forum", "Members' breakfast"]),
        (Role.admin, ["Open forum", "Members' breakfast", "Staff planning"]),
    ],
)
def test_calendar_export_lists_what_the_viewer_may_see(
    client, create_user, login, calendar, role, expected, fmt
):
    if role is not None:
        login(create_user(role=role, locale="en"))
    window = "from=2026-11-01&to=2027-06-30&kind=event"

    response = client.get(f"/calendar/export.{fmt}?{window}", headers=ENGLISH)

    assert response.status_code == 200
    if fmt == "csv":
        rows = _csv_rows(response)
    else:
        rows = _sheet_rows(_workbook(response).worksheets[0])
    assert sorted(_column(rows, "Title")) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("from=2026-11-01&to=2027-06-30", ["Open forum", "Hamburg harbour"]),
        ("from=2026-11-01&to=2027-06-30&kind=visit", ["Hamburg harbour"]),
        ("from=2026-11-01&to=2027-06-30&q=forum", ["Open forum"]),
        ("from=2026-12-10&to=2026-12-31", ["Hamburg harbour"]),
        ("from=2028-01-01&to=2028-12-31", ["Next year's fair"]),
    ],
)
def test_calendar_export_follows_filters_and_period(client, calendar, query, expected):
    rows = _csv_rows(client.get(f"/calendar/export.csv?{query}", headers=ENGLISH))

    assert _column(rows, "Title") == expected


def test_calendar_export_defaults_to_the_next_twelve_months(client, create_event):
    # The default period starts today by the wall clock, so these do too.
    today = utcnow()
    create_event("Ended last week", start=today - timedelta(days=7))
    create_event("In ten months", start=today + timedelta(days=300))
    create_event("In thirteen months", start=today + timedelta(days=400))

    rows = _csv_rows(client.get("/calendar/export.csv?kind=event", headers=ENGLISH))

    assert _column(rows, "Title") == ["In ten months"]


@pytest.mark.parametrize(
    "query", ["from=2027-01-01&to=2026-12-31", "from=2026-01-01&to=2030-01-01"]
)
def test_calendar_export_refuses_a_backward_or_huge_period(client, query):
    assert client.get(f"/calendar/export.csv?{query}").status_code == 400


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=tomorrow", "“from=tomorrow” is not a day"),
        ("from=2026-12-01&to=31.12.2026", "“to=31.12.2026” is not a day"),
        ("to=2026-02-30", "“to=2026-02-30” is not a day"),
        ("from=0001-01-01", "“from=0001-01-01” is not a day"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_calendar_export_refuses_a_day_it_cannot_read(client, query, message, fmt):
    response = client.get(f"/calendar/export.{fmt}?{query}", headers=ENGLISH)

    assert response.status_code == 400
    assert (
        f"<p>{message}: write it as YYYY-MM-DD, such as 2027-01-31.</p>"
        in response.get_data(as_text=True)
    )


def test_calendar_rows_and_headers(client, create_user, login, calendar):
    login(create_user(role=Role.member, locale="nb"))

    csv_rows = _csv_rows(client.get("/calendar/export.csv?q=forum&kind=event"))
    sheet = _workbook(client.get("/calendar/export.xlsx?q=forum&kind=event"))

    assert csv_rows[0][1:4] == ["Tittel", "Start", "Slutt"]
    assert csv_rows[1][:6] == [
        "Arrangement",
        "Open forum",
        "2026-12-03 10:00",
        "2026-12-03 12:00",
        "Europe/Oslo",
        "Nei",
    ]
    assert csv_rows[0][-2:] == ["Start (UTC)", "Slutt (UTC)"]
    assert csv_rows[1][-2:] == ["2026-12-03 09:00", "2026-12-03 11:00"]
    assert _sheet_rows(sheet.worksheets[0]) == csv_rows
    assert sheet.sheetnames == ["Kalender"]

    visit_rows = _csv_rows(client.get("/calendar/export.csv?kind=visit"))
    assert visit_rows[1][:2] == ["Delegasjonsbesøk", "Hamburg harbour"]
    assert visit_rows[1][7] == "Innkommende"  # the direction in words, not "incoming"


@pytest.mark.parametrize(
    ("first", "last", "utc_start", "utc_end"),
    [
        ("2026-12-14", "2026-12-14", "2026-12-13 23:00", "2026-12-14 23:00"),
        ("2026-12-14", "2026-12-16", "2026-12-13 23:00", "2026-12-16 23:00"),
    ],
)
def test_calendar_export_ends_an_all_day_event_on_its_last_day(
    client, create_event, first, last, utc_start, utc_end
):
    """Stored up to midnight after its last day, it is written as its last day."""
    oslo = ZoneInfo("Europe/Oslo")
    start = datetime.combine(date.fromisoformat(first), time(), oslo)
    end = datetime.combine(date.fromisoformat(last) + timedelta(days=1), time(), oslo)
    create_event(
        "Forum days",
        start=start.astimezone(UTC),
        hours=(end - start).total_seconds() / 3600,
        is_all_day=True,
    )
    query = "from=2026-12-01&to=2026-12-31&kind=event"

    csv_rows = _csv_rows(client.get(f"/calendar/export.csv?{query}", headers=ENGLISH))
    sheet = _workbook(
        client.get(f"/calendar/export.xlsx?{query}", headers=ENGLISH)
    ).worksheets[0]

    assert csv_rows[1][2:6] == [first, last, "Europe/Oslo", "Yes"]
    assert csv_rows[1][-2:] == [utc_start, utc_end]
    assert _sheet_rows(sheet) == csv_rows
    assert sheet["D2"].number_format == "yyyy-mm-dd"


def test_calendar_export_sorts_across_zones_by_its_utc_column(client, create_event):
    """Kolkata's 10:00 is Oslo's 05:30: the UTC column puts it first."""
    create_event(
        "Oslo morning",
        start=datetime(2026, 12, 14, 8, tzinfo=UTC),
        timezone="Europe/Oslo",
    )
    create_event(
        "Kolkata morning",
        start=datetime(2026, 12, 14, 4, 30, tzinfo=UTC),
        timezone="Asia/Kolkata",
    )
    query = "from=2026-12-14&to=2026-12-14&kind=event"

    rows = _csv_rows(client.get(f"/calendar/export.csv?{query}", headers=ENGLISH))

    by_wall_time = sorted(rows[1:], key=lambda row: row[2])
    by_utc = sorted(rows[1:], key=lambda row: row[-2])
    assert [(row[1], row[2]) for row in by_wall_time] == [
        ("Oslo morning", "2026-12-14 09:00"),
        ("Kolkata morning", "2026-12-14 10:00"),
    ]
    assert [(row[1], row[-2]) for row in by_utc] == [
        ("Kolkata morning", "2026-12-14 04:30"),
        ("Oslo morning", "2026-12-14 08:00"),
    ]


def test_calendar_list_page_links_to_its_period(client, calendar):
    html = client.get("/calendar?view=list&date=2026-12-05&kind=event").get_data(
        as_text=True
    )

    assert (
        'href="/calendar/export.csv?kind=event&amp;from=2026-12-01&amp;to=2026-12-31"'
        in html
    )
    assert (
        'href="/calendar/export.xlsx?kind=event&amp;from=2026-12-01&amp;to=2026-12-31"'
        in html
    )


def test_the_visit_export_runs_as_many_queries_for_forty_visits_as_for_four(
    client, create_delegation, create_organisation, create_user, login
):
    """Hosts, contacts and initiatives are loaded together, not once per visit."""
    staff = create_user(role=Role.admin, locale="en")
    login(staff)

    def add_visits(count: int, start: int) -> None:
        for n in range(start, start + count):
            initiative = Initiative(
                slug=f"tema-{n}", title=f"Tema {n}", programme_period="2011-2012"
            )
            db.session.add(initiative)
            db.session.flush()
            create_delegation(
                f"Visit {n}",
                host_organisation_id=create_organisation(f"Host {n}").id,
                host_contact_id=create_user(role=Role.mayors_office).id,
                initiative_id=initiative.id,
            )

    def statements() -> int:
        db.session.expire_all()
        with count_statements() as seen:
            assert client.get("/visits/export.csv").status_code == 200
        return len(seen)

    add_visits(4, 0)
    few = statements()
    add_visits(36, 4)
    many = statements()

    assert many == few


# ---- sheet names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "taken", "expected"),
    [
        ("Calendar", set(), "Calendar"),
        (
            "Follow-ups of the Hamburg harbour delegation",
            set(),
            "Follow-ups of the Hamburg",
        ),
        ("Visits: [internal] / forum", set(), "Visits internal forum"),
        (
            "Oppfølgingspunkterforbesøksprogrammet",
            set(),
            "Oppfølgingspunkterforbesøksprog",
        ),
        (
            "Follow-ups of the Hamburg harbour delegation",
            {"follow-ups of the hamburg"},
            "Follow-ups of the Hamburg 2",
        ),
        ("Participants", {"participants"}, "Participants 2"),
        ("", set(), "Sheet"),
    ],
)
def test_sheet_name_is_cut_at_a_word_end(title, taken, expected):
    assert sheet_name(title, set(taken)) == expected
    assert len(expected) <= 31


def test_workbook_sheet_names_are_cut_at_word_ends():
    tables = [
        Table("International delegations and visits 2027", ["A"], [["x"]]),
        Table("International delegations and visits 2028", ["A"], [["y"]]),
    ]

    workbook = load_workbook(io.BytesIO(build_xlsx(tables)))

    assert workbook.sheetnames == [
        "International delegations and",
        "International delegations and 2",
    ]
