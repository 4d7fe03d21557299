"""Reminders: planned per recipient, re-timed when a visit moves, gone when it is cancelled.

The issue's test: a visit confirmed for three days from now yields exactly the
expected reminders at the expected times, in each recipient's language; they
reach a real SMTP server once each.
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.checklists.services import add_task, complete_task
from app.delegations.followups.services import FollowUpData, add_followup
from app.delegations.models import (
    DelegationStatus,
    FollowUpStatus,
    Reminder,
    ReminderRule,
)
from app.delegations.reminders import plan_reminders, queue_due_reminders
from app.delegations.services import (
    transition_delegation,
    update_delegation,
)
from app.outbox.delivery import deliver_due_mail
from app.outbox.mail import parse_smtp_url
from app.outbox.models import OutboxMail
from tests.fixtures.builders import NOW, moved_visit

pytestmark = pytest.mark.integration

# NOW is Thursday 26 November 2026, 09:00 UTC (10:00 in Oslo).
ARRIVAL = NOW + timedelta(days=3, hours=1)  # Sunday 29 November, 11:00 in Oslo


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _planned() -> set[tuple[str, str, int, datetime]]:
    return {
        (row.rule.value, row.object_key, row.recipient_user_id, row.due_dt)
        for row in db.session.scalars(
            sa.select(Reminder).where(Reminder.queued_dt.is_(None))
        )
    }


@pytest.fixture
def hosts(create_user, create_organisation):
    """A Norwegian host in Oslo; an English co-host in New York who wants 3 days' notice only."""
    sintef = create_organisation("SINTEF")
    host = create_user(
        "vert@trondheim.kommune.example",
        name="Kari Nordmann",
        locale="nb",
        role=Role.mayors_office,
    )
    co_host = create_user(
        "liaison@sintef.example",
        name="Sam Carter",
        locale="en",
        timezone="America/New_York",
        organisation=sintef,
    )
    co_host.arrival_reminder_days = [3]
    db.session.commit()
    return host, co_host, sintef


@pytest.fixture
def visit(create_delegation, create_user, hosts):
    host, _, sintef = hosts
    delegation = create_delegation(
        "Delegasjon fra Hamburg",
        arrival=ARRIVAL,
        status=DelegationStatus.tentative,
        host_contact_id=host.id,
        visibility=Visibility.forum,
    )
    delegation.co_hosts.append(sintef)
    db.session.commit()
    return delegation


def _confirm(visit, actor):
    transition_delegation(
        visit, to=DelegationStatus.confirmed, actor=actor, comment="", now=NOW
    )
    db.session.commit()


def test_a_tentative_visit_has_no_arrival_reminders(visit):
    plan_reminders(visit, now=NOW)
    db.session.commit()
    assert _planned() == set()


def test_confirming_a_visit_three_days_ahead_plans_exactly_the_reminders_still_ahead(
    visit, hosts
):
    host, co_host, _ = hosts
    _confirm(visit, host)
    key = f"delegation:{visit.id}"
    # The 14-day reminders are long past, and the host's 3-day one was due at
    # 08:00 in Oslo today, before NOW: neither is planned. New York's 08:00
    # today is still ahead; its 1-day reminder is Saturday 08:00 there.
    assert _planned() == {
        ("arrival_1", key, host.id, _utc(2026, 11, 28, 7, 0)),
        ("arrival_3", key, co_host.id, _utc(2026, 11, 26, 13, 0)),
    }


