"""Participants: staff-only list, add/edit, CSV import with row-by-row errors, erasure."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import Participant
from app.delegations.participants.services import (
    ParticipantData,
    ParticipantImportError,
    add_participant,
    parse_participants_csv,
)
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

HEADER = "name,title,organisation,dietary_needs,accessibility_needs\n"


@pytest.fixture
def staff(create_user):
    return create_user(role=Role.mayors_office, locale="en")


@pytest.fixture
def visit(create_delegation):
    return create_delegation("Delegation from Hamburg")


def _upload(client, visit, content: bytes):
    return client.post(
        f"/visits/{visit.id}/participants/import",
        data={"file": (io.BytesIO(content), "participants.csv")},
        content_type="multipart/form-data",
    )


def _participants(visit):
    return db.session.scalars(
        sa.select(Participant)
        .where(Participant.delegation_id == visit.id)
        .order_by(Participant.id)
    ).all()


def _text_rows(html: str, caption_id: str) -> list[list[str]]:
    table = re.search(
        rf'<caption id="{caption_id}">.*?<tbody>(.*?)</tbody>', html, re.S
    ).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in rows
    ]


def test_import_participants_comma_separated_adds_every_row(
    client, login, staff, visit
):
    login(staff)
    content = (
        HEADER
        + "Anna Schmidt,Senator,Hamburg Senate,vegetarian,\n"
        + 'Jonas Weber,"Adviser, trade",Handelskammer,,wheelchair user\n'
    ).encode()

    response = _upload(client, visit, content)

    assert response.status_code == 302
    assert [
        (p.name, p.title, p.organisation, p.dietary_needs, p.accessibility_needs)
        for p in _participants(visit)
    ] == [
        ("Anna Schmidt", "Senator", "Hamburg Senate", "vegetarian", ""),
        ("Jonas Weber", "Adviser, trade", "Handelskammer", "", "wheelchair user"),
    ]
    page = client.get(response.location).get_data(as_text=True)
    assert "2 participants imported." in page


def test_import_participants_semicolon_bom_and_norwegian_headers(
    client, login, staff, visit
):
    login(staff)
    content = (
        "\ufeffNavn;Tittel;Organisasjon;Kosthold;Tilrettelegging\r\n"
        "Øystein Ås;Rådgiver;Trondheim kommune;halal;høreslynge\r\n"
    ).encode()

    response = _upload(client, visit, content)

    assert response.status_code == 302
    assert [
        (p.name, p.title, p.organisation, p.dietary_needs, p.accessibility_needs)
        for p in _participants(visit)
    ] == [("Øystein Ås", "Rådgiver", "Trondheim kommune", "halal", "høreslynge")]


def test_import_participants_with_broken_rows_imports_nothing_and_lists_errors(
    client, login, staff, visit
):
    login(staff)
    content = (
        HEADER
        + "Anna Schmidt,Senator,,,\n"
        + ",Adviser,,,\n"
        + "Jonas Weber,"
        + "x" * 10_000
        + ",,,\n"
        + "Lena Fischer,Mayor,City,none,none,surplus\n"
    ).encode()

    response = _upload(client, visit, content)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _participants(visit) == []
    assert _text_rows(html, "row-errors-caption") == [
        ["3", "name", "A name is required."],
        ["4", "title", "Use at most 200 characters."],
        ["5", "(whole row)", "This row has 6 columns; the header has 5."],
    ]
    assert 'enctype="multipart/form-data"' in html
    assert "Nothing was imported." in html


def test_parse_participants_csv_refuses_more_than_1000_rows():
    content = (HEADER + "Name,,,,\n" * 1001).encode()

    with pytest.raises(ParticipantImportError) as caught:
        parse_participants_csv(content)

    assert str(caught.value) == (
        "The file has more than 1000 rows. Split it into smaller files."
    )


def test_parse_participants_csv_accepts_exactly_1000_rows():
    rows, errors = parse_participants_csv((HEADER + "Name,,,,\n" * 1000).encode())

    assert (len(rows), errors) == (1000, [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"name\n\xff\xfe broken\n",
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.",
        ),
        (b"", "The file is empty."),
        (
            b"name,email\nAnna,a@example.org\n",
            "Unknown column “email” in the header. Use name, title, organisation,"
            " dietary_needs, accessibility_needs (or navn, tittel, organisasjon,"
            " kosthold, tilrettelegging).",
        ),
        (b"title\nSenator\n", "The header has no name column (name or navn)."),
    ],
)
def test_import_participants_unusable_file_gets_message_on_field(
    client, login, staff, visit, content, message
):
    login(staff)

    response = _upload(client, visit, content)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="file-error">(.*?)</p>', html, re.S)
    assert error.group(1) == message
    assert _participants(visit) == []


@pytest.mark.parametrize(
    ("content", "title"),
    [
        ("navn;tittel\nAnna;Adviser, trade\n", "Adviser, trade"),
        ('name,title\nAnna,"Adviser; trade"\n', "Adviser; trade"),
        ("name;title\nAnna;O'Brien's adviser, trade\n", "O'Brien's adviser, trade"),
    ],
)
def test_parse_participants_csv_separator_from_header(content, title):
    rows, errors = parse_participants_csv(content.encode())

    assert (rows, errors) == ([ParticipantData(name="Anna", title=title)], [])


def test_parse_participants_csv_single_column_file():
    rows, errors = parse_participants_csv(b"navn\nAnna\nJonas\n")

    assert (rows, errors) == (
        [ParticipantData(name="Anna"), ParticipantData(name="Jonas")],
        [],
    )


def test_add_participant_saves_and_lists(client, login, staff, visit):
    login(staff)

    response = client.post(
        f"/visits/{visit.id}/participants/new",
        data={
            "name": "Anna Schmidt",
            "title": "Senator",
            "organisation": "Hamburg Senate",
            "dietary_needs": "vegetarian",
            "accessibility_needs": "step-free access",
        },
    )

    assert response.status_code == 302
    page = client.get(f"/visits/{visit.id}/participants").get_data(as_text=True)
    assert _text_rows(page, "participants-caption") == [
        [
            "Anna Schmidt",
            "Senator",
            "Hamburg Senate",
            "vegetarian",
            "step-free access",
            "Edit\n        Erase",
        ]
    ]


def test_add_participant_too_long_name_keeps_form(client, login, staff, visit):
    login(staff)

    response = client.post(
        f"/visits/{visit.id}/participants/new",
        data={"name": "A" * 10_000, "title": "Senator"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use at most 200 characters." in html
    assert 'value="Senator"' in html
    assert _participants(visit) == []


def test_edit_participant_changes_fields_and_audits_names_only(
    client, login, staff, visit
):
    participant = add_participant(
        visit, ParticipantData(name="Anna", title="Senator"), actor=staff, now=NOW
    )
    db.session.commit()
    login(staff)

    response = client.post(
        f"/visits/{visit.id}/participants/{participant.id}/edit",
        data={
            "name": "Anna Schmidt",
            "title": "Senator",
            "dietary_needs": "vegan",
            "version": "1",
        },
    )

    assert response.status_code == 302
    db.session.refresh(participant)
    assert (participant.name, participant.dietary_needs) == ("Anna Schmidt", "vegan")
    entry = db.session.scalars(
        sa.select(AuditEntry).filter_by(object_id=participant.id, action="updated")
    ).one()
    assert entry.changes == {"fields": ["name", "dietary_needs"]}


def test_erase_participant_confirmation_page_works_without_javascript(
    client, login, staff, visit
):
    participant = add_participant(
        visit, ParticipantData(name="Anna Schmidt"), actor=staff, now=NOW
    )
    db.session.commit()
    login(staff)

    html = client.get(
        f"/visits/{visit.id}/participants/{participant.id}/erase"
    ).get_data(as_text=True)

    assert "Erase Anna Schmidt?" in html
    assert re.search(r'<form method="post">', html) is not None
    assert "Erase personal data" in html


def test_erase_participant_blanks_personal_fields_and_keeps_audit(
    client, login, staff, visit
):
    participant = add_participant(
        visit,
        ParticipantData(
            name="Anna Schmidt",
            title="Senator",
            organisation="Hamburg Senate",
            dietary_needs="nut allergy",
            accessibility_needs="wheelchair user",
        ),
        actor=staff,
        now=NOW,
    )
    db.session.commit()
    login(staff)

    response = client.post(f"/visits/{visit.id}/participants/{participant.id}/erase")

    assert response.status_code == 302
    row = db.session.execute(
        sa.text(
            "SELECT name, title, organisation, dietary_needs, accessibility_needs,"
            " erased_dt FROM participants WHERE id = :id"
        ),
        {"id": participant.id},
    ).one()
    assert tuple(row[:5]) == ("Erased participant", "", "", "", "")
    assert row[5] is not None
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .filter_by(object_type="participants", object_id=participant.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor_id, e.changes, e.comment) for e in entries] == [
        ("created", staff.id, {}, ""),
        ("erased", staff.id, {}, ""),
    ]
    audit_json = db.session.execute(
        sa.text("SELECT changes, comment FROM audit_entries")
    ).all()
    assert all(
        secret not in str(audit_json)
        for secret in ("Anna", "Senator", "Hamburg", "nut", "wheelchair")
    )
    page = client.get(f"/visits/{visit.id}/participants").get_data(as_text=True)
    assert "Anna Schmidt" not in page
    assert "Erased participant" in page


def test_erased_participant_cannot_be_edited(client, login, staff, visit):
    participant = add_participant(
        visit, ParticipantData(name="Anna"), actor=staff, now=NOW
    )
    db.session.commit()
    login(staff)
    client.post(f"/visits/{visit.id}/participants/{participant.id}/erase")

    response = client.get(f"/visits/{visit.id}/participants/{participant.id}/edit")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/participants",
        "/participants/new",
        "/participants/import",
    ],
)
def test_participants_pages_forbidden_for_members(
    client, login, create_user, visit, path
):
    login(create_user(role=Role.member))

    response = client.get(f"/visits/{visit.id}{path}")

    assert response.status_code == 403


def test_participants_page_sends_anonymous_to_login(client, visit):
    response = client.get(f"/visits/{visit.id}/participants")

    assert (response.status_code, response.location.split("?")[0]) == (302, "/login")


def test_participants_never_on_member_pages(
    client, login, create_user, staff, create_delegation, create_programme_item
):
    visit = create_delegation("Forum visit", visibility=Visibility.forum)
    create_programme_item(delegation=visit)
    add_participant(
        visit,
        ParticipantData(name="Zacharias Geheim", dietary_needs="Kosherdiät"),
        actor=staff,
        now=NOW,
    )
    db.session.commit()
    login(create_user(role=Role.member, locale="en"))

    bodies = [
        client.get(path).get_data(as_text=True)
        for path in (
            "/",
            "/upcoming",
            "/visits/",
            f"/visits/{visit.id}",
            f"/visits/{visit.id}/interest",
            f"/visits/{visit.id}/programme/print?lang=en",
            f"/visits/{visit.id}/participants",
        )
    ]

    assert [("Zacharias" in body, "Kosherdiät" in body) for body in bodies] == [
        (False, False)
    ] * 7


def test_import_participants_file_over_2_mb_is_refused(client, login, staff, visit):
    login(staff)
    content = (HEADER + ("Anna Schmidt," + "x" * 190 + ",,,\n") * 11_000).encode()

    # Built by hand: the test client spools a large multipart body to a
    # temporary file that it leaves open when the app refuses the request.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n--b--\r\n"
    )

    response = client.post(
        f"/visits/{visit.id}/participants/import",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )

    assert (len(content) > 2 * 1024 * 1024, response.status_code) == (True, 413)
    assert _participants(visit) == []
