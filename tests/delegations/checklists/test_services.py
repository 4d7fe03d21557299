"""Checklist services: copying templates into tasks, rescheduling, overdue listing, templates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.delegations.checklists.services import (
    add_task,
    add_template_item,
    complete_task,
    create_checklist_tasks,
    create_template,
    list_overdue_tasks,
    move_template_item,
    remove_template_item,
    reschedule_checklist_tasks,
)
from app.delegations.models import ChecklistTask, DelegationStatus, ProtocolLevel
from app.demo import data as demo_data
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

#: 00:30 on 10 December in Oslo, still 9 December in UTC.
LATE_ARRIVAL = datetime(2026, 12, 9, 23, 30, tzinfo=UTC)


def _task_dates(delegation) -> list[tuple[str, date, int]]:
    return [
        (task.title, task.due_date, task.position)
        for task in db.session.scalars(
            sa.select(ChecklistTask)
            .where(ChecklistTask.delegation_id == delegation.id)
            .order_by(ChecklistTask.position)
        )
    ]


def test_create_checklist_tasks_counts_back_from_local_arrival_date(
    create_delegation, make_template
):
    make_template()
    delegation = create_delegation(arrival=LATE_ARRIVAL, timezone="Europe/Oslo")

    tasks = create_checklist_tasks(delegation, now=NOW)
    db.session.commit()

    assert [(t.title, t.due_date, t.position) for t in tasks] == [
        ("Book the meeting room", date(2026, 11, 26), 0),
        ("Send the final programme", date(2026, 12, 5), 1),
        ("Send thank-you letter", date(2026, 12, 17), 2),
    ]
    assert [(t.done_dt, t.assignee_id) for t in tasks] == [(None, None)] * 3


def test_create_checklist_tasks_uses_the_visits_own_zone(
    create_delegation, make_template
):
    make_template(steps=(("Book the meeting room", 0),))
    # 23:30 UTC on 9 December is 05:00 on 10 December in Kolkata.
    delegation = create_delegation(arrival=LATE_ARRIVAL, timezone="Asia/Kolkata")

    tasks = create_checklist_tasks(delegation, now=NOW)

    assert [t.due_date for t in tasks] == [date(2026, 12, 10)]


def test_create_checklist_tasks_does_nothing_on_second_call(
    create_delegation, make_template
):
    make_template()
    delegation = create_delegation(arrival=LATE_ARRIVAL)
    create_checklist_tasks(delegation, now=NOW)
    db.session.commit()

    again = create_checklist_tasks(delegation, now=NOW)
    db.session.commit()

    assert again == []
    assert len(_task_dates(delegation)) == 3


def test_create_checklist_tasks_does_nothing_without_template(
    create_delegation, make_template
):
    make_template(level=ProtocolLevel.state)
    delegation = create_delegation(protocol_level=ProtocolLevel.youth)

    tasks = create_checklist_tasks(delegation, now=NOW)

    assert tasks == []
    assert _task_dates(delegation) == []


def test_create_checklist_tasks_works_with_the_demo_templates(create_delegation):
    for spec in demo_data.CHECKLIST_TEMPLATES:
        template = create_template(protocol_level=spec.protocol_level, title=spec.title)
        for title, days in spec.items:
            add_template_item(template, title=title, due_days_before=days)
    db.session.commit()
    visits = {
        spec.protocol_level: create_delegation(
            protocol_level=spec.protocol_level, arrival=LATE_ARRIVAL
        )
        for spec in demo_data.CHECKLIST_TEMPLATES
    }

    created = {
        level: create_checklist_tasks(visit, now=NOW) for level, visit in visits.items()
    }

    arrival_day = date(2026, 12, 10)
    assert {
        level: [(t.title, t.due_date) for t in tasks]
        for level, tasks in created.items()
    } == {
        spec.protocol_level: [
            (title, arrival_day - timedelta(days=days)) for title, days in spec.items
        ]
        for spec in demo_data.CHECKLIST_TEMPLATES
    }


def test_reschedule_checklist_tasks_moves_only_open_template_tasks(
    create_delegation, make_template, create_user
):
    make_template()
    actor = create_user()
    delegation = create_delegation(arrival=LATE_ARRIVAL)
    booked, programme, _thanks = create_checklist_tasks(delegation, now=NOW)
    complete_task(booked, expected_version=booked.version, actor=actor, now=NOW)
    add_task(delegation, title="Order flowers", due_date=date(2026, 12, 8), now=NOW)
    db.session.commit()

    delegation.arrival_dt = LATE_ARRIVAL + timedelta(days=3)
    delegation.departure_dt = delegation.arrival_dt + timedelta(days=2)
    reschedule_checklist_tasks(delegation)
    db.session.commit()

    assert _task_dates(delegation) == [
        ("Book the meeting room", date(2026, 11, 26), 0),  # done: stays
        ("Send the final programme", date(2026, 12, 8), 1),
        ("Send thank-you letter", date(2026, 12, 20), 2),
        ("Order flowers", date(2026, 12, 8), 3),  # added by hand: stays
    ]
    assert programme.due_date == date(2026, 12, 8)


def test_reschedule_follows_the_arrival_after_the_template_was_edited(
    create_delegation, make_template
):
    template = make_template()
    delegation = create_delegation(arrival=LATE_ARRIVAL)
    create_checklist_tasks(delegation, now=NOW)
    db.session.commit()
    template.items[0].title = "Book a room (renamed)"
    template.items[0].due_days_before = 30
    db.session.delete(template.items[1])
    db.session.commit()

    delegation.arrival_dt = LATE_ARRIVAL + timedelta(days=3)
    delegation.departure_dt = delegation.arrival_dt + timedelta(days=2)
    reschedule_checklist_tasks(delegation)
    db.session.commit()

    # Each task follows its own offset: 14, 5 and -7 days around the new arrival.
    assert _task_dates(delegation) == [
        ("Book the meeting room", date(2026, 11, 29), 0),
        ("Send the final programme", date(2026, 12, 8), 1),
        ("Send thank-you letter", date(2026, 12, 20), 2),
    ]


def test_list_overdue_tasks_skips_done_future_and_cancelled_visits(
    create_delegation, create_user
):
    actor = create_user()
    visit = create_delegation("Open visit")
    cancelled = create_delegation("Cancelled", status=DelegationStatus.cancelled)
    late = add_task(visit, title="Late", due_date=date(2026, 11, 20), now=NOW)
    add_task(visit, title="Due today", due_date=date(2026, 11, 26), now=NOW)
    done = add_task(visit, title="Done late", due_date=date(2026, 11, 19), now=NOW)
    complete_task(done, expected_version=done.version, actor=actor, now=NOW)
    add_task(cancelled, title="Cancelled late", due_date=date(2026, 11, 1), now=NOW)
    earlier = add_task(visit, title="Very late", due_date=date(2026, 11, 2), now=NOW)
    db.session.commit()

    overdue = list_overdue_tasks(today=date(2026, 11, 26))

    assert [task.id for task in overdue] == [earlier.id, late.id]


def test_move_and_remove_template_item_keep_positions_distinct(make_template):
    template = make_template()
    first, second, third = template.items

    move_template_item(template, third, offset=-1)
    move_template_item(template, first, offset=-1)  # already first: stays
    remove_template_item(template, first)
    db.session.commit()

    assert [(i.title, i.position) for i in template.items] == [
        ("Send thank-you letter", 1),
        ("Send the final programme", 2),
    ]
    assert [i.id for i in template.items] == [third.id, second.id]


def test_add_template_item_goes_last(make_template):
    template = make_template()

    item = add_template_item(template, title="Buy gifts", due_days_before=21)
    db.session.commit()

    assert (item.position, [i.title for i in template.items][-1]) == (3, "Buy gifts")
