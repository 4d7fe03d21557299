"""Copying a programme from an earlier visit: same wall-clock times, new days, DST refused."""

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
from app.delegations.programme.services import copy_programme, list_copy_sources
from app.directory.models import Official, Venue
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def _titles_and_starts(visit: Delegation) -> list[tuple[str, datetime]]:
    rows = db.session.execute(
        sa.select(ProgrammeItem.title, ProgrammeItem.start_dt)
        .where(ProgrammeItem.delegation_id == visit.id)
        .order_by(ProgrammeItem.start_dt)
    )
    return [(title, start) for title, start in rows]


def test_copy_programme_keeps_local_time_across_a_dst_change(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    venue: Venue,
    mayor: Official,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    # 20 October is summer time in Oslo (UTC+2); 17 November is winter time (UTC+1).
    october = create_delegation(
        "October visit", arrival=datetime(2026, 10, 20, 6, 0, tzinfo=UTC)
    )
    november = create_delegation(
        "November visit", arrival=datetime(2026, 11, 17, 7, 0, tzinfo=UTC)
    )
    original = create_programme_item(
        "Breakfast with the mayor",
        delegation=october,
        start=datetime(2026, 10, 20, 7, 0, tzinfo=UTC),  # 09:00 in Oslo
        venue=venue,
        officials=[mayor],
        visibility=Visibility.forum,
    )
    login(staff)

    response = client.post(
        f"/visits/{november.id}/programme/copy",
        data={"copy-source_id": str(october.id)},
    )

    assert response.status_code == 302
    [copy] = november.programme_items
    assert (copy.title, copy.start_dt, copy.end_dt) == (
        "Breakfast with the mayor",
        datetime(2026, 11, 17, 8, 0, tzinfo=UTC),  # still 09:00 in Oslo
        datetime(2026, 11, 17, 9, 0, tzinfo=UTC),
    )
    assert (copy.venue_id, [o.id for o in copy.officials], copy.visibility) == (
        venue.id,
        [mayor.id],
        Visibility.forum,
    )
    assert copy.uid != original.uid
    [entry] = db.session.scalars(
        sa.select(AuditEntry).filter_by(action="programme_copied")
    )
    assert (entry.object_type, entry.object_id, entry.changes["source_id"]) == (
        "delegations",
        november.id,
        [None, october.id],
    )


def test_copy_programme_skips_an_item_landing_in_the_spring_gap(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    earlier = create_delegation(
        "Night fishing", arrival=datetime(2026, 3, 21, 23, 0, tzinfo=UTC)
    )
    later = create_delegation(
        "Night fishing again", arrival=datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    )
    # 02:30 on 22 March exists; a week later, 29 March, the clocks skip it.
    create_programme_item(
        "Boats out", delegation=earlier, start=datetime(2026, 3, 22, 1, 30, tzinfo=UTC)
    )
    create_programme_item(
        "Breakfast", delegation=earlier, start=datetime(2026, 3, 22, 8, 0, tzinfo=UTC)
    )
    login(staff)

    response = client.post(
        f"/visits/{later.id}/programme/copy",
        data={"copy-source_id": str(earlier.id)},
        follow_redirects=True,
    )

    html = response.get_data(as_text=True)
    assert _titles_and_starts(later) == [
        ("Breakfast", datetime(2026, 3, 29, 7, 0, tzinfo=UTC))  # 09:00 summer time
    ]
    assert "1 items copied from “Night fishing”." in html
    assert (
        "“Boats out” was not copied: 2026-03-29 02:30 does not exist in Europe/Oslo. Add it by hand."
        in html
    )


def test_copy_programme_into_another_zone_keeps_wall_clock_time(
    app: Any,
    staff: User,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    oslo = create_delegation("Oslo", arrival=datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    mumbai = create_delegation(
        "Mumbai",
        arrival=datetime(2026, 12, 8, 3, 30, tzinfo=UTC),  # 09:00 in Mumbai
        timezone="Asia/Kolkata",
    )
    create_programme_item(
        "Port visit", delegation=oslo, start=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    )

    result = copy_programme(mumbai, oslo, actor_id=staff.id, now=NOW)

    assert [(i.start_dt, i.end_dt) for i in result.copied] == [
        (  # 10:00–11:00 wall time, now in Mumbai (UTC+5:30)
            datetime(2026, 12, 8, 4, 30, tzinfo=UTC),
            datetime(2026, 12, 8, 5, 30, tzinfo=UTC),
        )
    ]
    assert result.skipped == []


def test_copy_sources_are_earlier_visits_with_items(
    app: Any,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    target = create_delegation("Target", arrival=NOW + timedelta(days=30))
    with_items = create_delegation("Earlier with items", arrival=NOW)
    create_delegation("Earlier, empty", arrival=NOW + timedelta(days=1))
    later = create_delegation("Later with items", arrival=NOW + timedelta(days=40))
    create_programme_item(delegation=with_items)
    create_programme_item(delegation=later)

    assert [v.title for v in list_copy_sources(target)] == ["Earlier with items"]


def test_copy_programme_with_unknown_source_keeps_the_page(
    client: Any,
    login: Callable[[User], Any],
    staff: User,
    visit: Delegation,
) -> None:
    login(staff)

    response = client.post(
        f"/visits/{visit.id}/programme/copy", data={"copy-source_id": "999"}
    )

    assert response.status_code == 422
    assert (
        '<p class="error" id="copy-source_id-error">Choose one of the options in the list.</p>'
        in response.get_data(as_text=True)
    )
    assert visit.programme_items == []


def test_copy_programme_skips_an_item_landing_in_the_autumn_fold(
    app: Any,
    staff: User,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    earlier = create_delegation(arrival=datetime(2026, 10, 17, 22, 0, tzinfo=UTC))
    later = create_delegation(arrival=datetime(2026, 10, 24, 22, 0, tzinfo=UTC))
    # 02:30 on 18 October happens once; on 25 October it happens twice.
    create_programme_item(
        "Night train",
        delegation=earlier,
        start=datetime(2026, 10, 18, 0, 30, tzinfo=UTC),
    )

    result = copy_programme(later, earlier, actor_id=staff.id, now=NOW)

    assert result.copied == []
    assert [(s.title, s.local_start, s.kind) for s in result.skipped] == [
        ("Night train", datetime(2026, 10, 25, 2, 30), "ambiguous")  # noqa: DTZ001 -- a wall time
    ]
