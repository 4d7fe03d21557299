"""One-click actions carry the version their page showed: a stale click changes nothing.

Ticking a task off or unticking it, giving it to someone, closing a follow-up
item, cancelling or reinstating an event or one of its dates, deleting a
programme item: when someone changed the row after the page was opened, the
click is refused with a message and their change stands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.auth.models import Role, User
from app.calendar.models import Event, EventStatus
from app.core.db import db
from app.delegations.checklists.services import add_task
from app.delegations.followups.services import FollowUpData, add_followup
from app.delegations.models import ChecklistTask, FollowUp, ProgrammeItem
from tests.auth.helpers import log_in
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

STALE = "Nothing was done: someone else changed it after you opened the page."


@dataclass
class Action:
    """A button's post, the row's state, and someone else's change to the row."""

    url: str
    data: dict[str, str]
    #: The version the page showed when it was opened.
    version: int
    read: Callable[[], Any]
    change: Callable[[], None]


def _fresh(model: Any, row_id: int) -> Any:
    db.session.expire_all()
    return db.session.get(model, row_id)


def _task_action(request: pytest.FixtureRequest, *, done: bool, path: str) -> Action:
    visit = request.getfixturevalue("create_delegation")()
    task = add_task(visit, title="Book rooms", due_date=date(2030, 1, 1), now=NOW)
    if done:
        task.done_dt = NOW
    db.session.commit()
    create_user = request.getfixturevalue("create_user")
    someone, another = create_user(role=Role.admin), create_user(role=Role.admin)

    def read() -> Any:
        row = _fresh(ChecklistTask, task.id)
        return (row.done_dt is not None, row.assignee_id)

    def change() -> None:
        _fresh(ChecklistTask, task.id).assignee_id = someone.id
        db.session.commit()

    url = f"/visits/{visit.id}/checklist/tasks/{task.id}/{path}"
    data = {"assignee_id": str(another.id)} if path == "assign" else {}
    return Action(url, data, task.version, read, change)


def _tick(request: pytest.FixtureRequest) -> Action:
    return _task_action(request, done=False, path="done")


def _untick(request: pytest.FixtureRequest) -> Action:
    return _task_action(request, done=True, path="reopen")


def _assign(request: pytest.FixtureRequest) -> Action:
    return _task_action(request, done=False, path="assign")


def _close_followup(request: pytest.FixtureRequest) -> Action:
    visit = request.getfixturevalue("create_delegation")()
    actor = request.getfixturevalue("create_user")(role=Role.admin)
    followup = add_followup(
        visit, FollowUpData(title="Student exchange"), actor=actor, now=NOW
    )
    db.session.commit()

    def read() -> Any:
        row = _fresh(FollowUp, followup.id)
        return (row.status.value, row.notes)

    def change() -> None:
        _fresh(FollowUp, followup.id).notes = "Waiting for NTNU: keep it open"
        db.session.commit()

    url = f"/visits/{visit.id}/follow-up/{followup.id}/status"
    return Action(url, {"status": "done"}, followup.version, read, change)


def _event_action(
    request: pytest.FixtureRequest, path: str, data: dict[str, str], **kwargs: Any
) -> Action:
    event = request.getfixturevalue("create_event")("Forum meeting", **kwargs)

    def read() -> Any:
        row = _fresh(Event, event.id)
        return (row.status.value, row.exdates, row.location)

    def change() -> None:
        _fresh(Event, event.id).location = "Moved to the library"
        db.session.commit()

    return Action(f"/events/{event.id}/{path}", data, event.version, read, change)


#: Tuesday 1 December 2026, 09:00 in Oslo; the series repeats every Tuesday.
SERIES = {"start": datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "rrule": "FREQ=WEEKLY"}


def _cancel_event(request: pytest.FixtureRequest) -> Action:
    return _event_action(request, "cancel", {"reason": "Room not free"})


