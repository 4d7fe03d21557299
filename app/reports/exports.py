"""CSV and Excel exports of the register, the calendar and the follow-ups.

Two halves: pure builders that turn a `Table` (localised headers and rows of
plain values) into CSV or XLSX bytes, and the row queries that fill a table
with what one audience may see. Visibility comes from `app.core.visibility`
through the services the register and the calendar use, so an export never
lists more than the page it is downloaded from.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import xlsxwriter
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.calendar.services import CalendarEntry, CalendarFilters, list_window
from app.core.db import db
from app.core.timezones import utc_to_local
from app.core.visibility import Audience, can_see_personal_data, visible_clause
from app.delegations.fields import visit_fields
from app.delegations.followups.forms import STATUS_LABELS as FOLLOWUP_STATUS_LABELS
from app.delegations.forms import (
    DIRECTION_LABELS,
    PROTOCOL_LABELS,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    country_name,
)
from app.delegations.models import (
    Delegation,
    FollowUp,
    FollowUpStatus,
    Participant,
)
from app.delegations.services import DelegationFilters, list_delegations

#: One cell: text, a whole number, a local wall time, a date, or empty.
Cell = str | int | datetime | date | None

#: Most rows one export holds; far above any real register, it bounds a request.
MAX_EXPORT_ROWS = 50_000

#: How local times are written in CSV (and shown in Excel): ISO-like, to the minute.
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_DATE_FORMAT = "yyyy-mm-dd"

#: Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Control characters a spreadsheet cannot hold.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters Excel forbids in a sheet name, and its length limit.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_LIMIT = 31
_MIN_WIDTH, _MAX_WIDTH = 8, 60


@dataclass(frozen=True)
class Table:
    """One sheet of an export: a title, column headers and rows of plain values."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    #: Cells of several lines (the action-programme matrix) wrap, top-aligned.
    wrap: bool = False


# ---- builders -----------------------------------------------------------------


def clean_text(text: str) -> str:
    """Return text without control characters, its line breaks as LF.

    A workbook's XML turns a bare CR into LF when read: LF in both formats
    means the CSV and the workbook hold the same text.
    """
    text = _CONTROL_CHARACTERS.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_like_formula(text: str) -> bool:
    """Return whether a spreadsheet would read `text`, typed in, as a formula."""
    return text.startswith(_FORMULA_STARTS)


def safe_text(text: str) -> str:
    """Return text a spreadsheet opening a CSV shows as text: no formula.

    A cell starting with =, +, -, @, tab or CR is prefixed with a single quote,
    so Excel and LibreOffice never run it (OWASP's advice on CSV injection).
    CSV has no cell types, so the quote is the only way; the workbook writes
    typed text cells instead (`build_xlsx`).
    """
    quoted = "'" + text if looks_like_formula(text) else text
    return clean_text(quoted)


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return safe_text(value)


def build_csv(table: Table) -> bytes:
    """Return the table as comma-separated UTF-8 with a BOM, so Excel reads æ, ø and å."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(header) for header in table.headers])
    writer.writerows([_csv_text(value) for value in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cut_at_word(text: str, limit: int) -> str:
    """Return at most `limit` characters of `text`, cut at the end of a word.

    A single word longer than the limit is cut inside it: nothing else fits.
    """
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else text[:limit]).rstrip()


def sheet_name(title: str, taken: set[str]) -> str:
    """Return a sheet name Excel accepts for `title`, unique among `taken`.

    Excel allows 31 characters and none of [ ] : * ? / or a backslash; a longer
    title is cut at the end of a word, and a number is added when two titles
    cut alike.
    """
    base = " ".join(_SHEET_NAME_FORBIDDEN.sub(" ", title).split()) or "Sheet"
    name, n = _cut_at_word(base, _SHEET_NAME_LIMIT), 2
    while name.lower() in taken:
        suffix = f" {n}"
        name = _cut_at_word(base, _SHEET_NAME_LIMIT - len(suffix)) + suffix
        n += 1
    taken.add(name.lower())
    return name


def _width(value: Cell) -> int:
    if isinstance(value, datetime):
        return len(XLSX_DATETIME_FORMAT)
    return len(_csv_text(value))


def build_xlsx(tables: Sequence[Table]) -> bytes:
    """Return an Excel workbook with one sheet per table.

    Each sheet has a bold, frozen header row and columns wide enough for their
    text; times and dates are real date cells, so Excel sorts and filters them.
    Written with XlsxWriter, cell by cell with an explicit type: a string is
    always a string cell (write_string: never a formula or a link), shown as
    typed, with no apostrophe. Text that looks like a formula also gets
    Excel's "quote prefix" style, so editing the cell keeps it text. 80,000
    cells take about half a second here, a quarter of what openpyxl took.
    """
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    taken: set[str] = set()
    for table in tables:
        styles = _XlsxStyles(workbook, wrap=table.wrap)
        sheet = workbook.add_worksheet(sheet_name(table.title, taken))
        widths = [len(header) for header in table.headers]
        for column, header in enumerate(table.headers):
            sheet.write_string(0, column, clean_text(header), styles.header)
        for number, row in enumerate(table.rows, start=1):
            for column, value in enumerate(row):
                styles.write(sheet, number, column, value)
            widths = [max(w, _width(v)) for w, v in zip(widths, row, strict=True)]
        for column, width in enumerate(widths):
            sheet.set_column(
                column, column, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
            )
        sheet.freeze_panes(1, 0)
    workbook.close()
    return out.getvalue()


class _XlsxStyles:
    """The formats of one sheet's cells, and how each kind of value is written."""

    def __init__(self, workbook: Any, *, wrap: bool) -> None:
        extra = {"text_wrap": True, "valign": "top"} if wrap else {}
        self.header = workbook.add_format({"bold": True})
        self.text = workbook.add_format(extra) if wrap else None
        self.inert_text = workbook.add_format({"quote_prefix": True, **extra})
        self.datetime = workbook.add_format(
            {"num_format": XLSX_DATETIME_FORMAT, **extra}
        )
        self.date = workbook.add_format({"num_format": XLSX_DATE_FORMAT, **extra})

    def write(self, sheet: Any, row: int, column: int, value: Cell) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):
            style = self.inert_text if looks_like_formula(value) else self.text
            sheet.write_string(row, column, clean_text(value), style)
        elif isinstance(value, datetime):
            # Excel has no zones: the wall time goes in, the zone is a column of its own.
            sheet.write_datetime(row, column, value.replace(tzinfo=None), self.datetime)
        elif isinstance(value, date):
            sheet.write_datetime(row, column, value, self.date)
        else:
            sheet.write_number(row, column, value)


