"""Seed and page helpers of the browser tests: one small calendar, one user per role."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import Any

from app.action_programme.services import keep_status_snapshot
from app.auth.models import Role, User
from app.auth.services import create_user, hash_password, invite_user
from app.calendar.models import Event, EventStatus
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProgrammeItem,
    ProtocolLevel,
)
from app.directory.models import Initiative, Organisation, OrganisationKind
from tests.fixtures.browser import LiveServer

PASSWORD = "correct horse battery staple"
EMAILS = {
    Role.admin: "admin@vertskap.test",
    Role.mayors_office: "mayor@vertskap.test",
    Role.member: "member@vertskap.test",
}
#: Titles of the seeded calendar, by what they are.
PUBLIC_EVENT = "Nordens dag in the City Hall"
FORUM_EVENT = "Forum meeting at NTNU"
INTERNAL_EVENT = "Budget talks with the mayor"
INTERNAL_VISIT = "Delegation from Hamburg"
PROGRAMME_ITEM = "Welcome at Hamburg's wind-power stand"
INVITED_NAME = "Kari Nordmann"


@functools.cache
def password_hash() -> str:
    """Hash PASSWORD once per run: Argon2 is slow on purpose, and every test seeds three users."""
    return hash_password(PASSWORD)


def seed_calendar(now: datetime) -> None:
    """Add one user per role, an invited user (so one mail waits in the outbox) and the calendar."""
    ntnu = Organisation(
        short_name="NTNU",
        name="Norges teknisk-naturvitenskapelige universitet",
        kind=OrganisationKind.other,
        is_forum_member=True,
    )
    db.session.add(ntnu)
    names = {
        Role.admin: "Ada Admin",
        Role.mayors_office: "Mona Mayor",
        Role.member: "Mats Member",
    }
    users = {
        role: create_user(email, name=names[role], role=role, now=now)
        for role, email in EMAILS.items()
    }
    for user in users.values():
        user.password_hash = password_hash()
    invite_user(
        "kari@vertskap.test",
        name=INVITED_NAME,
        role=Role.member,
        organisation=ntnu,
        locale="nb",
        invited_by=users[Role.admin],
        now=now,
    )
    # One row of the action programme, with the public event linked to it.
    hosting = Initiative(
        slug="vertskapsrolle",
        title="Vertskapsrolle",
        programme_period="2011-2012",
        actors="TK",
        done="Tilrettelagt faglig program for internasjonale delegasjoner",
        planned="Tilrettelegge program og gjennomføre etter behov",
        status="Løpende",
        status_as_of=date(2010, 12, 31),
    )
    db.session.add(hosting)
    keep_status_snapshot(hosting, now=now)
    for days, title, visibility in (
        (3, PUBLIC_EVENT, Visibility.public),
        (4, FORUM_EVENT, Visibility.forum),
        (5, INTERNAL_EVENT, Visibility.internal),
    ):
        start = now + timedelta(days=days)
        db.session.add(
            Event(
                title=title,
                start_dt=start,
                end_dt=start + timedelta(hours=2),
                timezone="Europe/Oslo",
                visibility=visibility,
                status=EventStatus.confirmed,
                initiative=hosting,
            )
        )
    arrival = now + timedelta(days=10)
    visit = Delegation(
        title=INTERNAL_VISIT,
        direction=Direction.incoming,
        country="DE",
        protocol_level=ProtocolLevel.professional,
        arrival_dt=arrival,
        departure_dt=arrival + timedelta(days=2),
        status=DelegationStatus.confirmed,
        visibility=Visibility.internal,
    )
    db.session.add(visit)
    start = arrival + timedelta(hours=2)
    # Public itself, but it belongs to an internal visit: it must stay as hidden as the visit.
    db.session.add(
        ProgrammeItem(
            title=PROGRAMME_ITEM,
            delegation=visit,
            start_dt=start,
            end_dt=start + timedelta(hours=1),
            visibility=Visibility.public,
        )
    )
    db.session.flush()


def user_id(server: LiveServer, email: str) -> int:
    """Return the id of the seeded user with `email`."""
    with server.app.app_context():
        return db.session.scalars(db.select(User.id).filter_by(email=email)).one()


def log_in(page: Any, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form, as a person with a mouse would."""
    page.goto(server("/login"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    submit_form(page, "main form")


def submit_form(page: Any, form: str) -> None:
    """Press the submit button of the `form` selector and wait for the answer page."""
    with page.expect_navigation():
        page.locator(f"{form} [type=submit]").click()


def html_lang(page: Any) -> str:
    return page.locator("html").get_attribute("lang")


def switch_language(page: Any, locale: str) -> None:
    """Press the language button in the header if the page is not in `locale` yet."""
    if html_lang(page) != locale:
        submit_form(page, ".language-switch")
    assert html_lang(page) == locale


def entry_titles(page: Any) -> list[str]:
    """Return the titles of the calendar entries listed on the page, in order."""
    return [
        " ".join(t.split()) for t in page.locator(".entry__title").all_inner_texts()
    ]
