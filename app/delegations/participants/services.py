"""Participants of a visit: personal data, staff only, importable from CSV, erasable.

Audit entries about participants name the fields that changed, never their
values, so that erasing a person leaves no personal data behind in the log.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.core.audit import log_audit
from app.core.db import db
from app.core.versioning import versioned_change
from app.delegations.models import Delegation, Participant

#: What an erased participant is called from then on (the row stays for the audit trail).
ERASED_NAME = "Erased participant"
#: Most data rows one CSV file may hold.
MAX_IMPORT_ROWS = 1000
#: Column names a CSV header may use (English or Norwegian) -> our field.
HEADER_ALIASES = {
    "name": "name",
    "navn": "name",
    "title": "title",
    "tittel": "title",
    "organisation": "organisation",
    "organization": "organisation",
    "organisasjon": "organisation",
    "dietary_needs": "dietary_needs",
    "kosthold": "dietary_needs",
    "accessibility_needs": "accessibility_needs",
    "tilrettelegging": "accessibility_needs",
}


@dataclass(frozen=True)
class ParticipantData:
    """The personal fields of one participant, as typed or imported."""

    name: str
    title: str = ""
    organisation: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""


PERSONAL_FIELDS = tuple(f.name for f in fields(ParticipantData))


def field_limit(name: str) -> int:
    """Return the most characters the participants table takes in field `name`."""
    return int(getattr(Participant.__table__.c[name].type, "length", 0))


@dataclass(frozen=True)
class RowError:
    """One problem in one row of an imported file."""

    row: int
    field: str
    message: str | LazyString


class ParticipantImportError(Exception):
    """The file as a whole cannot be read (encoding, header, size)."""

    def __init__(self, message: str | LazyString) -> None:
        super().__init__(str(message))
        self.message = message


def list_participants(delegation: Delegation) -> list[Participant]:
    """Return the visit's participants, erased ones last, each group in the order added."""
    return list(
        db.session.scalars(
            sa.select(Participant)
            .where(Participant.delegation_id == delegation.id)
            .order_by(Participant.erased_dt.is_not(None), Participant.id)
        )
    )


def get_participant(delegation: Delegation, participant_id: int) -> Participant | None:
    """Return one participant of this visit, or None."""
    return db.session.scalar(
        sa.select(Participant).where(
            Participant.id == participant_id,
            Participant.delegation_id == delegation.id,
        )
    )


def add_participant(
    delegation: Delegation, data: ParticipantData, *, actor: User, now: datetime
) -> Participant:
    """Add a participant to the visit and audit it (without the personal data)."""
    participant = Participant(delegation_id=delegation.id, **_values(data))
    db.session.add(participant)
    db.session.flush()
    log_audit(participant, action="created", actor_id=actor.id, now=now)
    return participant


def update_participant(
    participant: Participant,
    data: ParticipantData,
    *,
    expected_version: int | None,
    actor: User,
    now: datetime,
) -> list[str]:
    """Change a participant's fields; audit the names of those that changed and return them.

    Raises VersionConflictError, changing nothing, when the participant was
    saved since the editor loaded `expected_version` (app.core.versioning).
    """
    changed = [
        name
        for name, value in _values(data).items()
        if getattr(participant, name) != value
    ]
    with versioned_change(participant, expected_version):
        for name in changed:
            setattr(participant, name, getattr(data, name))
    if changed:
        log_audit(
            participant,
            action="updated",
            actor_id=actor.id,
            now=now,
            changes={"fields": changed},
        )
    return changed


def erase_participant(participant: Participant, *, actor: User, now: datetime) -> None:
    """Blank a participant's personal fields, mark the row erased and audit that.

    The audit entry says who erased whom (by row id) and when, nothing more.
    """
    participant.name = ERASED_NAME
    for name in PERSONAL_FIELDS[1:]:
        setattr(participant, name, "")
    participant.erased_dt = now
    db.session.flush()
    log_audit(participant, action="erased", actor_id=actor.id, now=now)