def _reinstate_event(request: pytest.FixtureRequest) -> Action:
    return _event_action(request, "reinstate", {}, status=EventStatus.cancelled)


def _cancel_date(request: pytest.FixtureRequest) -> Action:
    data = {"occurrence": "2026-12-08T09:00"}
    return _event_action(request, "occurrences/cancel", data, **SERIES)


def _restore_date(request: pytest.FixtureRequest) -> Action:
    data = {"occurrence": "2026-12-08T09:00"}
    return _event_action(
        request, "occurrences/restore", data, exdates="2026-12-08T09:00", **SERIES
    )


def _delete_item(request: pytest.FixtureRequest) -> Action:
    item = request.getfixturevalue("create_programme_item")("Harbour tour")
    item_id = item.id

    def read() -> Any:
        db.session.expire_all()
        query = sa.select(ProgrammeItem.title).where(ProgrammeItem.id == item_id)
        return db.session.scalar(query)  # None once deleted

    def change() -> None:
        _fresh(ProgrammeItem, item_id).title = "Harbour tour by boat"
        db.session.commit()

    url = f"/visits/{item.delegation_id}/programme/{item_id}/delete"
    return Action(url, {}, item.version, read, change)


ACTIONS: dict[str, Callable[[pytest.FixtureRequest], Action]] = {
    "tick_task": _tick,
    "untick_task": _untick,
    "assign_task": _assign,
    "close_follow_up": _close_followup,
    "cancel_event": _cancel_event,
    "reinstate_event": _reinstate_event,
    "cancel_date": _cancel_date,
    "restore_date": _restore_date,
    "delete_programme_item": _delete_item,
}


@pytest.fixture(params=list(ACTIONS))
def action(
    request: pytest.FixtureRequest, client: FlaskClient, create_user: Any
) -> tuple[FlaskClient, Action]:
    """An admin's client and one action on a fresh row."""
    made = ACTIONS[request.param](request)
    user: User = create_user(role=Role.admin, locale="en")
    assert log_in(client, user).status_code == 302
    return client, made


def test_stale_click_is_refused_and_the_other_change_stands(action):
    client, act = action
    act.change()  # someone else, after the page showed `act.version`
    changed = act.read()

    response = client.post(
        act.url, data=act.data | {"version": str(act.version)}, follow_redirects=True
    )

    assert (response.status_code, act.read()) == (200, changed)
    assert STALE in response.get_data(as_text=True)


FORGED = ["abc", "", "-1", "99999999999999999999", None]


def test_click_with_a_forged_version_is_refused(action):
    client, act = action
    before = act.read()

    answers = []
    for version in FORGED:
        data = act.data if version is None else act.data | {"version": version}
        response = client.post(act.url, data=data, follow_redirects=True)
        answers.append(
            (version, response.status_code, STALE in response.get_data(as_text=True))
        )

    assert answers == [(version, 200, True) for version in FORGED]
    assert act.read() == before


def test_current_click_does_what_it_says(action):
    client, act = action
    before = act.read()

    response = client.post(act.url, data=act.data | {"version": str(act.version)})

    assert response.status_code == 302
    assert act.read() != before


def test_stale_tick_of_a_task_already_done_is_no_error(
    client: FlaskClient, create_user: Any, create_delegation: Any
):
    """Two people tick the same task off: the second click has nothing to undo."""
    visit = create_delegation()
    task = add_task(visit, title="Book rooms", due_date=date(2030, 1, 1), now=NOW)
    task.done_dt, task.done_by_id = NOW, create_user(role=Role.admin).id
    db.session.commit()
    assert log_in(client, create_user(role=Role.admin, locale="en")).status_code == 302

    response = client.post(
        f"/visits/{visit.id}/checklist/tasks/{task.id}/done",
        data={"version": "1"},
        follow_redirects=True,
    )

    stored = _fresh(ChecklistTask, task.id)
    assert (response.status_code, stored.done_dt, stored.version) == (200, NOW, 2)
    assert STALE not in response.get_data(as_text=True)
