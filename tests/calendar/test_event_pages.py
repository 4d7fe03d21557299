"""The event page, its .ics file and the staff form: visibility per role, errors, CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import icalendar
import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Event, EventStatus
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ROLES = ["anonymous", "member", "mayors_office", "admin"]
#: What each role may open, by the event's visibility.
SEES = {
    "anonymous": {"public"},
    "member": {"public", "forum"},
    "mayors_office": {"public", "forum", "internal"},
    "admin": {"public", "forum", "internal"},
}


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """The views read the clock; pin it to the builders' NOW."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"DEFAULT_LOCALE": "en"}


@pytest.fixture
def as_role(create_user: Any, login: Any) -> Any:
    """Log in as a new user of `role` (nothing for anonymous) and return the user."""

    def _as(role: str) -> Any:
        if role == "anonymous":
            return None
        user = create_user(role=Role(role), locale="en")
        login(user)
        return user

    return _as


def _page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    """Return the visible text of a page, tags removed and space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _form(**changes: Any) -> dict[str, Any]:
    """Return a valid event form as the browser sends it, with `changes`."""
    data: dict[str, Any] = {
        "title": "Forum meeting",
        "description": "Agenda: **India 2011**",
        "start": "2026-12-01T09:00",
        "end": "2026-12-01T11:00",
        "timezone": "Europe/Oslo",
        "location": "City Hall",
        "organiser_id": "0",
        "initiative_id": "0",
        "url": "https://example.org/forum",
        "visibility": "public",
        "status": "confirmed",
        "repeat": "none",
        "interval": "1",
        "monthly_by": "day",
        "ends": "never",
        "until": "",
        "count": "",
        "exdates": "",
    }
    data.update(changes)
    return data


def _only_event() -> Event:
    return db.session.scalars(sa.select(Event)).one()


# --- visibility ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_event_page_and_ics_follow_visibility_for_every_role(
    client: Any, create_event: Any, as_role: Any, role: str
) -> None:
    events = {
        v.value: create_event(f"{v.value} event", visibility=v) for v in Visibility
    }
    as_role(role)

    pages = {
        name: client.get(f"/events/{event.id}").status_code
        for name, event in events.items()
    }
    files = {
        name: client.get(f"/events/{event.id}.ics").status_code
        for name, event in events.items()
    }

    expected = {name: 200 if name in SEES[role] else 404 for name in events}
    assert (pages, files) == (expected, expected)


def test_missing_event_is_404(client: Any) -> None:
    assert client.get("/events/999999").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_event_form_and_actions_are_for_staff_only(
    client: Any, create_event: Any, as_role: Any, role: str
) -> None:
    event = create_event()
    as_role(role)

    codes = [
        client.get("/events/new").status_code,
        client.get(f"/events/{event.id}/edit").status_code,
        client.post("/events/new", data=_form()).status_code,
        client.post(f"/events/{event.id}/cancel").status_code,
    ]

    expected = 302 if role == "anonymous" else 403
    assert codes == [expected] * 4
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Event)),
        event.status,
    ) == (
        1,
        EventStatus.confirmed,
    )


def test_staff_sees_manage_buttons_and_visibility_member_does_not(
    client: Any, create_event: Any, as_role: Any, create_user: Any, login: Any
) -> None:
    event = create_event(visibility=Visibility.forum)
    member = create_user(role=Role.member, locale="en")
    login(member)
    member_page = _page(client, f"/events/{event.id}")
    client.post("/logout")
    as_role("mayors_office")

    staff_page = _page(client, f"/events/{event.id}")

    assert ("Edit the event" in member_page, "Visibility" in member_page) == (
        False,
        False,
    )
    assert ("Edit the event" in staff_page, "Cancel the event" in staff_page) == (
        True,
        True,
    )


# --- the page shows everything ---------------------------------------------------


def test_event_page_shows_every_detail(
    client: Any, create_event: Any, create_organisation: Any
) -> None:
    organiser = create_organisation("NTNU", website="https://www.ntnu.no/")
    event = create_event(
        "Kick-off <India 2011>",
        start=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        location="Trondheim City Hall",
        organiser_id=organiser.id,
        url="https://example.org/kick-off",
        description="We meet **early**.\n\n[Agenda](https://example.org/agenda)",
    )

    html = _page(client, f"/events/{event.id}")
    text = _text(html)

    assert "Kick-off &lt;India 2011&gt;" in html
    assert "1 Dec 2026, 09:00–11:00 (Europe/Oslo)" in text
    assert '<a href="https://www.ntnu.no/" rel="noopener noreferrer">' in html
    assert (
        '<a href="https://example.org/kick-off" rel="noopener noreferrer nofollow">'
        in html
    )
    assert "<strong>early</strong>" in html
    assert f'href="/events/{event.id}.ics"' in html
    assert "Visibility" not in text  # only staff see the label


def test_event_page_shows_the_viewers_zone_when_it_differs(
    client: Any, create_event: Any, create_user: Any, login: Any
) -> None:
    event = create_event(
        "Video call with Mumbai",
        start=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        timezone="Asia/Kolkata",
    )

    text = _text(_page(client, f"/events/{event.id}"))

    assert "1 Dec 2026, 13:30–15:30 (Asia/Kolkata)" in text
    assert "In your time zone (Europe/Oslo): 1 Dec 2026, 09:00–11:00" in text


def test_script_url_is_shown_as_text_never_as_link(
    client: Any, create_event: Any
) -> None:
    event = create_event(
        url="javascript:alert(1)", description="[x](javascript:alert(2))"
    )

    html = _page(client, f"/events/{event.id}")

    assert 'href="javascript' not in html
    assert "javascript:alert(1)" in _text(html)


def test_all_day_multi_day_event_shows_its_days(client: Any, create_event: Any) -> None:
    start = datetime(2027, 8, 15, 22, 0, tzinfo=UTC)  # local midnight, 16 Aug
    event = create_event("Aqua Nor", start=start, hours=4 * 24, is_all_day=True)

    text = _text(_page(client, f"/events/{event.id}"))

    assert "16 Aug 2027 – 19 Aug 2027 All day" in text


def test_cancelled_event_stays_visible_as_cancelled(
    client: Any, create_event: Any
) -> None:
    event = create_event(status=EventStatus.cancelled)

    html = _page(client, f"/events/{event.id}")
    calendar = icalendar.Calendar.from_ical(client.get(f"/events/{event.id}.ics").data)

    assert "This event is cancelled." in html
    assert '<span class="badge badge--cancelled">Cancelled</span>' in html
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED"]


def test_recurring_event_lists_rule_next_dates_and_cancelled_dates(
    client: Any, create_event: Any
) -> None:
    event = create_event(
        "Working group",
        start=datetime(2026, 10, 13, 7, 0, tzinfo=UTC),  # Tuesday 09:00 in Oslo
        hours=1,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        exdates="2026-12-01T09:00",
    )

    text = _text(_page(client, f"/events/{event.id}"))

    assert "Repeats Every week on Tuesday" in text
    # NOW is Thursday 26 November 2026 09:00 UTC.
    assert "Next dates 1 Dec" not in text
    assert "Next dates 8 Dec 2026, 09:00 15 Dec 2026, 09:00" in text
    assert "Cancelled dates Cancelled 1 Dec 2026, 09:00" in text


def test_ics_download_is_an_attachment_with_the_event(
    client: Any, create_event: Any
) -> None:
    event = create_event("Forum meeting", start=datetime(2026, 12, 1, 8, tzinfo=UTC))

    response = client.get(f"/events/{event.id}.ics")
    [vevent] = icalendar.Calendar.from_ical(response.data).walk("VEVENT")

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="event-{event.id}.ics"'
    )
    assert (str(vevent["UID"]), str(vevent["SUMMARY"]), vevent["DTSTART"].dt) == (
        event.uid,
        "Forum meeting",
        datetime(2026, 12, 1, 9, tzinfo=vevent["DTSTART"].dt.tzinfo),
    )


# --- creating and editing --------------------------------------------------------


def test_staff_creates_a_weekly_event_through_the_form(
    client: Any, as_role: Any
) -> None:
    as_role("mayors_office")

    response = client.post(
        "/events/new",
        data=_form(
            repeat="weekly",
            weekdays=["TU"],
            ends="count",
            count="10",
            exdates="2026-12-08",
        ),
    )
    event = _only_event()

    assert response.headers["Location"] == f"/events/{event.id}"
    assert (event.start_dt, event.end_dt, event.rrule, event.exdates) == (
        datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        "2026-12-08T09:00",
    )
    assert "The event “Forum meeting” is saved." in _page(client, f"/events/{event.id}")


def test_staff_creates_a_monthly_second_tuesday_event(
    client: Any, as_role: Any
) -> None:
    as_role("admin")

    client.post(
        "/events/new",
        data=_form(
            start="2026-12-08T14:00",
            end="2026-12-08T16:00",
            repeat="monthly",
            monthly_by="weekday",
            ends="until",
            until="2027-06-30",
        ),
    )

    assert _only_event().rrule == "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630T235959"


def test_all_day_event_is_stored_from_midnight_to_midnight_after_the_last_day(
    client: Any, as_role: Any
) -> None:
    as_role("admin")

    client.post(
        "/events/new",
        data=_form(is_all_day="y", start="2027-03-26T00:00", end="2027-03-28T00:00"),
    )
    event = _only_event()

    # Summer time starts on 28 March 2027, so the end is at 22:00 UTC.
    assert (event.is_all_day, event.start_dt, event.end_dt) == (
        True,
        datetime(2027, 3, 25, 23, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 22, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"url": "javascript:alert(1)"},
            "url",
            "Use a web address that starts with http:// or https://, such as https://example.org/event.",
        ),
        (
            {"url": "data:text/html,hi"},
            "url",
            "Use a web address that starts with http:// or https://, such as https://example.org/event.",
        ),
        (
            {"start": "2027-03-28T02:30", "end": "2027-03-28T04:00"},
            "start",
            "2027-03-28 02:30 does not exist in Europe/Oslo: the clocks jump forward that night. Choose another time.",
        ),
        (
            {"start": "2026-10-25T02:30", "end": "2026-10-25T04:00"},
            "start",
            "2026-10-25 02:30 happens twice in Europe/Oslo: the clocks go back that night. Choose a time outside that hour.",
        ),
        (
            {"end": "2026-12-01T08:00"},
            "end",
            "The end must be after the start.",
        ),
        ({"title": "   "}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "Use at most 200 characters."),
        (
            {"repeat": "weekly", "weekdays": ["WE"]},
            "weekdays",
            "The start date must fall on one of the chosen weekdays.",
        ),
        (
            {"repeat": "weekly", "exdates": "2026-12-02"},
            "exdates",
            "These dates are not dates of the series: 2026-12-02",
        ),
        (
            {"repeat": "weekly", "ends": "until", "until": "2026-11-01"},
            "until",
            "The last date cannot be before the start.",
        ),
    ],
    ids=[
        "javascript_url",
        "data_url",
        "spring_gap",
        "autumn_fold",
        "end_before_start",
        "blank_title",
        "long_title",
        "weekday_mismatch",
        "exdate_not_in_series",
        "until_before_start",
    ],
)
def test_bad_event_form_keeps_input_and_says_why(
    client: Any, as_role: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    as_role("admin")

    html = client.post("/events/new", data=_form(**changes)).get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)

    assert error is not None, html[:3000]
    assert unescape(error.group(1)) == message
    assert 'value="City Hall"' in html  # what the user typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_edit_form_shows_the_saved_rule_and_saves_changes_audited(
    client: Any, create_event: Any, as_role: Any
) -> None:
    event = create_event(
        "Working group",
        start=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6",
        exdates="2026-12-15T09:00",
    )
    as_role("admin")

    form_html = _page(client, f"/events/{event.id}/edit")
    client.post(
        f"/events/{event.id}/edit",
        data=_form(
            title="Working group",
            description="",
            url="",
            location="",
            repeat="weekly",
            interval="2",
            weekdays=["TU"],
            ends="count",
            count="6",
            exdates="2026-12-15",
            start="2026-12-01T10:00",
            end="2026-12-01T11:00",
            version="1",
        ),
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).filter_by(object_id=event.id, action="update")
    ).one()

    assert 'value="2026-12-01T09:00"' in form_html
    assert '<option selected value="weekly">' in form_html
    assert '<input checked id="weekdays-1" name="weekdays"' in form_html
    assert "2026-12-15</textarea>" in form_html
    assert (event.start_dt, event.exdates, event.sequence) == (
        datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        "2026-12-15T10:00",
        1,
    )
    assert sorted(entry.changes) == ["exdates", "start_dt"]


def test_cancel_and_reinstate_an_event(
    client: Any, create_event: Any, as_role: Any
) -> None:
    event = create_event()
    as_role("admin")

    client.post(
        f"/events/{event.id}/cancel", data={"reason": "Room not free", "version": "1"}
    )
    cancelled = (event.status, event.sequence)
    page = _page(client, f"/events/{event.id}")
    client.post(f"/events/{event.id}/reinstate", data={"version": "2"})

    assert cancelled == (EventStatus.cancelled, 1)
    assert "Reinstate the event" in page
    assert (event.status, event.sequence) == (EventStatus.confirmed, 2)


def test_cancel_and_restore_one_occurrence(
    client: Any, create_event: Any, as_role: Any
) -> None:
    event = create_event(
        start=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), rrule="FREQ=WEEKLY;BYDAY=TU"
    )
    as_role("admin")

    client.post(
        f"/events/{event.id}/occurrences/cancel",
        data={"occurrence": "2026-12-08T09:00", "version": "1"},
    )
    after_cancel = event.exdates
    bad = client.post(
        f"/events/{event.id}/occurrences/cancel",
        data={"occurrence": "2026-12-09T09:00", "version": "2"},
        follow_redirects=True,
    )
    client.post(
        f"/events/{event.id}/occurrences/restore",
        data={"occurrence": "2026-12-08T09:00", "version": "2"},
    )

    assert after_cancel == "2026-12-08T09:00"
    assert "That date is not a date of this event." in bad.get_data(as_text=True)
    assert event.exdates == ""


# --- CSRF ----------------------------------------------------------------------------


class TestWithCsrf:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {"WTF_CSRF_ENABLED": True, "DEFAULT_LOCALE": "en"}

    def test_event_posts_without_token_are_refused(
        self, client: Any, create_event: Any, create_user: Any
    ) -> None:
        event = create_event()
        admin = create_user(role=Role.admin, locale="en")
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(
            r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page
        )
        assert token is not None
        client.post(
            "/login",
            data={
                "email": admin.email,
                "password": "correct horse battery staple",
                "csrf_token": token.group(1),
            },
        )

        codes = [
            client.post("/events/new", data=_form()).status_code,
            client.post(f"/events/{event.id}/cancel").status_code,
            client.post(f"/events/{event.id}/reinstate").status_code,
            client.post(
                f"/events/{event.id}/occurrences/cancel",
                data={"occurrence": "2026-12-03T10:00"},
            ).status_code,
        ]

        assert codes == [400, 400, 400, 400]
        assert (
            event.status,
            db.session.scalar(sa.select(sa.func.count()).select_from(Event)),
        ) == (
            EventStatus.confirmed,
            1,
        )

    def test_event_page_forms_carry_a_token(
        self, client: Any, create_event: Any, create_user: Any
    ) -> None:
        event = create_event(rrule="FREQ=WEEKLY")
        admin = create_user(role=Role.admin, locale="en")
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(
            r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page
        )
        assert token is not None
        client.post(
            "/login",
            data={
                "email": admin.email,
                "password": "correct horse battery staple",
                "csrf_token": token.group(1),
            },
        )

        html = _page(client, f"/events/{event.id}")
        forms = re.findall(r"<form method=\"post\".*?</form>", html, re.S)
        # cancel-this-date forms (up to 8), the cancel form
        assert len(forms) >= 2
        assert all('name="csrf_token"' in form for form in forms)


def test_create_event_writes_no_row_when_form_is_bad_even_with_all_day(
    client: Any, as_role: Any
) -> None:
    as_role("admin")

    html = client.post(
        "/events/new",
        data=_form(is_all_day="y", start="2027-03-28T00:00", end="2027-03-26T00:00"),
    ).get_data(as_text=True)

    assert "The last day cannot be before the first day." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_upcoming_window_helper_is_stable() -> None:
    """NOW must be a Thursday for the dates in this module to mean what they say."""
    assert (NOW.weekday(), (NOW + timedelta(days=5)).day) == (3, 1)
