"""Change notices: who hears of a changed visit or programme item, in which language and zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import (
    DelegationStatus,
    Interest,
    InterestKind,
    InterestState,
)
from app.delegations.notices import queue_change_notices
from app.delegations.services import update_delegation
from app.directory.models import Official
from app.outbox.models import OutboxMail
from tests.fixtures.builders import NOW, moved_visit

pytestmark = pytest.mark.integration

ARRIVAL = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _interest(visit, user, state=InterestState.accepted):
    interest = Interest(
        delegation=visit,
        user=user,
        kind=InterestKind.meet_delegation,
        state=state,
        decided_dt=None if state is InterestState.pending else NOW,
    )
    db.session.add(interest)
    db.session.commit()
    return interest


def _recipients() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail.recipient).order_by(OutboxMail.recipient)
        )
    )


@pytest.fixture
def followed(create_user, create_delegation, create_programme_item):
    """A confirmed visit with a host contact, an attending official and three members."""
    host = create_user("host@example.org", role=Role.mayors_office, locale="en")
    mayor = create_user(
        "mayor@example.org",
        role=Role.mayors_office,
        locale="en",
        timezone="Asia/Kolkata",
    )
    accepted = create_user("accepted@example.org", role=Role.member)
    pending = create_user("pending@example.org", role=Role.member)
    create_user("bystander@example.org", role=Role.member)
    visit = create_delegation(
        "Hamburg harbour",
        visibility=Visibility.forum,
        arrival=ARRIVAL,
        host_contact_id=host.id,
        status=DelegationStatus.confirmed,
    )
    official = Official(name="The mayor", user_id=mayor.id)
    item = create_programme_item(delegation=visit, officials=[official])
    _interest(visit, accepted)
    _interest(visit, pending, InterestState.pending)
    return {
        "visit": visit,
        "item": item,
        "host": host,
        "mayor": mayor,
        "member": accepted,
    }


def test_update_delegation_notifies_everyone_following_a_confirmed_visit_once(
    create_user, followed
):
    visit, host = followed["visit"], followed["host"]

    update_delegation(
        visit,
        moved_visit(visit, timedelta(hours=2)),
        expected_version=visit.version,
        actor=host,
        now=NOW,
    )
    db.session.commit()

    assert _recipients() == [
        "accepted@example.org",
        "host@example.org",
        "mayor@example.org",
    ]
    keys = set(db.session.scalars(sa.select(OutboxMail.idempotency_key)))
    assert keys == {
        f"visit-change:{visit.uid}:{visit.sequence}:{user.id}"
        for user in (host, followed["mayor"], followed["member"])
    }


def test_update_delegation_writes_new_times_in_each_recipients_zone_and_language(
    followed,
):
    visit, host = followed["visit"], followed["host"]

    update_delegation(
        visit,
        moved_visit(visit, timedelta(hours=2)),
        expected_version=visit.version,
        actor=host,
        now=NOW,
    )
    db.session.commit()

    mails = {m.recipient: m for m in db.session.scalars(sa.select(OutboxMail))}
    mayor_mail = mails["mayor@example.org"]
    assert mayor_mail.locale == "en"
    assert mayor_mail.subject == "A visit you follow has changed"
    assert (
        "New time: 1 Dec 2026, 16:30 – 3 Dec 2026, 16:30 (Asia/Kolkata)"
        in mayor_mail.body_text
    )
    assert "New place" not in mayor_mail.body_text
    member_mail = mails["accepted@example.org"]
    assert member_mail.locale == "nb"
    assert "1. des. 2026, 12:00" in member_mail.body_text  # Europe/Oslo
    assert "Hamburg harbour" not in member_mail.subject


def test_queue_change_notices_is_idempotent_per_sequence(followed):
    visit = followed["visit"]

    first = queue_change_notices(visit, changed=["time"], now=NOW)
    again = queue_change_notices(visit, changed=["time"], now=NOW)
    db.session.commit()

    assert [m.id for m in again] == [m.id for m in first]
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 3


def test_queue_change_notices_skips_unconfirmed_visits(followed):
    visit, host = followed["visit"], followed["host"]
    visit.status = DelegationStatus.tentative
    db.session.commit()

    update_delegation(
        visit,
        moved_visit(visit, timedelta(hours=1)),
        expected_version=visit.version,
        actor=host,
        now=NOW,
    )
    db.session.commit()

    assert _recipients() == []


def test_queue_change_notices_never_tells_members_of_an_internal_item(
    create_programme_item, followed
):
    visit, mayor = followed["visit"], followed["mayor"]
    item = create_programme_item(
        "Closed dinner",
        delegation=visit,
        visibility=Visibility.internal,
        officials=[Official(name="Deputy", user_id=followed["member"].id)],
    )
    item.start_dt = item.start_dt + timedelta(hours=1)
    item.end_dt = item.end_dt + timedelta(hours=1)
    db.session.flush()

    mails = queue_change_notices(item, changed=["time"], now=NOW)
    db.session.commit()

    assert sorted(m.recipient for m in mails) == ["host@example.org"]
    assert mayor.email not in [m.recipient for m in mails]


def test_queue_change_notices_tells_officials_of_the_changed_item(followed):
    item = followed["item"]
    item.location = "Nidarosdomen"
    db.session.flush()

    mails = queue_change_notices(item, changed=["place"], now=NOW)
    db.session.commit()

    assert [m.recipient for m in mails] == [
        "host@example.org",
        "mayor@example.org",
        "accepted@example.org",
    ]
    assert "New place: Nidarosdomen" in mails[0].body_text
    assert f"/visits/{item.delegation_id}" in mails[0].body_text


def test_queue_change_notices_skips_members_of_an_internal_visit(followed):
    visit = followed["visit"]
    visit.visibility = Visibility.internal
    db.session.flush()

    mails = queue_change_notices(visit, changed=["status"], now=NOW)

    assert sorted(m.recipient for m in mails) == [
        "host@example.org",
        "mayor@example.org",
    ]


def test_each_notice_carries_the_changed_item_as_ics_and_an_unsubscribe_link(
    followed,
):
    visit, item, host = followed["visit"], followed["item"], followed["host"]
    followed["member"].wants_change_notices = False
    db.session.commit()

    update_delegation(
        visit,
        moved_visit(visit, timedelta(hours=2)),
        expected_version=visit.version,
        actor=host,
        now=NOW,
    )
    queue_change_notices(item, changed=["deleted"], now=NOW)
    db.session.commit()

    # The member turned change notices off; the others hear of both changes.
    assert sorted(set(_recipients())) == ["host@example.org", "mayor@example.org"]
    mails = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
    for mail in mails:
        calendar = icalendar.Calendar.from_ical(mail.ics)
        (vevent,) = calendar.walk("VEVENT")
        assert mail.list_unsubscribe.startswith("http://vertskap.test/unsubscribe/")
        if vevent["UID"] == visit.uid:
            assert vevent["SEQUENCE"] == visit.sequence
            assert vevent.decoded("DTSTART") == ARRIVAL + timedelta(hours=2)
            assert vevent["STATUS"] == "CONFIRMED"
        else:
            # The removed programme item is cancelled, one sequence later.
            assert vevent["UID"] == item.uid
            assert vevent["STATUS"] == "CANCELLED"
            assert vevent["SEQUENCE"] == item.sequence + 1
    assert {
        icalendar.Calendar.from_ical(m.ics).walk("VEVENT")[0]["UID"] for m in mails
    } == {
        visit.uid,
        item.uid,
    }