# ---- row queries --------------------------------------------------------------


def _local(instant: datetime, zone: str) -> datetime:
    """Return the wall time of a UTC instant in `zone`, without its zone."""
    return utc_to_local(instant, zone).replace(tzinfo=None)


def _utc(instant: datetime) -> datetime:
    """Return a UTC instant without its zone: the column that sorts across zones."""
    return instant.astimezone(UTC).replace(tzinfo=None)


def _entry_span(entry: CalendarEntry) -> tuple[Cell, Cell]:
    """Return an entry's start and end as the reader counts them.

    An all-day entry is stored from local midnight of its first day to local
    midnight of the day after its last; a reader expects its first and last
    day, both included, so it gets dates (never before its first day).
    """
    start = _local(entry.start_dt, entry.timezone)
    end = _local(entry.end_dt, entry.timezone)
    if not entry.is_all_day:
        return start, end
    last = max((end - timedelta(days=1)).date(), start.date())
    return start.date(), last


def list_export_visits(
    audience: Audience, filters: DelegationFilters
) -> list[Delegation]:
    """Return every visit the register would list for these filters, latest first.

    Co-hosts and themes, which the register's page does not show, are loaded
    for all of them at once (one query each), not once per visit.
    """
    visits, _total = list_delegations(
        audience, filters=filters, limit=MAX_EXPORT_ROWS, offset=0
    )
    if visits:
        # Visits already loaded keep their state; the collections are filled in.
        db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.id.in_([visit.id for visit in visits]))
            .options(selectinload(Delegation.co_hosts), selectinload(Delegation.themes))
        ).all()
    return visits


def _visit_cell(visit: Delegation, key: str, language: str) -> Cell:
    """Return one field of a visit as its export column holds it."""
    match key:
        case "status":
            return str(STATUS_LABELS[visit.status])
        case "direction":
            return str(DIRECTION_LABELS[visit.direction])
        case "arrival":
            return _local(visit.arrival_dt, visit.timezone)
        case "departure":
            return _local(visit.departure_dt, visit.timezone)
        case "city":
            return visit.city.name if visit.city else ""
        case "country":
            return country_name(visit.country)
        case "protocol_level":
            return str(PROTOCOL_LABELS[visit.protocol_level])
        case "host_organisation":
            return visit.host_organisation.short_name if visit.host_organisation else ""
        case "co_hosts":
            return ", ".join(org.short_name for org in visit.co_hosts)
        case "initiative":
            return visit.initiative.title if visit.initiative else ""
        case "themes":
            return ", ".join(theme.name(language) for theme in visit.themes)
        case "needs_interpreter":
            return _("Yes") if visit.needs_interpreter else _("No")
        case "visibility":
            return str(VISIBILITY_LABELS[visit.visibility])
        case "host_contact":
            return visit.host_contact.name if visit.host_contact else ""
    value: Cell = getattr(visit, key)
    return value


