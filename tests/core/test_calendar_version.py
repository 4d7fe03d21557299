"""The calendar version rises with every change the calendar shows, and only then."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.models import Role
from app.core.calendar_version import VersionReader, current_calendar_version
from app.core.db import db
from app.feeds.models import AccessPurpose
from app.feeds.tokens import create_feed_token
from tests.fixtures.builders import NOW
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration


def test_a_new_edited_or_deleted_event_raises_the_version(
    app: Any, create_event: Any
) -> None:
    first = current_calendar_version()
    event = create_event("Nordens dag")
    created = current_calendar_version()
    event.title = "Nordens dag i rådhuset"
    db.session.commit()
    edited = current_calendar_version()
    db.session.delete(event)
    db.session.commit()

    assert first < created < edited < current_calendar_version()


def test_programme_items_visits_and_names_shown_with_them_raise_it(
    app: Any, create_programme_item: Any, create_organisation: Any
) -> None:
    item = create_programme_item()
    before = current_calendar_version()
    item.delegation.title = "Delegasjon fra Hamburg"
    db.session.commit()
    after_visit = current_calendar_version()
    organisation = create_organisation("NTNU")
    organisation.name = "Norges teknisk-naturvitenskapelige universitet"
    db.session.commit()

    assert before < after_visit < current_calendar_version()


def test_changes_the_calendar_does_not_show_leave_it(
    app: Any, create_user: Any
) -> None:
    user = create_user()
    before = current_calendar_version()
    user.name = "Kari Nordmann"
    db.session.commit()

    assert current_calendar_version() == before


def test_it_rises_once_per_transaction_and_not_for_a_rollback(
    app: Any, create_event: Any
) -> None:
    first, second = create_event("Nordens dag"), create_event("Forum meeting")
    before = current_calendar_version()
    first.title = "Nordens dag i rådhuset"
    db.session.flush()
    second.title = "Forum meeting at NTNU"
    db.session.flush()
    db.session.commit()
    committed = current_calendar_version()
    first.title = "Never saved"
    db.session.flush()
    db.session.rollback()

    assert committed == before + 1
    assert current_calendar_version() == committed


def test_what_decides_a_private_feed_raises_it_and_nothing_else_of_users_or_tokens(
    app: Any, create_user: Any
) -> None:
    user = create_user()
    token, _raw = create_feed_token(user, label="Phone", now=NOW)
    db.session.commit()
    versions = [current_calendar_version()]

    def after(change: Any) -> None:
        change()
        db.session.commit()
        versions.append(current_calendar_version())

    after(lambda: setattr(token, "last_used_dt", NOW))  # noted hourly: no feed changes
    after(lambda: setattr(user, "last_login_dt", NOW))
    after(lambda: setattr(user, "role", Role.mayors_office))
    after(lambda: setattr(user, "locale", "en"))
    after(lambda: setattr(user, "is_active", False))
    after(lambda: setattr(token, "revoked_dt", NOW))
    after(lambda: db.session.delete(token))

    assert versions == [
        versions[0],
        versions[0],
        versions[0],
        *range(versions[0] + 1, versions[0] + 6),
    ]


def test_a_worker_reads_the_version_at_most_once_per_interval(
    app: Any, create_event: Any
) -> None:
    create_event("Nordens dag")
    reader = VersionReader(db.engine, max_age=3600)
    fresh = VersionReader(db.engine, max_age=0)
    first = reader.current()

    create_event("Forum meeting")
    with count_statements() as statements:
        kept = reader.current()
    latest = fresh.current()

    assert kept == first
    assert statements == []
    assert latest == first + 1


def test_an_api_tokens_revocation_changes_no_feed(app: Any, create_user: Any) -> None:
    user = create_user()
    token, _raw = create_feed_token(
        user, label="Script", now=NOW, purpose=AccessPurpose.api
    )
    db.session.commit()
    before = current_calendar_version()

    token.revoked_dt = NOW
    db.session.commit()
    db.session.delete(token)
    db.session.commit()

    assert current_calendar_version() == before