def test_due_reminders_reach_the_smtp_server_once_in_each_language(
    visit, hosts, smtp_server, smtp_url
):
    host, co_host, _ = hosts
    _confirm(visit, host)
    settings = parse_smtp_url(smtp_url)

    for moment in (_utc(2026, 11, 26, 13, 0), _utc(2026, 11, 28, 7, 0)):
        assert queue_due_reminders(now=moment) == 1
        assert queue_due_reminders(now=moment) == 0  # a second tick adds nothing
        db.session.commit()
        deliver_due_mail(
            settings, sender="vertskap@vertskap.test", now=moment, limit=10
        )

    received = [
        email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
        for m in smtp_server.outbox
    ]
    # Confirming the visit told its host; the reminders come after.
    notice, *received = received
    assert notice["Subject"] == "Et besøk du følger, er endret"
    assert [m["To"] for m in received] == [co_host.email, host.email]
    english, norwegian = received
    assert english["Subject"] == "Reminder: a visit arrives on 29 November, in 3 days"
    assert norwegian["Subject"] == "Påminnelse: et besøk kommer 29. november, om 1 dag"
    english_text = english.get_body(("plain",)).get_content()
    # 11:00 in Oslo is 05:00 in New York.
    assert "29 Nov 2026, 05:00 (America/New_York)" in english_text
    norwegian_text = norwegian.get_body(("plain",)).get_content()
    assert "29. nov. 2026, 11:00 (Europe/Oslo)" in norwegian_text
    for message in received:
        # One unbroken link (RFC 2369); re-serialising the server's copy moves
        # it to a continuation line, hence the strip.
        link = message["List-Unsubscribe"].strip()
        assert link.startswith("<http://vertskap.test/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # The subject names no visit: titles may be internal.
        assert "Hamburg" not in message["Subject"]
    assert _planned() == set()
    kinds = db.session.scalars(sa.select(OutboxMail.kind).order_by(OutboxMail.id))
    assert list(kinds) == ["visit_changed", "visit_reminder", "visit_reminder"]


def test_moving_the_visit_retimes_its_reminders_and_keeps_sent_ones(visit, hosts):
    host, co_host, _ = hosts
    _confirm(visit, host)
    assert queue_due_reminders(now=_utc(2026, 11, 26, 13, 0)) == 1  # co-host's 3-day
    db.session.commit()

    update_delegation(
        visit,
        moved_visit(visit, timedelta(days=7)),
        expected_version=visit.version,
        actor=host,
        now=NOW,
    )
    db.session.commit()

    key = f"delegation:{visit.id}"
    # Arrival is now Sunday 6 December: 3 and 1 days before, at 08:00 local.
    assert _planned() == {
        ("arrival_3", key, host.id, _utc(2026, 12, 3, 7, 0)),
        ("arrival_1", key, host.id, _utc(2026, 12, 5, 7, 0)),
        ("arrival_3", key, co_host.id, _utc(2026, 12, 3, 13, 0)),
    }
    sent = db.session.scalars(
        sa.select(Reminder).where(Reminder.queued_dt.is_not(None))
    ).all()
    assert [(r.rule, r.due_dt) for r in sent] == [
        (ReminderRule.arrival_3, _utc(2026, 11, 26, 13, 0))
    ]


def test_cancelling_the_visit_removes_its_reminders(visit, hosts):
    host, _, _ = hosts
    _confirm(visit, host)
    add_task(visit, title="Bestill Storsalen", due_date=date(2026, 11, 28), now=NOW)
    db.session.commit()
    assert _planned()

    transition_delegation(
        visit, to=DelegationStatus.cancelled, actor=host, comment="", now=NOW
    )
    db.session.commit()

    assert _planned() == set()
    assert queue_due_reminders(now=ARRIVAL) == 0


def test_tasks_and_follow_ups_are_reminded_the_morning_before_they_are_due(
    visit, hosts
):
    host, co_host, _ = hosts
    _confirm(visit, host)
    unassigned = add_task(
        visit, title="Bestill Storsalen", due_date=date(2026, 11, 28), now=NOW
    )
    assigned = add_task(
        visit,
        title="Book interpreters",
        due_date=date(2026, 11, 28),
        assignee=co_host,
        now=NOW,
    )
    follow_up = add_followup(
        visit,
        FollowUpData(
            title="Send the MoU draft",
            owner_id=co_host.id,
            deadline=date(2026, 12, 10),
            status=FollowUpStatus.open,
            notes="",
        ),
        actor=host,
        now=NOW,
    )
    db.session.commit()

    tasks = {row for row in _planned() if not row[0].startswith("arrival")}
    assert tasks == {
        ("task_due", f"task:{unassigned.id}", host.id, _utc(2026, 11, 27, 7, 0)),
        ("task_due", f"task:{assigned.id}", co_host.id, _utc(2026, 11, 27, 13, 0)),
        (
            "follow_up_due",
            f"follow_up:{follow_up.id}",
            co_host.id,
            _utc(2026, 12, 9, 13, 0),
        ),
    }

    complete_task(unassigned, expected_version=unassigned.version, actor=host, now=NOW)
    db.session.commit()
    assert not any(row[1] == f"task:{unassigned.id}" for row in _planned())

    co_host.wants_task_reminders = False
    db.session.commit()
    # The tick checks each due row against the plan: a choice made without a
    # re-plan still stops the mail.
    assert (
        queue_due_reminders(now=_utc(2026, 11, 27, 13, 0)) == 1
    )  # co-host's arrival_3
    db.session.commit()
    kinds = db.session.scalars(
        sa.select(OutboxMail.kind).where(OutboxMail.kind != "visit_changed")
    ).all()
    assert kinds == ["visit_reminder"]


def test_a_task_reminder_names_the_task_in_the_recipients_language(visit, hosts):
    host, _, _ = hosts
    _confirm(visit, host)
    add_task(visit, title="Bestill Storsalen", due_date=date(2026, 11, 28), now=NOW)
    db.session.commit()

    queue_due_reminders(now=_utc(2026, 11, 27, 7, 0))
    db.session.commit()

    mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.kind == "task_reminder")
    ).one()
    assert mail.subject == "Påminnelse: en oppgave på sjekklisten har frist i morgen"
    assert (
        "«Bestill Storsalen»" in mail.body_text
        or "“Bestill Storsalen”" in mail.body_text
    )
    assert "lørdag 28. november 2026" in mail.body_text
    assert mail.list_unsubscribe.startswith("http://vertskap.test/unsubscribe/")


def test_a_user_who_picks_no_days_gets_no_arrival_reminders(visit, hosts):
    host, co_host, _ = hosts
    host.arrival_reminder_days = []
    db.session.commit()
    _confirm(visit, host)
    assert {row[2] for row in _planned()} == {co_host.id}


def test_members_never_get_reminders_of_an_internal_visit(visit, hosts):
    host, co_host, _ = hosts
    visit.visibility = Visibility.internal
    db.session.commit()
    _confirm(visit, host)
    assert co_host.id not in {row[2] for row in _planned()}
