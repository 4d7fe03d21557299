"""Safe concurrent edits of a visit: a stale save is merged on the conflict page, never lost.

The same for every editable record is in tests/core/test_conflicts.py; this is
the case the issue reported on visits.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.db import db
from app.core.versioning import VersionConflictError
from app.delegations.models import Delegation, DelegationStatus
from app.delegations.services import DelegationData, update_delegation
from tests.auth.helpers import log_in
from tests.core.edit_pages import conflict_rows, edit_form
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


@pytest.fixture
def two_editors(app, client, create_user, create_delegation):
    first = create_user(role=Role.mayors_office, locale="en")
    second = create_user(role=Role.admin, locale="en")
    visit = create_delegation(
        "Hamburg harbour", status=DelegationStatus.tentative, size=8
    )
    other = app.test_client()
    assert log_in(client, first).status_code == 302
    assert log_in(other, second).status_code == 302
    return client, other, visit


def _stored(visit_id: int) -> Delegation:
    db.session.expire_all()
    return db.session.get(Delegation, visit_id)


def test_edit_delegation_conflict_keeps_the_size_only_the_other_person_changed(
    two_editors,
):
    """The reported bug: the conflict form carried the stale size 8 back over their 10."""
    first, second, visit = two_editors
    url = f"/visits/{visit.id}/edit"
    first_form = edit_form(first.get(url).get_data(as_text=True))
    second_form = edit_form(second.get(url).get_data(as_text=True))

    first.post(url, data=first_form | {"size": "10"})
    stale = second.post(url, data=second_form | {"title": "Hamburg port"})
    html = stale.get_data(as_text=True)
    shown = edit_form(html)
    resent = second.post(url, data=shown)

    stored = _stored(visit.id)
    assert stale.status_code == 409
    assert conflict_rows(html) == [
        ("Title", "Hamburg harbour", "Hamburg port", "yours"),
        ("Number of people", "10", "8", "theirs"),
    ]
    assert (shown["size"], shown["title"], shown["version"]) == (
        "10",
        "Hamburg port",
        "2",
    )
    assert resent.status_code == 302
    assert (stored.size, stored.title, stored.version) == (10, "Hamburg port", 3)


def test_edit_delegation_conflict_shows_both_values_of_a_field_both_changed(
    two_editors,
):
    first, second, visit = two_editors
    url = f"/visits/{visit.id}/edit"
    first_form = edit_form(first.get(url).get_data(as_text=True))
    second_form = edit_form(second.get(url).get_data(as_text=True))

    first.post(url, data=first_form | {"size": "10"})
    stale = second.post(url, data=second_form | {"size": "12"})
    html = stale.get_data(as_text=True)

    assert conflict_rows(html) == [("Number of people", "10", "12", "both")]
    assert edit_form(html)["size"] == "12"  # what this editor typed, to choose
    assert (
        '<p class="conflict-note" id="size-conflict">Saved by the other person: 10</p>'
        in html
    )
    assert 'aria-describedby="size-conflict"' in html
    assert _stored(visit.id).size == 10


def test_update_delegation_turns_a_lost_race_into_a_conflict(
    create_user, create_delegation
):
    staff = create_user(role=Role.mayors_office)
    visit = create_delegation("Hamburg harbour")
    loaded = visit.version
    # Another request commits meanwhile, on its own connection; this session
    # still holds the version it loaded.
    with db.engine.begin() as other:
        other.execute(
            sa.update(Delegation.__table__)
            .where(Delegation.__table__.c.id == visit.id)
            .values(title="Saved elsewhere", version=loaded + 1)
        )
    data = DelegationData(
        direction=visit.direction,
        title="Mine",
        country=visit.country,
        protocol_level=visit.protocol_level,
        arrival_dt=visit.arrival_dt,
        departure_dt=visit.departure_dt,
        visibility=visit.visibility,
    )

    with pytest.raises(VersionConflictError):
        update_delegation(visit, data, expected_version=loaded, actor=staff, now=NOW)
    db.session.rollback()

    stored = db.session.get(Delegation, visit.id, populate_existing=True)
    assert (stored.title, stored.version) == ("Saved elsewhere", loaded + 1)
