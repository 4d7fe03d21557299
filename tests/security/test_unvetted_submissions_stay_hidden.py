"""Nothing pending, unconfirmed, rejected or spam is visible to anyone but admins.

Issue 4: "no page, search, count or calendar reveals it". Each role fetches every
page that lists, searches or counts calendar entries, in both languages, and the
titles and words of unvetted submissions never appear; admins find them in the
moderation queue only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.auth.models import Role
from app.calendar.models import Submission, SubmissionState
from app.core.db import db
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

#: A distinctive word per state, in the title, description and location.
UNVETTED = {
    SubmissionState.unconfirmed: "Quokkafest",
    SubmissionState.pending: "Narwhalseminar",
    SubmissionState.rejected: "Axolotlmesse",
    SubmissionState.spam: "Pangolinpromo",
    SubmissionState.withdrawn: "Okapimarsj",
}


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def unvetted(app: Any) -> dict[SubmissionState, Submission]:
    rows = {}
    for n, (state, word) in enumerate(UNVETTED.items(), start=1):
        start = NOW + timedelta(days=n, hours=2)
        decided = state in {SubmissionState.rejected, SubmissionState.spam}
        rows[state] = Submission(
            state=state,
            title=f"{word} i Trondheim",
            description=f"Om {word}.",
            start_dt=start,
            end_dt=start + timedelta(hours=2),
            location=f"{word}salen",
            organiser_name=f"{word} AS",
            submitter_name="Kari Nordmann",
            submitter_email=f"kari{n}@example.org",
            decided_dt=NOW if decided else None,
            reject_reason="Ikke relevant" if state is SubmissionState.rejected else "",
        )
        db.session.add(rows[state])
    db.session.commit()
    return rows


def _listing_urls(word: str) -> list[str]:
    # Searches use the start of the word: the page repeats the search terms
    # (search box, language switch), so only the whole word proves a leak.
    part = word[:-3]
    day = (NOW + timedelta(days=2)).date().isoformat()
    start = NOW.date().isoformat()
    end = (NOW + timedelta(days=40)).date().isoformat()
    return [
        "/",
        "/upcoming",
        f"/calendar?date={day}",
        f"/calendar?view=week&date={day}",
        f"/calendar?view=list&date={day}",
        f"/calendar?view=list&q={part}",
        f"/calendar/entries.json?start={start}&end={end}",
        f"/calendar/entries.json?start={start}&end={end}&q={part}",
    ]


def _assert_hidden(client: Any) -> None:
    for word in UNVETTED.values():
        for url in _listing_urls(word):
            for language in ("nb", "en"):
                response = client.get(url, headers={"Accept-Language": language})
                assert response.status_code == 200, url
                assert word not in response.get_data(as_text=True), (url, word)


@pytest.mark.usefixtures("unvetted")
def test_anonymous_visitors_see_no_unvetted_submission(client: Any) -> None:
    _assert_hidden(client)


@pytest.mark.usefixtures("unvetted")
@pytest.mark.parametrize("role", [Role.member, Role.mayors_office])
def test_members_and_the_mayors_office_see_no_unvetted_submission(
    client: Any, create_user: Any, login: Any, role: Role
) -> None:
    login(create_user(role=role))
    _assert_hidden(client)
    # Not the moderation pages either: those are the international office's.
    assert client.get("/admin/submissions").status_code == 403


@pytest.mark.usefixtures("unvetted")
def test_admins_see_them_in_the_queue_and_nowhere_else(
    client: Any,
    create_user: Any,
    login: Any,
    unvetted: dict[SubmissionState, Submission],
) -> None:
    login(create_user(role=Role.admin))
    _assert_hidden(client)
    queue = client.get("/admin/submissions").get_data(as_text=True)
    assert UNVETTED[SubmissionState.pending] in queue
    page = client.get(f"/admin/submissions/{unvetted[SubmissionState.rejected].id}")
    assert page.status_code == 200
    assert UNVETTED[SubmissionState.rejected] in page.get_data(as_text=True)
