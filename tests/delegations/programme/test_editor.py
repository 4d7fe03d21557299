"""The programme editor: adding, editing, deleting and ordering items; refusing bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import Delegation, ProgrammeItem
from app.directory.models import Official, Venue
from app.outbox.models import OutboxMail
from tests.delegations.programme.conftest import ARRIVAL

pytestmark = pytest.mark.integration


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Welcome at City Hall",
        "start": "2026-12-06T10:00",
        "end": "2026-12-06T11:30",
        "venue_id": "0",
        "location": "",
        "responsible_organisation_id": "0",
        "responsible_person": "Kari Nordmann",
        "description": "Coffee and a short film.",
        "visibility": "public",
        "version": "1",  # what an edit page shows for a new item; an add ignores it
    }
    data.update(overrides)
    return data


def _items(visit: Delegation) -> list[ProgrammeItem]:
    return list(
        db.session.scalars(
            sa.select(ProgrammeItem)
            .where(ProgrammeItem.delegation_id == visit.id)
            .order_by(ProgrammeItem.start_dt)
        )
    )


def _url(visit: Delegation, suffix: str = "") -> str:
    return f"/visits/{visit.id}/programme{suffix}"


def test_add_item_stores_local_time_of_visit_zone_as_utc(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
    venue: Venue,
    mayor: Official,
) -> None:
    login(staff)

    response = client.post(
        _url(visit),
        data=_form(venue_id=str(venue.id), official_ids=[str(mayor.id)]),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == _url(visit)
    [item] = _items(visit)
    assert (item.title, item.start_dt, item.end_dt) == (
        "Welcome at City Hall",
        datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 10, 30, tzinfo=UTC),
    )
    assert (item.venue_id, [o.id for o in item.officials], item.visibility) == (
        venue.id,
        [mayor.id],
        Visibility.public,
    )
    [entry] = db.session.scalars(
        sa.select(AuditEntry).filter_by(object_type="programme_items")
    )
    assert (entry.action, entry.object_id, entry.actor_id) == (
        "created",
        item.id,
        staff.id,
    )


def test_add_item_reads_time_in_the_visits_own_zone(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    create_delegation: Callable[..., Delegation],
) -> None:
    mumbai = create_delegation(
        "Visit to Mumbai",
        arrival=datetime(2026, 12, 6, 3, 30, tzinfo=UTC),
        timezone="Asia/Kolkata",
    )
    login(staff)

    client.post(_url(mumbai), data=_form())

    [item] = _items(mumbai)
    assert item.start_dt == datetime(2026, 12, 6, 4, 30, tzinfo=UTC)


def test_programme_page_lists_items_by_time_with_zone(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    for title, hours in (("Dinner", 10), ("Breakfast", 1), ("Lunch", 5)):
        create_programme_item(
            title, delegation=visit, start=visit.arrival_dt + timedelta(hours=hours)
        )
    login(staff)

    html = client.get(_url(visit)).get_data(as_text=True)

    positions = [html.index(f">{title}") for title in ("Breakfast", "Lunch", "Dinner")]
    assert positions == sorted(positions)
    assert "Times are local time in Europe/Oslo." in html
    assert "09:00–10:00" in html  # Breakfast: 08:00 UTC is 09:00 in Oslo


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"end": "2026-12-06T09:00"},
            "end",
            "The end must come after the start.",
        ),
        (
            {"start": "2026-03-29T02:30", "end": "2026-03-29T04:00"},
            "start",
            "2026-03-29 02:30 does not exist in Europe/Oslo: the clocks jump forward that night. Choose another time.",
        ),
        (
            {"start": "2026-10-25T02:30", "end": "2026-10-25T04:00"},
            "start",
            "2026-10-25 02:30 happens twice in Europe/Oslo: the clocks go back that night. Choose a time outside that hour.",
        ),
        ({"title": "x" * 10_000}, "title", "Use at most 200 characters."),
        (
            {"start": "tomorrow"},
            "start",
            "Enter a date and time, such as 2026-11-30 14:00.",
        ),
        ({"venue_id": "999"}, "venue_id", "Choose one of the options in the list."),
        (
            {"official_ids": ["abc"]},
            "official_ids",
            "Choose one of the options in the list.",
        ),
        (
            {"visibility": "secret"},
            "visibility",
            "Choose one of the options in the list.",
        ),
        ({"title": "  "}, "title", "This field is required."),
        (
            {"official_ids": ["999"]},
            "official_ids",
            "Choose one of the options in the list.",
        ),
    ],
    ids=[
        "end-before-start",
        "dst-gap",
        "dst-fold",
        "long-title",
        "not-a-time",
        "unknown-venue",
        "official-not-a-number",
        "unknown-visibility",
        "blank-title",
        "unknown-official",
    ],
)
def test_add_item_refuses_bad_input_and_keeps_the_form(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    login(staff)

    response = client.post(_url(visit), data=_form(**overrides))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in html
    assert 'value="Kari Nordmann"' in html  # what was typed is kept
    assert _items(visit) == []


def test_edit_item_form_shows_times_in_visit_zone(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    item = create_programme_item(
        delegation=visit, start=visit.arrival_dt + timedelta(hours=5)
    )
    login(staff)

    html = client.get(_url(visit, f"/{item.id}/edit")).get_data(as_text=True)

    assert 'value="2026-12-06T13:00"' in html
    assert 'value="2026-12-06T14:00"' in html
    assert "Local time in Europe/Oslo, where the visit happens." in html


def test_edit_item_time_change_raises_sequence_and_queues_notice(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    visit = create_delegation(arrival=ARRIVAL, host_contact_id=staff.id)
    item = create_programme_item(delegation=visit, start=ARRIVAL + timedelta(hours=2))
    login(staff)

    response = client.post(
        _url(visit, f"/{item.id}/edit"),
        data=_form(title=item.title, start="2026-12-06T12:00", end="2026-12-06T13:00"),
    )

    assert response.status_code == 302
    db.session.refresh(item)
    assert (item.sequence, item.start_dt) == (
        1,
        datetime(2026, 12, 6, 11, 0, tzinfo=UTC),
    )
    [mail] = db.session.scalars(sa.select(OutboxMail))
    assert (mail.kind, mail.recipient_user_id, mail.idempotency_key) == (
        "visit_changed",
        staff.id,
        f"visit-change:{item.uid}:1:{staff.id}",
    )
    [entry] = db.session.scalars(sa.select(AuditEntry).filter_by(action="updated"))
    assert entry.changes["start_dt"] == [
        "2026-12-06T09:00:00+00:00",
        "2026-12-06T11:00:00+00:00",
    ]


def test_edit_item_place_change_raises_sequence(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
    venue: Venue,
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    item = create_programme_item(
        delegation=visit, start=visit.arrival_dt + timedelta(hours=3)
    )
    login(staff)

    client.post(
        _url(visit, f"/{item.id}/edit"),
        data=_form(
            title=item.title,
            start="2026-12-06T11:00",
            end="2026-12-06T12:00",
            venue_id=str(venue.id),
        ),
    )

    db.session.refresh(item)
    assert (item.sequence, item.venue_id) == (1, venue.id)


def test_edit_item_title_only_keeps_sequence_and_sends_nothing(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    item = create_programme_item(
        delegation=visit, start=visit.arrival_dt + timedelta(hours=3)
    )
    login(staff)

    client.post(
        _url(visit, f"/{item.id}/edit"),
        data=_form(
            title="Welcome lunch", start="2026-12-06T11:00", end="2026-12-06T12:00"
        ),
    )

    db.session.refresh(item)
    assert (item.title, item.sequence) == ("Welcome lunch", 0)
    assert db.session.scalars(sa.select(OutboxMail)).all() == []


def test_edit_item_of_another_visit_is_not_found(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    other = create_programme_item()
    login(staff)

    response = client.get(_url(visit, f"/{other.id}/edit"))

    assert (response.status_code, other.delegation_id != visit.id) == (404, True)


def test_delete_item_asks_first_then_deletes_and_notifies_the_visit(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    visit = create_delegation(host_contact_id=staff.id)
    item = create_programme_item("Harbour tour", delegation=visit)
    item_id, item_uid = item.id, item.uid
    login(staff)

    confirm = client.get(_url(visit, f"/{item_id}/delete"))
    response = client.post(_url(visit, f"/{item_id}/delete"), data={"version": "1"})

    assert confirm.status_code == 200
    assert "Delete “Harbour tour”" in confirm.get_data(as_text=True)
    assert response.headers["Location"] == _url(visit)
    assert db.session.get(ProgrammeItem, item_id) is None
    [entry] = db.session.scalars(sa.select(AuditEntry).filter_by(action="deleted"))
    assert (entry.object_id, entry.changes["title"]) == (
        item_id,
        ["Harbour tour", None],
    )
    [mail] = db.session.scalars(sa.select(OutboxMail))
    assert mail.idempotency_key == f"visit-change:{item_uid}:deleted:{staff.id}"
    assert "“Harbour tour”" in mail.body_text


def test_add_item_outside_visit_flashes_clash_warning(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
) -> None:
    login(staff)

    response = client.post(
        _url(visit),
        data=_form(start="2026-12-20T10:00", end="2026-12-20T11:00"),
        follow_redirects=True,
    )

    html = response.get_data(as_text=True)
    assert html.count('class="flash flash--warning"') == 1
    assert len(_items(visit)) == 1


def test_member_gets_a_read_only_list_without_internal_items(
    client: Any,
    login: Callable[[User], Any],
    member: User,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    visit = create_delegation(visibility=Visibility.forum)
    for hours, title, visibility in (
        (1, "Open seminar", Visibility.public),
        (2, "Forum lunch", Visibility.forum),
        (3, "Security briefing", Visibility.internal),
    ):
        create_programme_item(
            title,
            delegation=visit,
            start=visit.arrival_dt + timedelta(hours=hours),
            visibility=visibility,
        )
    login(member)

    html = client.get(_url(visit)).get_data(as_text=True)

    assert ("Open seminar" in html, "Forum lunch" in html) == (True, True)
    assert "Security briefing" not in html
    assert ("Add an item" in html, "/edit" in html) == (False, False)


def test_member_cannot_add_edit_or_delete(
    client: Any,
    login: Callable[[User], Any],
    member: User,
    visit: Delegation,
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    item = create_programme_item(delegation=visit)
    login(member)

    statuses = [
        client.post(_url(visit), data=_form()).status_code,
        client.get(_url(visit, f"/{item.id}/edit")).status_code,
        client.post(_url(visit, f"/{item.id}/delete")).status_code,
        client.post(_url(visit, "/copy"), data={"copy-source_id": "1"}).status_code,
    ]

    assert statuses == [403, 403, 403, 403]
    assert [i.title for i in _items(visit)] == ["Welcome at City Hall"]


def test_member_gets_404_for_internal_visit_programme(
    client: Any,
    login: Callable[[User], Any],
    member: User,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    visit = create_delegation(visibility=Visibility.internal)
    create_programme_item(
        "Secret dinner", delegation=visit, visibility=Visibility.public
    )
    login(member)

    responses = [client.get(_url(visit)), client.get(_url(visit, "/print?lang=en"))]

    assert [r.status_code for r in responses] == [404, 404]
    assert ["Secret dinner" in r.get_data(as_text=True) for r in responses] == [
        False,
        False,
    ]


def test_anonymous_is_sent_to_log_in_for_the_editor(
    client: Any, visit: Delegation
) -> None:
    response = client.get(_url(visit))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