def import_participants(
    delegation: Delegation,
    rows: list[ParticipantData],
    *,
    actor: User,
    now: datetime,
) -> list[Participant]:
    """Add every row as a participant and write one audit entry for the import."""
    participants = [
        Participant(delegation_id=delegation.id, **_values(data)) for data in rows
    ]
    db.session.add_all(participants)
    db.session.flush()
    log_audit(
        delegation,
        action="participants_imported",
        actor_id=actor.id,
        now=now,
        changes={"count": len(participants)},
    )
    return participants


def parse_participants_csv(
    content: bytes,
) -> tuple[list[ParticipantData], list[RowError]]:
    """Read a participants CSV file and return its rows and every problem found.

    UTF-8 with or without a byte-order mark; comma or semicolon separated; the
    header names the columns in English or Norwegian. Rows are numbered as in a
    spreadsheet: the header is row 1. Raises ParticipantImportError when the
    file as a whole cannot be used.
    """
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_sniff(text))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ParticipantImportError(_l("The file is empty."))
        columns = _read_header(header)
        rows: list[ParticipantData] = []
        errors: list[RowError] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + _rows_with_errors(errors) >= MAX_IMPORT_ROWS:
                raise ParticipantImportError(
                    _l(
                        "The file has more than %(limit)d rows. Split it into smaller files.",
                        limit=MAX_IMPORT_ROWS,
                    )
                )
            data, row_errors = _read_row(reader.line_num, cells, columns)
            if row_errors:
                errors.extend(row_errors)
            elif data is not None:
                rows.append(data)
    except csv.Error as error:
        raise ParticipantImportError(
            _l(
                "The file is not a readable CSV file (line %(line)d).",
                line=reader.line_num,
            )
        ) from error
    if not rows and not errors:
        raise ParticipantImportError(_l("The file has a header but no participants."))
    return rows, errors


def _rows_with_errors(errors: list[RowError]) -> int:
    return len({error.row for error in errors})


def _values(data: ParticipantData) -> dict[str, str]:
    return {name: getattr(data, name) for name in PERSONAL_FIELDS}


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParticipantImportError(
            _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        ) from error


def _sniff(text: str) -> csv.Dialect:
    """Return Excel's CSV dialect with the file's separator, comma or semicolon.

    Only the separator is taken from csv.Sniffer: its guesses at quoting go
    wrong on names such as O'Brien. The header line has the last word, since
    the sniffer can be swayed by commas inside semicolon-separated values.
    """
    sample = text[:8192]
    header_line = sample.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ","  # the sniffer gives up on one-column files
    other = ";" if delimiter == "," else ","
    if delimiter not in header_line and other in header_line:
        delimiter = other
    dialect = csv.excel()
    dialect.delimiter = delimiter
    return dialect


def _read_header(header: list[str]) -> list[str]:
    columns: list[str] = []
    for cell in header:
        key = cell.strip().casefold()
        column = HEADER_ALIASES.get(key)
        if column is None:
            raise ParticipantImportError(
                _l(
                    "Unknown column “%(column)s” in the header. Use name, title, organisation, dietary_needs, accessibility_needs (or navn, tittel, organisasjon, kosthold, tilrettelegging).",
                    column=cell.strip()[:50],
                )
            )
        if column in columns:
            raise ParticipantImportError(
                _l(
                    "The column “%(column)s” appears twice in the header.",
                    column=cell.strip(),
                )
            )
        columns.append(column)
    if "name" not in columns:
        raise ParticipantImportError(
            _l("The header has no name column (name or navn).")
        )
    return columns


def _read_row(
    number: int, cells: list[str], columns: list[str]
) -> tuple[ParticipantData | None, list[RowError]]:
    if len(cells) > len(columns):
        return None, [
            RowError(
                number,
                "",
                _l(
                    "This row has %(found)d columns; the header has %(expected)d.",
                    found=len(cells),
                    expected=len(columns),
                ),
            )
        ]
    values = {
        column: cell.strip() for column, cell in zip(columns, cells, strict=False)
    }
    errors = []
    if not values.get("name"):
        errors.append(RowError(number, "name", _l("A name is required.")))
    for column, value in values.items():
        limit = field_limit(column)
        if len(value) > limit:
            errors.append(
                RowError(
                    number,
                    column,
                    _l("Use at most %(limit)d characters.", limit=limit),
                )
            )
    if errors:
        return None, errors
    return ParticipantData(**values), []
