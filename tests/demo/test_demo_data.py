"""The demo loader on both databases: what it creates, who sees it, and that reruns add nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app

from app.auth.models import Role
from app.auth.services import authenticate_user
from app.calendar.models import Event
from app.calendar.services import list_upcoming
from app.core.db import db
from app.core.timezones import utc_to_local
from app.core.visibility import Audience
from app.delegations.models import (
    ChecklistTask,
    Delegation,
    FollowUp,
    Interest,
    InterestKind,
    Participant,
)
from app.demo.services import database_is_empty, load_demo_data
from app.directory.models import City, CityRelation, Initiative, Organisation, Venue
from calendar_feeds import make_uid
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

OSLO = ZoneInfo("Europe/Oslo")

FORUM_MEMBERS = [
    "CC",
    "EEN",
    "HiST",
    "IN",
    "MNH",
    "NHO",
    "NTFK",
    "NTNU",
    "NiT",
    "SINTEF",
    "STFK",
    "TEK",
    "TK",
]
LOGINS = {
    "admin@vertskap.example": ("vertskap-admin-demo", Role.admin),
    "ordforer@vertskap.example": ("vertskap-ordforer-demo", Role.mayors_office),
    "medlem@ntnu.example": ("vertskap-medlem-demo", Role.member),
}


def _uid(kind: str, slug: str) -> str:
    return make_uid(kind, f"demo-{slug}", current_app.config["UID_DOMAIN"])


def _event(slug: str) -> Event:
    return db.session.execute(
        sa.select(Event).filter_by(uid=_uid("event", slug))
    ).scalar_one()


def _visit(slug: str) -> Delegation:
    return db.session.execute(
        sa.select(Delegation).filter_by(uid=_uid("visit", slug))
    ).scalar_one()


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_load_demo_data_creates_the_forum_members_and_a_few_actors(app):
    load_demo_data(now=NOW)

    organisations = db.session.scalars(sa.select(Organisation)).all()

    assert sorted(o.short_name for o in organisations if o.is_forum_member) == sorted(
        FORUM_MEMBERS
    )
    assert sorted(o.short_name for o in organisations if not o.is_forum_member) == [
        "Nidarosdomen",
        "Norden",
        "TS",
        "Visit Trondheim",
    ]
    assert [o.short_name for o in organisations if o.is_trusted] == ["TK"]


def test_load_demo_data_reports_what_it_created(app):
    summary = load_demo_data(now=NOW)

    assert summary.created == {
        "organisations": 17,
        "themes": 9,
        "cities": 14,
        "venues": 9,
        "users": 3,
        "officials": 3,
        "initiatives": 24,
        "checklist templates": 3,
        "events": 34,
        "delegations": 14,
        "programme items": 28,
        "participants": 2,
        "checklist tasks": 6,
        "follow-ups": 2,
        "interests": 1,
        "submissions": 4,
    }


def test_load_demo_data_fills_the_directory_from_the_document(app):
    load_demo_data(now=NOW)

    india = db.session.execute(
        sa.select(Initiative).filter_by(slug="india-2011")
    ).scalar_one()
    consuls = db.session.execute(
        sa.select(Initiative).filter_by(slug="konsuler")
    ).scalar_one()
    krakow = db.session.execute(
        sa.select(City).filter_by(name="Kraków", country="PL")
    ).scalar_one()
    hamburg = db.session.execute(
        sa.select(City).filter_by(name="Hamburg", country="DE")
    ).scalar_one()
    capacities = dict(db.session.execute(sa.select(Venue.name, Venue.capacity)).all())

    assert sorted(o.short_name for o in india.working_group) == [
        "IN",
        "NHO",
        "NTNU",
        "NiT",
        "TK",
    ]
    assert (consuls.programme_period, consuls.status_as_of, consuls.status) == (
        "2011-2012",
        date(2010, 12, 31),
        "Innlemmet som medlem av Internasjonalt forum",
    )
    assert (krakow.relation, krakow.friendship_category) == (CityRelation.friendship, 2)
    assert (hamburg.relation, hamburg.friendship_category) == (
        CityRelation.partner,
        None,
    )
    assert (capacities["Trondheim rådhus, Storsal"], capacities["Nidarosdomen"]) == (
        80,
        1000,
    )


def test_load_demo_data_keeps_the_dates_of_nordens_dag_and_the_interreg_deadline(app):
    load_demo_data(now=NOW)

    nordens_dag = _event("nordens-dag-2011")
    deadline = _event("interreg-ivc-frist-2011")

    assert (nordens_dag.is_all_day, nordens_dag.timezone) == (True, "Europe/Oslo")
    assert (nordens_dag.start_dt, nordens_dag.end_dt) == (
        datetime(2011, 3, 23, tzinfo=OSLO),
        datetime(2011, 3, 24, tzinfo=OSLO),
    )
    # Summer time began on 27 March 2011, so Oslo's midnight is 22:00 UTC.
    assert (deadline.is_all_day, deadline.start_dt, deadline.end_dt) == (
        True,
        datetime(2011, 3, 31, 22, 0, tzinfo=UTC),
        datetime(2011, 4, 1, 22, 0, tzinfo=UTC),
    )


def test_load_demo_data_dates_the_visits_the_document_names(app):
    load_demo_data(now=NOW)

    murmansk = _visit("murmansk-2010")
    hamburg = _visit("hamburg-vindkraft-2011")
    seminar = hamburg.programme_items[0]

    assert (
        murmansk.timezone,
        utc_to_local(murmansk.arrival_dt, "Europe/Moscow").date(),
    ) == (
        "Europe/Moscow",
        date(2010, 12, 6),
    )
    assert (seminar.title, seminar.start_dt) == (
        "Seminar: vindkraftteknologi",
        datetime(2011, 11, 15, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    )


def test_load_demo_data_plans_the_mumbai_visit_in_kolkata_time(app):
    load_demo_data(now=NOW)

    visit = _visit("mumbai-naeringsliv")
    local_starts = [
        utc_to_local(item.start_dt, visit.timezone).time()
        for item in visit.programme_items
    ]

    assert visit.timezone == "Asia/Kolkata"
    assert utc_to_local(visit.arrival_dt, visit.timezone).time() == time(9, 0)
    assert local_starts == [time(10), time(14), time(10), time(19), time(9, 30)]


def test_upcoming_items_fill_two_months_and_widen_with_the_audience(app):
    load_demo_data(now=NOW)

    totals = {
        audience: list_upcoming(audience, now=NOW, limit=1)[1] for audience in Audience
    }
    entries, _ = list_upcoming(Audience.staff, now=NOW, limit=500)
    within_60 = [e for e in entries if e.start_dt < NOW + timedelta(days=60)]
    within_14 = [e for e in entries if e.start_dt < NOW + timedelta(days=14)]

    assert 0 < totals[Audience.public] < totals[Audience.forum] < totals[Audience.staff]
    assert (len(within_60) >= 25, len(within_14) >= 10) == (True, True)
    # The cancelled Chongqing visit, its two programme items and the Kina seminar.
    assert sum(e.is_cancelled for e in entries) == 4


def test_load_demo_data_prepares_the_hamburg_visit(app):
    load_demo_data(now=NOW)

    visit = _visit("hamburg-havvind")
    participants = db.session.scalars(
        sa.select(Participant.name)
        .filter_by(delegation_id=visit.id)
        .order_by(Participant.name)
    ).all()
    tasks = db.session.execute(
        sa.select(ChecklistTask.title, ChecklistTask.done_dt.is_not(None))
        .where(ChecklistTask.delegation_id == visit.id)
        .order_by(ChecklistTask.position)
    ).all()

    assert participants == ["Dr. Jana Becker", "Lars Petersen"]
    # NOW is Thursday 26 November 2026; the visit arrives on Monday 30 November.
    assert utc_to_local(visit.arrival_dt, visit.timezone).date() == date(2026, 11, 30)
    assert [tuple(task) for task in tasks] == [
        ("Avtale program med vertsorganisasjonene", True),
        ("Bestille møterom og lunsj", True),
        ("Forberede velkomstpresentasjon om Trondheim", True),
        ("Sende endelig program til delegasjonen", True),
        ("Planlegge etterbruk og oppfølging", False),
        ("Registrere oppfølgingspunkter etter besøket", False),
    ]


def test_load_demo_data_adds_a_follow_up_and_an_interest(app):
    load_demo_data(now=NOW)

    follow_up = db.session.execute(
        sa.select(FollowUp).filter_by(delegation_id=_visit("dunfermline-ungdom").id)
    ).scalar_one()
    interest = db.session.execute(sa.select(Interest)).scalar_one()

    assert follow_up.delegation.arrival_dt < NOW
    assert (follow_up.owner.email, follow_up.deadline > NOW.date()) == (
        "admin@vertskap.example",
        True,
    )
    assert (interest.user.email, interest.kind, interest.delegation.title) == (
        "medlem@ntnu.example",
        InterestKind.join_visit,
        "Næringslivs- og kunnskapsdelegasjon til Mumbai",
    )


def test_load_demo_data_twice_on_another_day_and_host_changes_no_table(app):
    load_demo_data(now=NOW)
    db.session.commit()
    before = _row_counts()
    app.config["UID_DOMAIN"] = "calendar.elsewhere.example"

    summary = load_demo_data(now=NOW + timedelta(days=3))
    db.session.commit()

    assert _row_counts() == before
    assert summary.created == {}


def test_describe_shows_the_log_ins_on_the_first_run_only(app):
    first = load_demo_data(now=NOW).describe()
    db.session.commit()

    second = load_demo_data(now=NOW).describe()

    assert first.splitlines()[-4:] == [
        "Demo log-ins (role, e-mail, password):",
        "  admin          admin@vertskap.example       vertskap-admin-demo",
        "  mayors_office  ordforer@vertskap.example    vertskap-ordforer-demo",
        "  member         medlem@ntnu.example          vertskap-medlem-demo",
    ]
    assert second == "Demo data already loaded; nothing added."


def test_demo_users_can_log_in_with_their_roles(app):
    load_demo_data(now=NOW)
    db.session.commit()

    roles = {
        email: authenticate_user(
            email, password=password, address="127.0.0.1", now=NOW
        ).role
        for email, (password, _) in LOGINS.items()
    }

    assert roles == {email: role for email, (_, role) in LOGINS.items()}


def test_demo_load_command_loads_once_and_skips_a_filled_database(app):
    runner = app.test_cli_runner()
    empty_before = database_is_empty()

    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    third = runner.invoke(args=["demo", "load"])

    assert (empty_before, database_is_empty()) == (True, False)
    assert (first.exit_code, second.exit_code, third.exit_code) == (0, 0, 0)
    assert first.output.splitlines()[-1] == (
        "  member         medlem@ntnu.example          vertskap-medlem-demo"
    )
    assert second.output == "database already has data; demo data not loaded\n"
    assert third.output == "Demo data already loaded; nothing added.\n"
