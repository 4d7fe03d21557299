"""The office edits the matrix's cells; each status date's cells are kept and can be compared."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from app.action_programme.services import keep_status_snapshot, word_changes
from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.directory.models import Initiative, InitiativeSnapshot
from tests.auth.helpers import log_in
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

PERIOD = "2011-2012"
SEED_DATE = date(2010, 12, 31)
INDIA = "india-2011"


@pytest.fixture
def matrix_rows(app):
    """Three rows of the seed's 2011-2012 matrix with their 31.12.2010 snapshots (no demo load)."""
    rows = [
        (
            INDIA,
            "India 2011",
            "NTNU, SINTEF, Næringsforeningen",
            "",
            "Delegasjon til Bangalore",
            "",
        ),
        (
            "vennskapsbyer",
            "Vennskapsbyer",
            "Trondheim kommune",
            "Besøk fra Darmstadt",
            "Jubileum",
            "Løpende",
        ),
        (
            "internasjonalt-forum",
            "Internasjonalt forum",
            "Internasjonalt forum",
            "Etablert",
            "Faste møter",
            "Etablert",
        ),
    ]
    for slug, title, actors, done, planned, status in rows:
        initiative = Initiative(
            slug=slug,
            title=title,
            programme_period=PERIOD,
            actors=actors,
            done=done,
            planned=planned,
            status=status,
            status_as_of=SEED_DATE,
        )
        db.session.add(initiative)
        keep_status_snapshot(initiative, now=NOW)
    db.session.commit()


@pytest.fixture
def office(client, create_user):
    """A client logged in as the international office (admin), in English."""
    log_in(client, create_user(role=Role.admin, locale="en"))
    return client


def _india() -> Initiative:
    return db.session.scalars(sa.select(Initiative).filter_by(slug=INDIA)).one()


def _form(initiative: Initiative, **changes: str) -> dict[str, str]:
    values = {
        "title": initiative.title,
        "actors": initiative.actors,
        "done": initiative.done,
        "planned": initiative.planned,
        "status": initiative.status,
        "status_as_of": initiative.status_as_of.isoformat(),
        "version": str(initiative.version),
    }
    return values | changes


def _edit_url(slug: str = INDIA) -> str:
    return f"/action-programme/{PERIOD}/themes/{slug}/edit"


def _snapshots(initiative_id: int) -> list[tuple[date, str]]:
    return [
        (s.as_of, s.status)
        for s in db.session.scalars(
            sa.select(InitiativeSnapshot)
            .filter_by(initiative_id=initiative_id)
            .order_by(InitiativeSnapshot.as_of)
        )
    ]