def visits_table(
    audience: Audience, visits: Sequence[Delegation], *, language: str
) -> Table:
    """Return the visits as a table: the fields the visit page shows `audience`.

    The columns are the visit's title, then `app.delegations.fields.visit_fields`
    in the page's order, so the staff working fields (host contact, who pays,
    budget, notes) are columns for staff only. Times are in each visit's own
    zone, and again in UTC in the last two columns, which sort visits of
    different zones in their true order; themes are named in `language`.
    """
    fields = visit_fields(audience)
    headers = [
        _("Title"),
        *(str(field.label) for field in fields),
        _("Arrival (UTC)"),
        _("Departure (UTC)"),
    ]
    rows = [
        [
            visit.title,
            *(_visit_cell(visit, field.key, language) for field in fields),
            _utc(visit.arrival_dt),
            _utc(visit.departure_dt),
        ]
        for visit in visits
    ]
    return Table(_("Visits"), headers, rows)


def participants_table(audience: Audience, visits: Sequence[Delegation]) -> Table:
    """Return the participants of these visits; staff only, erased people left out.

    Raises PermissionError for any other audience: personal data never leaves
    the staff pages (DESIGN.md section 4).
    """
    if not can_see_personal_data(audience):
        raise PermissionError("participants' personal data is for staff only")
    order = {visit.id: index for index, visit in enumerate(visits)}
    people = db.session.scalars(
        sa.select(Participant)
        .options(selectinload(Participant.delegation))
        .where(
            Participant.delegation_id.in_(list(order)),
            Participant.erased_dt.is_(None),
        )
        .order_by(Participant.id)
    ).all()
    people = sorted(people, key=lambda p: (order[p.delegation_id], p.id))
    headers = [
        _("Visit"),
        _("Name"),
        _("Title"),
        _("Organisation"),
        _("Dietary needs"),
        _("Accessibility needs"),
    ]
    rows = [
        [
            person.delegation.title,
            person.name,
            person.title,
            person.organisation,
            person.dietary_needs,
            person.accessibility_needs,
        ]
        for person in people
    ]
    return Table(_("Participants"), headers, rows)


def calendar_table(
    audience: Audience,
    *,
    window_start: datetime,
    window_end: datetime,
    filters: CalendarFilters,
) -> Table:
    """Return the calendar's entries in the window, as its list view shows them.

    Start and end are in each entry's own zone (all-day entries as their first
    and last day); the last two columns hold them in UTC, to sort by.
    """
    entries = list_window(
        audience, window_start=window_start, window_end=window_end, filters=filters
    )[:MAX_EXPORT_ROWS]
    headers = [
        _("Type"),
        _("Title"),
        _("Start"),
        _("End"),
        _("Time zone"),
        _("All day"),
        _("Place"),
        _("Organiser or visit"),
        _("Visibility"),
        _("Cancelled"),
        _("Start (UTC)"),
        _("End (UTC)"),
    ]
    return Table(_("Calendar"), headers, [_entry_row(entry) for entry in entries])


def _entry_row(entry: CalendarEntry) -> list[Cell]:
    kinds = {
        "event": _("Event"),
        "programme": _("Visit programme"),
        "visit": _("Delegation visit"),
    }
    directions = {"incoming": _("Incoming"), "outgoing": _("Outgoing")}
    start, end = _entry_span(entry)
    return [
        kinds[entry.kind.value],
        entry.title,
        start,
        end,
        entry.timezone,
        _("Yes") if entry.is_all_day else _("No"),
        entry.location,
        # A visit's context is its direction ("incoming"): say it in words.
        directions.get(entry.context, entry.context)
        if entry.kind.value == "visit"
        else entry.context,
        str(VISIBILITY_LABELS[entry.visibility]),
        _("Yes") if entry.is_cancelled else _("No"),
        _utc(entry.start_dt),
        _utc(entry.end_dt),
    ]


def followups_table(
    audience: Audience,
    *,
    status: FollowUpStatus | None,
    year: int | None,
    zone: str,
) -> Table:
    """Return the follow-up items of the visits `audience` may see.

    `year` keeps the items of visits that touch that year (the register's year
    filter); closing times are shown in `zone`, the viewer's.
    """
    visible = list_export_visits(audience, DelegationFilters(year=year))
    query = (
        sa.select(FollowUp)
        .options(selectinload(FollowUp.owner), selectinload(FollowUp.delegation))
        .join(FollowUp.delegation)
        .where(
            FollowUp.delegation_id.in_([visit.id for visit in visible]),
            visible_clause(Delegation, audience),
        )
        .order_by(Delegation.arrival_dt.desc(), FollowUp.deadline, FollowUp.id)
        .limit(MAX_EXPORT_ROWS)
    )
    if status is not None:
        query = query.where(FollowUp.status == status)
    headers = [
        _("Visit"),
        _("Arrival"),
        _("Follow-up"),
        _("Owner"),
        _("Deadline"),
        _("Status"),
        _("Closed"),
        _("Notes"),
    ]
    rows = [
        [
            item.delegation.title,
            _local(item.delegation.arrival_dt, item.delegation.timezone),
            item.title,
            item.owner.name if item.owner else "",
            item.deadline,
            str(FOLLOWUP_STATUS_LABELS[item.status]),
            _local(item.closed_dt, zone) if item.closed_dt else None,
            item.notes,
        ]
        for item in db.session.scalars(query)
    ]
    return Table(_("Follow-ups"), headers, rows)
