"""Checklist pages: a visit's tasks (staff) and the template editor (admins)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask import g

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.delegations.checklists.services import add_task, create_checklist_tasks
from app.delegations.models import ChecklistTask, ChecklistTemplate, ProtocolLevel
from tests.fixtures.builders import NOW
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

LATE_ARRIVAL = datetime(2026, 12, 9, 23, 30, tzinfo=UTC)


def _rows(html: str) -> list[str]:
    """Return the task titles in page order."""
    return re.findall(r'<tr id="task-\d+"[^>]*>\s*<th scope="row">\s*([^<\n]+)', html)


def _audit(obj) -> list[tuple[str, int | None, dict]]:
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.object_type == obj.__tablename__, AuditEntry.object_id == obj.id
        )
        .order_by(AuditEntry.id)
    )
    return [(e.action, e.actor_id, e.changes) for e in entries]


@pytest.fixture
def staff(create_user):
    return create_user(role=Role.mayors_office, locale="en", name="Mona Mayor")


@pytest.fixture
def admin(create_user):
    return create_user(role=Role.admin, locale="en", name="Ada Admin")


# --- the visit's checklist ----------------------------------------------------


def test_show_checklist_lists_tasks_by_due_date(
    client, login, staff, create_delegation, make_template
):
    make_template()
    delegation = create_delegation(arrival=datetime(2030, 1, 20, 10, tzinfo=UTC))
    create_checklist_tasks(delegation, now=NOW)
    add_task(delegation, title="Order flowers", due_date=date(2030, 1, 10), now=NOW)
    db.session.commit()
    login(staff)

    response = client.get(f"/visits/{delegation.id}/checklist")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _rows(html) == [
        "Book the meeting room",
        "Order flowers",
        "Send the final programme",
        "Send thank-you letter",
    ]
    assert "Overdue" not in html
    assert "Create tasks from the template" not in html


def test_show_checklist_offers_template_button_when_visit_has_no_tasks(
    client, login, staff, create_delegation, make_template
):
    make_template()
    delegation = create_delegation(arrival=LATE_ARRIVAL)
    login(staff)

    page = client.get(f"/visits/{delegation.id}/checklist").get_data(as_text=True)
    response = client.post(f"/visits/{delegation.id}/checklist/from-template")

    assert "Create tasks from the template" in page
    assert response.status_code == 302
    assert response.headers["Location"] == f"/visits/{delegation.id}/checklist"
    titles = db.session.scalars(
        sa.select(ChecklistTask.title)
        .where(ChecklistTask.delegation_id == delegation.id)
        .order_by(ChecklistTask.position)
    ).all()
    assert titles == [
        "Book the meeting room",
        "Send the final programme",
        "Send thank-you letter",
    ]
    assert _audit(delegation)[-1][:2] == ("checklist_created", staff.id)


def test_show_checklist_marks_overdue_tasks_in_viewers_zone(
    client, login, create_user, create_delegation
):
    oslo = create_user(role=Role.mayors_office, locale="en", timezone="Europe/Oslo")
    utc = create_user(role=Role.mayors_office, locale="en", timezone="UTC")
    delegation = create_delegation()
    add_task(delegation, title="Book rooms", due_date=date(2026, 11, 29), now=NOW)
    add_task(delegation, title="Print badges", due_date=date(2026, 11, 30), now=NOW)
    db.session.commit()

    pages = {}
    # 23:30 UTC on the 29th is already the 30th in Oslo.
    with time_machine.travel(datetime(2026, 11, 29, 23, 30, tzinfo=UTC), tick=False):
        for user in (oslo, utc):
            login(user)
            pages[user.timezone] = client.get(
                f"/visits/{delegation.id}/checklist"
            ).get_data(as_text=True)
            client.post("/logout")

    overdue_rows = {
        zone: re.findall(
            r'class="task task--overdue">\s*<th scope="row">\s*([^<\n]+)\s*'
            r'<span class="badge badge--overdue">Overdue</span>',
            html,
        )
        for zone, html in pages.items()
    }
    assert overdue_rows == {"Europe/Oslo": ["Book rooms"], "UTC": []}


def test_complete_task_sets_done_by_and_untick_clears_it(
    client, login, staff, create_delegation
):
    delegation = create_delegation()
    task = add_task(delegation, title="Book rooms", due_date=date(2030, 1, 1), now=NOW)
    db.session.commit()
    login(staff)

    done = client.post(
        f"/visits/{delegation.id}/checklist/tasks/{task.id}/done",
        data={"version": "1"},
    )
    db.session.expire_all()
    after_done = (task.done_by_id, task.done_dt is not None)
    page = client.get(f"/visits/{delegation.id}/checklist").get_data(as_text=True)
    reopened = client.post(
        f"/visits/{delegation.id}/checklist/tasks/{task.id}/reopen",
        data={"version": "2"},
    )
    db.session.expire_all()

    assert (
        done.headers["Location"] == f"/visits/{delegation.id}/checklist#task-{task.id}"
    )
    assert after_done == (staff.id, True)
    assert "Untick" in page
    assert reopened.status_code == 302
    assert (task.done_by_id, task.done_dt) == (None, None)
    assert [a[:2] for a in _audit(task)] == [
        ("created", None),
        ("completed", staff.id),
        ("reopened", staff.id),
    ]


def test_assign_task_saves_assignee_with_audit_entry(
    client, login, staff, admin, create_delegation
):
    delegation = create_delegation()
    task = add_task(delegation, title="Book rooms", due_date=date(2030, 1, 1), now=NOW)
    db.session.commit()
    login(staff)

    response = client.post(
        f"/visits/{delegation.id}/checklist/tasks/{task.id}/assign",
        data={"assignee_id": str(admin.id), "version": "1"},
    )
    db.session.expire_all()
    page = client.get(f"/visits/{delegation.id}/checklist").get_data(as_text=True)

    assert response.status_code == 302
    assert task.assignee_id == admin.id
    assert _audit(task)[-1] == (
        "assigned",
        staff.id,
        {"assignee_id": [None, admin.id]},
    )
    assert f'<option value="{admin.id}" selected>Ada Admin</option>' in page


def test_assign_task_refuses_a_member_as_assignee(
    client, login, staff, create_user, create_delegation
):
    member = create_user(role=Role.member)
    delegation = create_delegation()
    task = add_task(delegation, title="Book rooms", due_date=date(2030, 1, 1), now=NOW)
    db.session.commit()
    login(staff)

    client.post(
        f"/visits/{delegation.id}/checklist/tasks/{task.id}/assign",
        data={"assignee_id": str(member.id)},
    )
    db.session.expire_all()

    assert task.assignee_id is None


def test_task_of_another_visit_is_not_found(client, login, staff, create_delegation):
    visit, other = create_delegation("Visit"), create_delegation("Other")
    task = add_task(other, title="Book rooms", due_date=date(2030, 1, 1), now=NOW)
    db.session.commit()
    login(staff)

    response = client.post(f"/visits/{visit.id}/checklist/tasks/{task.id}/done")
    db.session.expire_all()

    assert (response.status_code, task.done_dt) == (404, None)


def test_add_task_by_hand_is_listed(client, login, staff, create_delegation):
    delegation = create_delegation()
    login(staff)

    response = client.post(
        f"/visits/{delegation.id}/checklist/tasks",
        data={"title": " Order flowers ", "due_date": "2030-01-10", "assignee_id": ""},
    )

    tasks = db.session.scalars(sa.select(ChecklistTask)).all()
    assert response.status_code == 302
    assert [(t.title, t.due_date, t.assignee_id) for t in tasks] == [
        ("Order flowers", date(2030, 1, 10), None)
    ]


def test_add_task_with_bad_input_keeps_the_form(
    client, login, staff, create_delegation
):
    delegation = create_delegation()
    login(staff)

    response = client.post(
        f"/visits/{delegation.id}/checklist/tasks",
        data={"title": "x" * 301, "due_date": "tomorrow", "assignee_id": ""},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'value="{"x" * 301}"' in html
    assert "Use at most 300 characters." in html
    assert "Enter a date, such as 2026-11-30." in html
    assert db.session.scalars(sa.select(ChecklistTask)).all() == []


@pytest.mark.parametrize(
    "path",
    ["/visits/{id}/checklist", "/admin/checklists/"],
)
def test_checklist_pages_send_anonymous_users_to_log_in(
    client, create_delegation, path
):
    delegation = create_delegation()

    response = client.get(path.format(id=delegation.id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_checklist_page_is_forbidden_to_members(
    client, login, create_user, create_delegation
):
    delegation = create_delegation()
    task = add_task(delegation, title="Book rooms", due_date=date(2030, 1, 1), now=NOW)
    db.session.commit()
    login(create_user(role=Role.member))

    page = client.get(f"/visits/{delegation.id}/checklist")
    tick = client.post(f"/visits/{delegation.id}/checklist/tasks/{task.id}/done")
    db.session.expire_all()

    assert (page.status_code, tick.status_code, task.done_dt) == (403, 403, None)


@pytest.mark.parametrize("n", [1, 3])
def test_show_checklist_query_count_does_not_grow_with_tasks(
    client, login, staff, create_user, create_delegation, n
):
    delegation = create_delegation()
    for i in range(n):
        add_task(
            delegation,
            title=f"Task {i}",
            due_date=date(2030, 1, 1 + i),
            assignee=create_user(role=Role.admin),
            now=NOW,
        )
    db.session.commit()
    path = f"/visits/{delegation.id}/checklist"
    login(staff)
    # Start cold, as a real request would (the test shares the app context).
    db.session.remove()
    g.pop("_login_user", None)

    with count_statements() as statements:
        html = client.get(path).get_data(as_text=True)

    assert _rows(html) == [f"Task {i}" for i in range(n)]
    # user, visit, assignable users, tasks, their assignees, template.
    assert len(statements) == 6, statements


# --- the template editor ------------------------------------------------------


def test_template_editor_is_forbidden_to_mayors_office(
    client, login, staff, make_template
):
    template = make_template()
    login(staff)

    statuses = [
        client.get("/admin/checklists/").status_code,
        client.get(f"/admin/checklists/{template.id}").status_code,
        client.post(
            f"/admin/checklists/{template.id}/items",
            data={"title": "Buy gifts", "due_days_before": "21"},
        ).status_code,
    ]

    assert statuses == [403, 403, 403]
    assert len(template.items) == 3


def test_list_templates_shows_every_level(client, login, admin, make_template):
    make_template()
    login(admin)

    html = client.get("/admin/checklists/").get_data(as_text=True)

    assert html.count('<th scope="row">') == len(ProtocolLevel)
    assert ">Professional delegations</a>" in html
    assert html.count("Create a template for") == len(ProtocolLevel) - 1


def test_new_template_creates_one_for_the_level(client, login, admin):
    login(admin)

    response = client.post("/admin/checklists/new/mayoral", data={"title": "Mayors"})

    template = db.session.scalars(sa.select(ChecklistTemplate)).one()
    assert (template.protocol_level, template.title) == (
        ProtocolLevel.mayoral,
        "Mayors",
    )
    assert response.headers["Location"] == f"/admin/checklists/{template.id}"


def test_add_item_appends_a_step(client, login, admin, make_template):
    template = make_template()
    login(admin)

    response = client.post(
        f"/admin/checklists/{template.id}/items",
        data={"title": "Buy gifts", "due_days_before": "21"},
    )
    db.session.expire_all()

    assert response.status_code == 302
    assert [(i.title, i.due_days_before, i.position) for i in template.items][-1] == (
        "Buy gifts",
        21,
        3,
    )


#: (title, due days, the one message expected) of refused steps.
BAD_STEPS = [
    ("Buy gifts", "366", "Use a number between -60 and 365."),
    ("Buy gifts", "-61", "Use a number between -60 and 365."),
    ("Buy gifts", "soon", "Enter a whole number, such as 14."),
    ("   ", "21", "This field is required."),
    ("y" * 301, "21", "Use at most 300 characters."),
]


def test_add_item_with_bad_input_keeps_the_form(client, login, admin, make_template):
    template = make_template()
    login(admin)

    results = []
    for title, days, _message in BAD_STEPS:
        response = client.post(
            f"/admin/checklists/{template.id}/items",
            data={"title": title, "due_days_before": days},
        )
        html = response.get_data(as_text=True)
        results.append(
            (
                response.status_code,
                re.findall(r'<p class="error" id="[^"]+">([^<]*)</p>', html),
                re.search(r'name="title"[^>]*value="([^"]*)"', html).group(1),
                re.search(r'name="due_days_before"[^>]*value="([^"]*)"', html).group(1),
            )
        )
    db.session.expire_all()

    assert results == [
        (422, [message], title.strip(), days) for title, days, message in BAD_STEPS
    ]
    assert len(template.items) == 3


def test_edit_item_changes_title_and_days(client, login, admin, make_template):
    template = make_template()
    item = template.items[0]
    login(admin)

    form = client.get(f"/admin/checklists/{template.id}/items/{item.id}/edit")
    response = client.post(
        f"/admin/checklists/{template.id}/items/{item.id}/edit",
        data={"title": "Book the big hall", "due_days_before": "-60"},
    )
    db.session.expire_all()

    assert 'value="Book the meeting room"' in form.get_data(as_text=True)
    assert response.status_code == 302
    assert (item.title, item.due_days_before) == ("Book the big hall", -60)


def test_move_and_delete_item_through_the_editor(client, login, admin, make_template):
    template = make_template()
    first, _second, third = template.items
    login(admin)

    client.post(
        f"/admin/checklists/{template.id}/items/{third.id}/move",
        data={"direction": "up"},
    )
    client.post(f"/admin/checklists/{template.id}/items/{first.id}/delete")
    db.session.expire_all()

    assert [i.title for i in template.items] == [
        "Send thank-you letter",
        "Send the final programme",
    ]


def test_rename_template_with_empty_title_keeps_the_form(
    client, login, admin, make_template
):
    template = make_template()
    login(admin)

    bad = client.post(f"/admin/checklists/{template.id}", data={"title": "  "})
    good = client.post(f"/admin/checklists/{template.id}", data={"title": "Experts"})
    db.session.expire_all()

    assert bad.status_code == 422
    assert "This field is required." in bad.get_data(as_text=True)
    assert good.status_code == 302
    assert template.title == "Experts"
