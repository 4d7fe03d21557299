"""Load the demo data idempotently: whatever is missing is added, nothing is changed.

Every row is found again by a natural key (short name, slug, e-mail, city
name and country, venue name, and for calendar objects a UID built from the
item's slug), so a second run, on any day, adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app

from app.action_programme.services import keep_status_snapshot
from app.auth.models import Role, User
from app.auth.services import create_user
from app.core.db import db
from app.core.timezones import utc_to_local
from app.delegations.models import ChecklistTemplate, ChecklistTemplateItem
from app.delegations.reminders import plan_reminders
from app.demo import data
from app.demo.context import DemoLogin, DemoSummary, LoadContext
from app.demo.submissions import load_submissions
from app.demo.visits import load_delegations, load_events, load_visit_records
from app.directory.models import City, Initiative, Official, Organisation, Theme, Venue

__all__ = ["DemoLogin", "DemoSummary", "database_is_empty", "load_demo_data"]

logger = logging.getLogger(__name__)

_Key = TypeVar("_Key")
_Row = TypeVar("_Row")
_Spec = TypeVar("_Spec")


def database_is_empty() -> bool:
    """Return whether the database has no users yet (a fresh install)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def load_demo_data(*, now: datetime) -> DemoSummary:
    """Add the demo data that is missing and return what was added; flush, never commit.

    Relative items are placed around `now` (in Europe/Oslo) the first time they
    are loaded and never moved afterwards.
    """
    context = LoadContext(
        now=now,
        today=utc_to_local(now, data.OSLO).date(),
        domain=str(current_app.config["UID_DOMAIN"]),
    )
    _load_directory(context)
    _load_users(context)
    _load_officials(context)
    _load_initiatives(context)
    _load_checklist_templates(context)
    load_events(context, data.DATED_EVENTS + data.RELATIVE_EVENTS)
    load_delegations(context, data.DATED_DELEGATIONS + data.RELATIVE_DELEGATIONS)
    db.session.flush()
    load_visit_records(context)
    load_submissions(context)
    # The visits' hosts get their reminders, as if the visits had come in by the forms.
    for delegation in context.delegations.values():
        plan_reminders(delegation, now=now)
    db.session.flush()
    logger.info("demo data: %s rows added", context.summary.total)
    return context.summary


# --- directory ----------------------------------------------------------------


def _ensure(
    context: LoadContext,
    kind: str,
    rows: dict[_Key, _Row],
    specs: Iterable[_Spec],
    *,
    key: Callable[[_Spec], _Key],
    build: Callable[[_Spec], _Row],
) -> dict[_Key, _Row]:
    """Add a row for each spec whose key is not among `rows`; return all rows by key."""
    for spec in specs:
        if key(spec) not in rows:
            rows[key(spec)] = build(spec)
            context.add(kind, rows[key(spec)])
    return rows


def _load_directory(context: LoadContext) -> None:
    context.organisations = _ensure(
        context,
        "organisations",
        {o.short_name: o for o in db.session.scalars(sa.select(Organisation))},
        data.ORGANISATIONS,
        key=lambda spec: spec.short_name,
        build=lambda spec: Organisation(
            short_name=spec.short_name,
            name=spec.name,
            kind=spec.kind,
            is_forum_member=spec.is_forum_member,
            is_trusted=spec.is_trusted,
            website=spec.website,
        ),
    )
    context.themes = _ensure(
        context,
        "themes",
        {t.slug: t for t in db.session.scalars(sa.select(Theme))},
        data.THEMES,
        key=lambda spec: spec.slug,
        build=lambda spec: Theme(
            slug=spec.slug, name_nb=spec.name_nb, name_en=spec.name_en
        ),
    )
    context.cities = _ensure(
        context,
        "cities",
        {(c.name, c.country): c for c in db.session.scalars(sa.select(City))},
        data.CITIES,
        key=lambda spec: (spec.name, spec.country),
        build=lambda spec: City(
            name=spec.name,
            country=spec.country,
            relation=spec.relation,
            friendship_category=spec.friendship_category,
        ),
    )
    context.venues = _ensure(
        context,
        "venues",
        {v.name: v for v in db.session.scalars(sa.select(Venue))},
        data.VENUES,
        key=lambda spec: spec.name,
        build=lambda spec: Venue(
            name=spec.name, address=spec.address, capacity=spec.capacity
        ),
    )


def _load_users(context: LoadContext) -> None:
    emails = [spec.email for spec in data.USERS]
    context.users = {
        u.email: u
        for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))
    }
    for spec in data.USERS:
        if spec.email in context.users:
            continue
        context.users[spec.email] = create_user(
            spec.email,
            name=spec.name,
            role=spec.role,
            password=spec.password,
            organisation=context.organisations[spec.organisation],
            locale="nb",
            now=context.now,
        )
        # Members show the weekly digest in the outbox on Monday mornings.
        context.users[spec.email].wants_digest = spec.role is Role.member
        context.summary.add("users")
        context.summary.logins.append(DemoLogin(spec.role, spec.email, spec.password))


def _load_officials(context: LoadContext) -> None:
    def build(spec: data.OfficialSpec) -> Official:
        user = context.users.get(spec.user_email) if spec.user_email else None
        return Official(
            name=spec.name, title=spec.title, user_id=user.id if user else None
        )

    names = [spec.name for spec in data.OFFICIALS]
    query = sa.select(Official).where(Official.name.in_(names))
    context.officials = _ensure(
        context,
        "officials",
        {o.name: o for o in db.session.scalars(query)},
        data.OFFICIALS,
        key=lambda spec: spec.name,
        build=build,
    )


def _load_initiatives(context: LoadContext) -> None:
    context.initiatives = _ensure(
        context,
        "initiatives",
        {i.slug: i for i in db.session.scalars(sa.select(Initiative))},
        data.INITIATIVES,
        key=lambda spec: spec.slug,
        build=lambda spec: _initiative(context, spec),
    )


def _initiative(context: LoadContext, spec: data.InitiativeSpec) -> Initiative:
    """Build a matrix row with the snapshot of its status date, as the office's edit would."""
    initiative = Initiative(
        slug=spec.slug,
        title=spec.title,
        programme_period=data.PROGRAMME_PERIOD,
        description=spec.description,
        actors=spec.actors,
        done=spec.done,
        planned=spec.planned,
        status=spec.status,
        status_as_of=data.STATUS_AS_OF,
        working_group=[context.organisations[s] for s in spec.working_group],
    )
    keep_status_snapshot(initiative, now=context.now)
    return initiative


def _load_checklist_templates(context: LoadContext) -> None:
    context.templates = _ensure(
        context,
        "checklist templates",
        {t.protocol_level: t for t in db.session.scalars(sa.select(ChecklistTemplate))},
        data.CHECKLIST_TEMPLATES,
        key=lambda spec: spec.protocol_level,
        build=lambda spec: ChecklistTemplate(
            protocol_level=spec.protocol_level,
            title=spec.title,
            items=[
                ChecklistTemplateItem(title=title, due_days_before=days, position=index)
                for index, (title, days) in enumerate(spec.items)
            ],
        ),
    )