def _text(response) -> str:
    """The page's text with tags dropped and spaces collapsed, for plain assertions."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_demo_rows_start_with_their_seed_status_as_a_snapshot(demo_data):
    india = _india()

    assert _snapshots(india.id) == [(SEED_DATE, india.status)]
    rows = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Initiative)
        .where(Initiative.programme_period == PERIOD)
    )
    snapshots = db.session.scalar(sa.select(sa.func.count(InitiativeSnapshot.id)))
    assert snapshots == rows


def test_a_later_status_date_keeps_the_earlier_status_and_shows_the_new_one(
    matrix_rows, office
):
    india = _india()
    old_status = india.status

    response = office.post(
        _edit_url(),
        data=_form(
            india,
            status="Besøket til Bangalore er gjennomført; avtale om studentutveksling signert.",
            status_as_of="2011-06-30",
        ),
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/action-programme/{PERIOD}#theme-{INDIA}"
    )
    db.session.expire_all()
    assert _snapshots(india.id) == [
        (SEED_DATE, old_status),
        (
            date(2011, 6, 30),
            "Besøket til Bangalore er gjennomført; avtale om studentutveksling signert.",
        ),
    ]
    current = _text(office.get(f"/action-programme/{PERIOD}"))
    assert "avtale om studentutveksling signert" in current
    assert "Status as of 30/06/2011" in current
    earlier = _text(office.get(f"/action-programme/{PERIOD}?as_of=2011-01-15"))
    assert "as it stood on 15 January 2011" in earlier
    assert "avtale om studentutveksling signert" not in earlier
    assert old_status.split("\n")[0] in earlier
    entry = db.session.scalars(
        sa.select(AuditEntry).filter_by(object_type="initiatives", object_id=india.id)
    ).one()
    assert entry.action == "updated"
    assert entry.changes["status_as_of"] == ["2010-12-31", "2011-06-30"]


def test_the_same_status_date_corrects_that_snapshot_instead_of_adding_one(
    matrix_rows, office
):
    india = _india()

    response = office.post(_edit_url(), data=_form(india, status="Rettet status."))

    assert response.status_code == 302
    db.session.expire_all()
    assert _snapshots(india.id) == [(SEED_DATE, "Rettet status.")]


def test_an_earlier_status_date_is_refused_and_keeps_what_was_typed(
    matrix_rows, office
):
    india = _india()
    before = (india.version, india.status, _snapshots(india.id))

    response = office.post(
        _edit_url(),
        data=_form(
            india, status="Ny tekst som ikke må gå tapt", status_as_of="2010-06-01"
        ),
    )

    assert response.status_code == 400
    page = _text(response)
    assert "The status is already given as of 31/12/2010" in page
    assert "Ny tekst som ikke må gå tapt" in page
    db.session.expire_all()
    assert (india.version, india.status, _snapshots(india.id)) == before


def test_bad_input_is_refused_in_norwegian_with_nothing_saved(
    matrix_rows, client, create_user
):
    log_in(client, create_user(role=Role.admin, locale="nb"))
    india = _india()
    before = (india.version, india.title)

    response = client.post(
        _edit_url(),
        data=_form(india, title="  ", done="x" * 5001, status_as_of="31.12.2011"),
    )

    assert response.status_code == 400
    page = _text(response)
    assert "Bruk høyst 5000 tegn." in page
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert (india.version, india.title) == before


def test_a_second_editor_gets_a_conflict_and_overwrites_nothing(
    matrix_rows, client, create_user, app
):
    india = _india()
    stale = _form(india, status="Min versjon")
    first = app.test_client()
    log_in(first, create_user(role=Role.admin))
    assert (
        first.post(_edit_url(), data=_form(india, status="Deres versjon")).status_code
        == 302
    )
    log_in(client, create_user(role=Role.admin, locale="en"))

    response = client.post(_edit_url(), data=stale)

    assert response.status_code == 409
    page = _text(response)
    assert "Someone else changed this theme" in page
    assert "Deres versjon" in page  # theirs, in the table
    assert "Min versjon" in page  # yours, in the form
    db.session.expire_all()
    assert india.status == "Deres versjon"
    # Saving again from the conflict page (it carries the new version) keeps mine.
    resend = stale | {"version": str(india.version)}
    assert client.post(_edit_url(), data=resend).status_code == 302
    db.session.expire_all()
    assert india.status == "Min versjon"


@pytest.mark.parametrize("role", [Role.mayors_office, Role.member])
def test_only_the_international_office_edits(matrix_rows, client, create_user, role):
    india = _india()
    log_in(client, create_user(role=role))

    assert client.get(_edit_url()).status_code == 403
    assert client.post(_edit_url(), data=_form(india, status="x")).status_code == 403
    assert client.get("/action-programme/themes/new").status_code == 403
    assert "/themes/" not in client.get(f"/action-programme/{PERIOD}").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert india.status != "x"


def test_anonymous_visitors_are_sent_to_log_in(matrix_rows, client):
    response = client.get(_edit_url())

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_office_sees_an_edit_link_on_every_row(matrix_rows, office):
    page = office.get(f"/action-programme/{PERIOD}").get_data(as_text=True)

    slugs = db.session.scalars(
        sa.select(Initiative.slug).where(Initiative.programme_period == PERIOD)
    ).all()
    for slug in slugs:
        assert f"/action-programme/{PERIOD}/themes/{slug}/edit" in page
    history = _text(office.get(_edit_url()))
    assert "Status history" in history
    assert "31 December 2010" in history


def test_unknown_rows_and_periods_are_not_found(matrix_rows, office):
    assert (
        office.get(f"/action-programme/{PERIOD}/themes/no-such/edit").status_code == 404
    )
    assert (
        office.get("/action-programme/1999/themes/india-2011/edit").status_code == 404
    )
    assert office.get("/action-programme/1999/compare").status_code == 404


def test_a_new_theme_starts_a_new_period_with_its_first_snapshot(matrix_rows, office):
    response = office.post(
        "/action-programme/themes/new",
        data={
            "programme_period": "2013-2014",
            "title": "Ørland og Åfjord – kystsamarbeid",
            "actors": "Trøndelag fylkeskommune",
            "done": "",
            "planned": "Felles delegasjon til Hamburg",
            "status": "Planlagt",
            "status_as_of": "2013-01-31",
        },
    )

    assert response.status_code == 302
    created = db.session.scalars(
        sa.select(Initiative).filter_by(programme_period="2013-2014")
    ).one()
    assert created.slug == "orland-og-aafjord-kystsamarbeid"
    assert response.headers["Location"].endswith(
        f"/action-programme/2013-2014#theme-{created.slug}"
    )
    assert _snapshots(created.id) == [(date(2013, 1, 31), "Planlagt")]
    assert "Ørland og Åfjord" in _text(office.get("/action-programme/2013-2014"))
    assert "2013-2014" in _text(office.get("/action-programme/"))
    # The same title again gets a numbered slug.
    office.post(
        "/action-programme/themes/new",
        data={
            "programme_period": "2013-2014",
            "title": "Ørland og Åfjord – kystsamarbeid",
            "status_as_of": "2013-01-31",
        },
    )
    assert db.session.scalars(
        sa.select(Initiative.slug)
        .filter_by(programme_period="2013-2014")
        .order_by(Initiative.id)
    ).all() == [created.slug, f"{created.slug}-2"]


def test_a_new_theme_with_a_bad_period_is_refused_and_nothing_is_added(
    matrix_rows, office
):
    count = db.session.scalar(sa.select(sa.func.count(Initiative.id)))

    response = office.post(
        "/action-programme/themes/new",
        data={
            "programme_period": "2014-2013",
            "title": "Nytt tema",
            "status_as_of": "",
        },
    )

    assert response.status_code == 400
    page = _text(response)
    assert "The period must end in or after the year it starts." in page
    assert 'value="Nytt tema"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Initiative.id))) == count


def test_comparing_two_status_dates_marks_the_changed_words(matrix_rows, office):
    india = _india()
    office.post(
        _edit_url(),
        data=_form(
            india,
            status="Avtale signert med Bangalore.",
            planned=india.planned,
            status_as_of="2011-06-30",
        ),
        follow_redirects=True,  # and shows the "saved" message
    )

    response = office.get(
        f"/action-programme/{PERIOD}/compare?from=2010-12-31&to=2011-06-30"
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = _text(response)
    assert "1 theme changed" in page
    assert "<ins>Avtale signert med Bangalore.</ins>" in html
    assert "India 2011" in page
    # The other rows are listed as unchanged, not as changes.
    assert "Unchanged" in page
    assert html.count("<ins>") == 1
    # The dates may be given in either order; the default is the two latest.
    assert (
        _text(
            office.get(
                f"/action-programme/{PERIOD}/compare?from=2011-06-30&to=2010-12-31"
            )
        )
        == page
    )
    assert _text(office.get(f"/action-programme/{PERIOD}/compare")) == page


def test_a_malformed_date_is_a_bad_request(matrix_rows, client):
    assert client.get(f"/action-programme/{PERIOD}?as_of=yesterday").status_code == 400
    assert (
        client.get(f"/action-programme/{PERIOD}/compare?from=2011-13-01").status_code
        == 400
    )


def test_the_matrix_before_any_status_date_says_so(matrix_rows, client):
    page = _text(
        client.get(
            f"/action-programme/{PERIOD}?as_of=2009-01-01",
            headers={"Accept-Language": "en"},
        )
    )

    assert "No theme had a status by that date." in page


def test_the_xlsx_of_a_past_date_has_that_dates_cells(matrix_rows, office):
    india = _india()
    old_status = india.status
    office.post(
        _edit_url(), data=_form(india, status="Ny status", status_as_of="2011-06-30")
    )

    response = office.get(f"/action-programme/{PERIOD}.xlsx?as_of=2011-01-01")

    assert "2011-2012-2011-01-01.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    statuses = {
        row[0].split("\n")[0]: row[3] or ""
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert statuses[india.title] == old_status.strip()
    assert "Ny status" not in statuses.values()


def test_word_changes_keep_every_word_in_order():
    segments = word_changes("Avtale under arbeid", "Avtale signert i mars")

    assert segments == [
        ("same", "Avtale "),
        ("removed", "under arbeid"),
        ("added", "signert i mars"),
    ]
    assert "".join(t for k, t in segments if k != "added") == "Avtale under arbeid"
    assert "".join(t for k, t in segments if k != "removed") == "Avtale signert i mars"
