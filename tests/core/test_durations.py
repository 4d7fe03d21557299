"""The longest event and visit: staff forms, the moderators' edit, and the rule itself."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Event, Submission
from app.core.db import db
from app.core.durations import is_too_long
from app.delegations.models import Delegation
from tests.calendar.test_event_pages import _form as event_form
from tests.calendar.test_moderation import make_submission
from tests.delegations.test_register import _form as visit_form

EVENT_MESSAGE = (
    "An event can last at most 92 days. Check the end, or enter a longer activity "
    "as a repeating event."
)
VISIT_MESSAGE = "A visit can last at most 92 days. Check the departure."


@pytest.mark.parametrize(
    ("start", "end", "all_day", "too_long"),
    [
        ("2026-12-01T08:00", "2027-03-03T08:00", False, False),  # 92 days
        ("2026-12-01T08:00", "2027-03-03T08:01", False, True),
        # Wall times: 92 days across the spring change are 92 days, not 92 less an hour.
        ("2027-03-01T08:00", "2027-06-01T08:00", False, False),
        ("2027-03-01T08:00", "2027-06-01T08:01", False, True),
        ("2026-12-01T00:00", "2027-03-02T00:00", True, False),  # 92 days, both included
        ("2026-12-01T00:00", "2027-03-03T00:00", True, True),
        ("2027-01-01T08:00", "2100-01-01T08:00", False, True),
    ],
)
def test_is_too_long_measures_wall_times(start, end, all_day, too_long):
    # Wall times as the forms read them: no zone yet.
    first, last = datetime.fromisoformat(start), datetime.fromisoformat(end)

    assert is_too_long(first, last, all_day=all_day, max_days=92) is too_long


def _error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert match is not None, f"no error shown for {field}"
    return unescape(match.group(1))


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"DEFAULT_LOCALE": "en"}


@pytest.fixture
def staff(create_user, login):
    user = create_user(role=Role.admin, locale="en")
    login(user)
    return user


def _count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.mark.integration
def test_staff_event_form_refuses_an_event_over_the_maximum(client, staff):
    refused = client.post(
        "/events/new", data=event_form(start="2026-12-01T09:00", end="2100-12-01T09:00")
    )
    longest = client.post(
        "/events/new", data=event_form(start="2026-12-01T09:00", end="2027-03-03T09:00")
    )

    assert refused.status_code in {200, 422}
    assert _error(refused.get_data(as_text=True), "end") == EVENT_MESSAGE
    assert 'value="2100-12-01T09:00"' in refused.get_data(as_text=True)
    assert longest.status_code == 302
    assert _count(Event) == 1


@pytest.mark.integration
def test_visit_form_refuses_a_visit_over_the_maximum(client, staff):
    refused = client.post(
        "/visits/new",
        data=visit_form(arrival="2027-01-04T10:00", departure="2100-01-04T10:00"),
    )
    longest = client.post(
        "/visits/new",
        data=visit_form(arrival="2027-01-04T10:00", departure="2027-04-06T10:00"),
    )

    assert refused.status_code in {200, 422}
    assert _error(refused.get_data(as_text=True), "departure") == VISIT_MESSAGE
    assert longest.status_code == 302
    assert _count(Delegation) == 1


@pytest.mark.integration
def test_moderators_edit_refuses_an_event_over_the_maximum(client, staff):
    submission = make_submission()

    response = client.post(
        f"/admin/submissions/{submission.id}/edit",
        data={
            "title": "Christmas market for newcomers",
            "start": "2026-12-08T17:00",
            "end": "2027-12-08T17:00",
            "timezone": "Europe/Oslo",
            "organiser_id": "0",
            "initiative_id": "0",
        },
    )

    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), "end") == EVENT_MESSAGE
    db.session.expire_all()
    saved = db.session.get(Submission, submission.id)
    assert saved is not None
    assert saved.end_dt.year == 2026


@pytest.mark.integration
@pytest.mark.parametrize("app_settings", [{"DEFAULT_LOCALE": "nb"}], ids=["nb"])
def test_visit_maximum_is_said_in_norwegian(client, create_user, login):
    login(create_user(role=Role.mayors_office, locale="nb"))

    response = client.post(
        "/visits/new",
        data=visit_form(arrival="2027-01-04T10:00", departure="2028-01-04T10:00"),
    )

    assert _error(response.get_data(as_text=True), "departure") == (
        "Et besøk kan vare høyst 92 dager. Sjekk avreisen."
    )
