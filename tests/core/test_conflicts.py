"""No silent lost update on any edit page: visits, events, programme items, participants,
follow-up items and matrix rows (app.core.versioning, app.core.conflicts).

Two editors open the same row; the first saves, the second's stale save gets
the conflict page (409) that keeps what they typed; the merge keeps whose
change each field is; a forged version is never accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.action_programme.services import keep_status_snapshot
from app.auth.models import Role, User
from app.calendar.models import Event
from app.core.db import db
from app.core.versioning import VersionConflictError, parse_version, versioned_change
from app.delegations.followups.services import FollowUpData, add_followup
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    FollowUp,
    Participant,
    ProgrammeItem,
)
from app.delegations.participants.services import ParticipantData, add_participant
from app.directory.models import Initiative
from tests.auth.helpers import log_in
from tests.core.edit_pages import conflict_rows, edit_form
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

FIRST, SECOND = "Saved by the first editor", "Typed by the second editor"
DAMAGED = "did not say which version it showed"


@dataclass(frozen=True)
class Kind:
    """An editable record: how to make one, and two of its text fields with their labels."""

    name: str
    heading: str
    #: Make a row; return its edit page and a function reading it afresh.
    make: Callable[[pytest.FixtureRequest, User], tuple[str, Callable[[], Any]]]
    #: The field this editor types into.
    mine: tuple[str, str]
    #: A field only the other person changes in the merge case.
    theirs: tuple[str, str]


def _reader(model: Any, row_id: int) -> Callable[[], Any]:
    def read() -> Any:
        db.session.expire_all()
        return db.session.get(model, row_id)

    return read


def _visit(request: pytest.FixtureRequest) -> Delegation:
    create_delegation = request.getfixturevalue("create_delegation")
    return create_delegation("Hamburg harbour", status=DelegationStatus.tentative)


def _make_visit(request: pytest.FixtureRequest, actor: User) -> Any:
    visit = _visit(request)
    return f"/visits/{visit.id}/edit", _reader(Delegation, visit.id)


def _make_event(request: pytest.FixtureRequest, actor: User) -> Any:
    event = request.getfixturevalue("create_event")("Forum meeting", location="Hall")
    return f"/events/{event.id}/edit", _reader(Event, event.id)


def _make_item(request: pytest.FixtureRequest, actor: User) -> Any:
    item = request.getfixturevalue("create_programme_item")(
        delegation=_visit(request), responsible_person="Kari"
    )
    url = f"/visits/{item.delegation_id}/programme/{item.id}/edit"
    return url, _reader(ProgrammeItem, item.id)


def _make_participant(request: pytest.FixtureRequest, actor: User) -> Any:
    visit = _visit(request)
    data = ParticipantData(name="Anna Schmidt", title="Senator", dietary_needs="none")
    participant = add_participant(visit, data, actor=actor, now=NOW)
    db.session.commit()
    url = f"/visits/{visit.id}/participants/{participant.id}/edit"
    return url, _reader(Participant, participant.id)


def _make_followup(request: pytest.FixtureRequest, actor: User) -> Any:
    visit = _visit(request)
    data = FollowUpData(title="Student exchange", notes="Call NTNU")
    followup = add_followup(visit, data, actor=actor, now=NOW)
    db.session.commit()
    url = f"/visits/{visit.id}/follow-up/{followup.id}/edit"
    return url, _reader(FollowUp, followup.id)


def _make_theme(request: pytest.FixtureRequest, actor: User) -> Any:
    initiative = Initiative(
        slug="india-2011",
        title="India 2011",
        programme_period="2011-2012",
        actors="NTNU, SINTEF",
        planned="Delegasjon til Bangalore",
        status="Underveis",
        status_as_of=date(2010, 12, 31),
    )
    db.session.add(initiative)
    keep_status_snapshot(initiative, now=NOW)
    db.session.commit()
    url = "/action-programme/2011-2012/themes/india-2011/edit"
    return url, _reader(Initiative, initiative.id)


KINDS = [
    Kind(
        "visit",
        "Someone else changed this visit",
        _make_visit,
        ("title", "Title"),
        ("notes", "Notes"),
    ),
    Kind(
        "event",
        "Someone else changed this event",
        _make_event,
        ("title", "Title"),
        ("location", "Location"),
    ),
    Kind(
        "programme_item",
        "Someone else changed this programme item",
        _make_item,
        ("title", "Title"),
        ("responsible_person", "Responsible person"),
    ),
    Kind(
        "participant",
        "Someone else changed this participant",
        _make_participant,
        ("title", "Title"),
        ("dietary_needs", "Dietary needs"),
    ),
    Kind(
        "follow_up",
        "Someone else changed this follow-up item",
        _make_followup,
        ("title", "What to follow up"),
        ("notes", "Notes"),
    ),
    Kind(
        "theme",
        "Someone else changed this theme",
        _make_theme,
        ("status", "Status"),
        ("planned", "Planned"),
    ),
]


@pytest.fixture(params=KINDS, ids=[kind.name for kind in KINDS])
def two_editors(
    request: pytest.FixtureRequest, app: Any, client: FlaskClient, create_user: Any
) -> tuple[Kind, FlaskClient, FlaskClient, str, Callable[[], Any]]:
    """Two admins on their own clients, and a row of one kind: (kind, first, second, url, read)."""
    kind: Kind = request.param
    first_user = create_user(role=Role.admin, locale="en")
    second_user = create_user(role=Role.admin, locale="en")
    url, read = kind.make(request, first_user)
    second = app.test_client()
    assert log_in(client, first_user).status_code == 302
    assert log_in(second, second_user).status_code == 302
    return kind, client, second, url, read


def _page(response: Any) -> str:
    return response.get_data(as_text=True)


def test_stale_save_gets_the_conflict_page_and_keeps_both_changes(two_editors):
    kind, first, second, url, read = two_editors
    field, label = kind.mine
    first_form = edit_form(_page(first.get(url)))
    second_form = edit_form(_page(second.get(url)))

    saved = first.post(url, data=first_form | {field: FIRST})
    stale = second.post(url, data=second_form | {field: SECOND})

    html = _page(stale)
    shown = edit_form(html)
    row = read()
    assert (first_form["version"], saved.status_code, stale.status_code) == (
        second_form["version"],
        302,
        409,
    )
    assert kind.heading in html
    assert conflict_rows(html) == [(label, FIRST, SECOND, "both")]
    assert f"Saved by the other person: {FIRST}" in html  # beside the field
    assert (shown[field], shown["version"]) == (SECOND, str(row.version))
    assert getattr(row, field) == FIRST  # the first editor's save stands

    # Saving the conflict page's form is an ordinary save of what it holds.
    resent = second.post(url, data=shown)

    assert resent.status_code == 302
    assert getattr(read(), field) == SECOND


def test_conflict_page_keeps_a_field_only_the_other_person_changed(two_editors):
    kind, first, second, url, read = two_editors
    (mine, mine_label), (theirs, theirs_label) = kind.mine, kind.theirs
    first_form = edit_form(_page(first.get(url)))
    second_form = edit_form(_page(second.get(url)))
    loaded_mine, loaded_theirs = second_form[mine], second_form[theirs]

    first.post(url, data=first_form | {theirs: FIRST})
    stale = second.post(url, data=second_form | {mine: SECOND})
    shown = edit_form(_page(stale))
    resent = second.post(url, data=shown)

    row = read()
    assert stale.status_code == 409
    assert sorted(conflict_rows(_page(stale))) == sorted(
        [
            (theirs_label, FIRST, loaded_theirs, "theirs"),
            (mine_label, loaded_mine, SECOND, "yours"),
        ]
    )
    assert (shown[theirs], shown[mine]) == (FIRST, SECOND)
    assert resent.status_code == 302
    assert (getattr(row, theirs), getattr(row, mine)) == (FIRST, SECOND)


#: Not versions: words, nothing, a sign, zero, too many digits, an Arabic-Indic one
#: (which int() reads), and (None) no version field at all.
BAD_VERSIONS = ["abc", "", "-1", "0", "99" * 10, "1.0", " 1", "\u0661", None]


def test_forged_version_is_refused_and_nothing_is_saved(two_editors):
    kind, first, _second, url, read = two_editors
    field, _label = kind.mine
    loaded = edit_form(_page(first.get(url)))
    before = (getattr(read(), field), read().version)

    answers = []
    for version in BAD_VERSIONS:
        data = loaded | {field: SECOND}
        if version is None:
            del data["version"]
        else:
            data["version"] = version
        response = first.post(url, data=data)
        answers.append(
            (version, response.status_code, edit_form(_page(response))["version"])
        )

    assert answers == [(version, 409, str(before[1])) for version in BAD_VERSIONS]
    assert (getattr(read(), field), read().version) == before
    damaged = first.post(url, data=loaded | {field: SECOND, "version": "abc"})
    assert DAMAGED in _page(damaged)


def test_unchanged_save_keeps_the_version(two_editors):
    """A save that changes nothing must not turn others' open pages stale."""
    _kind, first, _second, url, read = two_editors
    loaded = edit_form(_page(first.get(url)))

    response = first.post(url, data=loaded)

    assert (response.status_code, read().version) == (302, int(loaded["version"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("007", 7),
        ("999999999", 999_999_999),
        ("1000000000", None),
        ("abc", None),
        ("", None),
        ("-1", None),
        ("+1", None),
        ("1e3", None),
        (" 1", None),
        ("\u0661", None),
        (None, None),
    ],
)
def test_parse_version_accepts_only_plain_digits(text, expected):
    assert parse_version(text) == expected


def test_versioned_change_turns_a_race_lost_at_flush_into_a_conflict(create_event):
    event = create_event("Forum meeting")
    loaded = event.version
    # Another request commits meanwhile on its own connection; this session
    # still holds the version it loaded, so the check before the change passes.
    with db.engine.begin() as other:
        other.execute(
            sa.update(Event.__table__)
            .where(Event.__table__.c.id == event.id)
            .values(title="Saved elsewhere", version=loaded + 1)
        )

    with pytest.raises(VersionConflictError), versioned_change(event, loaded):
        event.title = "Mine"
    db.session.rollback()

    stored = db.session.get(Event, event.id, populate_existing=True)
    assert (stored.title, stored.version) == ("Saved elsewhere", loaded + 1)
