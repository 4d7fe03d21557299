"""The preferences page and the one-click unsubscribe link: every user's own mail choices."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.auth.services import UserChanges, update_user
from app.auth.unsubscribe import (
    MailKind,
    read_unsubscribe_token,
    unsubscribe_token,
)
from app.core.db import db
from app.delegations.models import DelegationStatus, Reminder
from app.delegations.reminders import plan_reminders
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def _ticked(page: str) -> list[str]:
    return re.findall(r'<input checked id="arrival_days-\d"[^>]* value="(\d+)"', page)


def _form(**overrides):
    data = {
        "arrival_days": ["14", "3", "1"],
        "task_reminders": "y",
        "change_notices": "y",
        "locale": "en",
        "timezone": "Europe/Oslo",
    }
    data.update(overrides)
    return data


def test_preferences_need_a_log_in(client):
    response = client.get("/preferences")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_page_shows_the_users_choices(client, create_user, login):
    user = create_user(locale="en", timezone="Asia/Kolkata")
    user.arrival_reminder_days = [3]
    db.session.commit()
    login(user)

    page = client.get("/preferences").get_data(as_text=True)

    assert _ticked(page) == ["3"]
    assert re.search(r'<option selected value="Asia/Kolkata">', page)


def test_saving_choices_stores_them_and_retimes_planned_reminders(
    client, create_user, create_delegation, login
):
    host = create_user(role=Role.mayors_office, locale="en")
    visit = create_delegation(arrival=NOW + timedelta(days=20), host_contact_id=host.id)
    plan_reminders(visit, now=NOW)
    db.session.commit()
    before = sorted(db.session.scalars(sa.select(Reminder.due_dt)))
    assert len(before) == 3
    login(host)

    response = client.post(
        "/preferences",
        data=_form(arrival_days=["3"], timezone="America/New_York", digest="y"),
    )

    assert response.status_code == 302
    db.session.refresh(host)
    assert host.arrival_reminder_days == [3]
    assert host.timezone == "America/New_York"
    assert host.wants_digest is True
    after = db.session.scalars(sa.select(Reminder)).all()
    assert len(after) == 1
    # 08:00 in New York is six hours after 08:00 in Oslo in December.
    assert after[0].due_dt == before[1] + timedelta(hours=6)


def test_bad_input_is_refused_with_the_typed_values_kept(client, create_user, login):
    user = create_user(locale="en")
    login(user)

    response = client.post(
        "/preferences",
        data=_form(arrival_days=["3", "7"], timezone="Mars/Olympus"),
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # Each error is said in the summary at the top and again at its field.
    assert page.count("Choose one of the options in the list.") == 4
    assert _ticked(page) == ["3"]  # what was typed stays; 7 is no option
    assert re.search(r'<option selected value="Mars/Olympus">', page) is None
    db.session.refresh(user)
    assert user.arrival_reminder_days == [14, 3, 1]
    assert user.timezone == "Europe/Oslo"


def test_a_forged_unsubscribe_link_is_not_found(client, create_user):
    user = create_user()
    token = unsubscribe_token(user, MailKind.digest)
    assert read_unsubscribe_token(token) == (user, MailKind.digest)

    assert client.get(f"/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/unsubscribe/{token[:-2]}").status_code == 404


def test_opening_the_link_asks_and_posting_it_unsubscribes(client, create_user):
    user = create_user(locale="en")
    user.wants_digest = True
    db.session.commit()
    token = unsubscribe_token(user, MailKind.digest)

    asked = client.get(f"/unsubscribe/{token}", headers={"Accept-Language": "en"})
    assert asked.status_code == 200
    assert "Stop sending the weekly digest to" in asked.get_data(as_text=True)
    db.session.refresh(user)
    assert user.wants_digest is True  # a link scanner's GET changes nothing

    done = client.post(f"/unsubscribe/{token}", headers={"Accept-Language": "en"})
    assert done.status_code == 200
    assert "no longer receives the weekly digest" in done.get_data(as_text=True)
    db.session.refresh(user)
    assert user.wants_digest is False


@pytest.mark.parametrize("app_settings", [{"WTF_CSRF_ENABLED": True}])
def test_one_click_unsubscribe_works_without_a_form_token(
    client, create_user, create_delegation
):
    """RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click" and nothing else."""
    host = create_user(role=Role.mayors_office)
    visit = create_delegation(
        arrival=NOW + timedelta(days=20),
        host_contact_id=host.id,
        status=DelegationStatus.confirmed,
    )
    plan_reminders(visit, now=NOW)
    db.session.commit()
    token = unsubscribe_token(host, MailKind.arrival_reminders)

    response = client.post(
        f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    db.session.refresh(host)
    assert host.arrival_reminder_days == []
    assert host.wants_task_reminders is True  # only the one kind stops
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0


def test_an_admin_deactivating_a_host_drops_their_reminders(
    create_user, create_delegation
):
    admin = create_user(role=Role.admin)
    host = create_user(role=Role.mayors_office)
    visit = create_delegation(arrival=NOW + timedelta(days=20), host_contact_id=host.id)
    plan_reminders(visit, now=NOW)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 3

    update_user(
        host,
        changes=UserChanges(
            name=host.name,
            role=host.role,
            organisation_id=None,
            locale=host.locale,
            timezone=host.timezone,
            is_active=False,
        ),
        actor=admin,
        now=NOW,
    )
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0


def test_planned_reminders_show_minutes_and_following_is_explained(
    client, create_user, create_delegation, login
):
    host = create_user(role=Role.mayors_office, locale="en")
    visit = create_delegation(arrival=NOW + timedelta(days=20), host_contact_id=host.id)
    plan_reminders(visit, now=NOW)
    db.session.commit()
    login(host)

    html = client.get("/preferences").get_data(as_text=True)
    shown = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)

    assert len(shown) == 3
    assert all(re.search(r", \d{2}:\d{2}$", when) for when in shown), shown
    assert 'aria-describedby="change_notices-hint"' in html
    assert (
        '<p class="hint hint--check" id="change_notices-hint">You follow a visit '
        "when you are its host contact"
    ) in html
