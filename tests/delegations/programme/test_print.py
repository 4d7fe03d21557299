"""The printable programme: the reader's items only, in the chosen language, in the visit's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from babel.dates import format_date

from app.auth.models import Role, User
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import Delegation, Participant, ProgrammeItem
from tests.delegations.programme.conftest import ARRIVAL

pytestmark = pytest.mark.integration

DAY = date(2026, 12, 6)


@pytest.fixture
def forum_visit(
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> Delegation:
    visit = create_delegation(
        "Delegation from Hamburg", arrival=ARRIVAL, visibility=Visibility.forum
    )
    for hours, title, visibility in (
        (2, "Open seminar", Visibility.public),
        (4, "Forum lunch", Visibility.forum),
        (6, "Security briefing", Visibility.internal),
    ):
        create_programme_item(
            title,
            delegation=visit,
            start=ARRIVAL + timedelta(hours=hours),
            visibility=visibility,
        )
    db.session.add(
        Participant(delegation=visit, name="Anna Gast", dietary_needs="vegan")
    )
    db.session.commit()
    return visit


def test_print_programme_in_english_shows_what_a_member_may_see(
    client: Any, login: Callable[[User], Any], member: User, forum_visit: Delegation
) -> None:
    login(member)

    response = client.get(f"/visits/{forum_visit.id}/programme/print?lang=en")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "<h1>Delegation from Hamburg</h1>" in html
    assert f'<h2 id="day-1">{format_date(DAY, "full", locale="en_GB")}</h2>' in html
    assert ("Open seminar" in html, "Forum lunch" in html) == (True, True)
    assert ("Security briefing" in html, "Anna Gast" in html) == (False, False)
    assert "Germany" in html
    assert 'href="/static/css/print.css"' in html


def test_print_programme_in_norwegian_for_an_english_reader(
    client: Any, login: Callable[[User], Any], member: User, forum_visit: Delegation
) -> None:
    login(member)

    html = client.get(f"/visits/{forum_visit.id}/programme/print?lang=nb").get_data(
        as_text=True
    )

    assert '<html lang="nb">' in html
    assert f'<h2 id="day-1">{format_date(DAY, "full", locale="nb_NO")}</h2>' in html
    assert "Tyskland" in html


def test_print_programme_shows_times_in_the_visits_zone_not_the_readers(
    client: Any,
    login: Callable[[User], Any],
    create_user: Callable[..., User],
    forum_visit: Delegation,
) -> None:
    reader = create_user(role=Role.mayors_office, locale="en", timezone="Asia/Kolkata")
    login(reader)

    html = client.get(f"/visits/{forum_visit.id}/programme/print?lang=en").get_data(
        as_text=True
    )

    # 09:00 UTC is 10:00 in Oslo (15:30 in Kolkata).
    assert "<td>10:00–11:00</td>" in html
    assert "Local time in Europe/Oslo" in html
    assert ("Security briefing" in html, "Anna Gast" in html) == (True, False)


def test_print_programme_for_anonymous_reader_of_a_public_visit(
    client: Any,
    create_delegation: Callable[..., Delegation],
    create_programme_item: Callable[..., ProgrammeItem],
) -> None:
    visit = create_delegation(arrival=ARRIVAL, visibility=Visibility.public)
    create_programme_item(
        "Open seminar", delegation=visit, visibility=Visibility.public
    )
    create_programme_item(
        "Forum lunch",
        delegation=visit,
        start=ARRIVAL + timedelta(hours=5),
        visibility=Visibility.forum,
    )

    html = client.get(f"/visits/{visit.id}/programme/print?lang=en").get_data(
        as_text=True
    )

    assert ("Open seminar" in html, "Forum lunch" in html) == (True, False)
    assert "Back to the programme" not in html
    # Its own document: it names the site's icon, so browsers ask for no /favicon.ico.
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_print_programme_of_a_forum_visit_is_hidden_from_anonymous(
    client: Any, forum_visit: Delegation
) -> None:
    response = client.get(f"/visits/{forum_visit.id}/programme/print?lang=en")

    assert response.status_code == 404
    assert "Open seminar" not in response.get_data(as_text=True)


def test_print_programme_with_unknown_language_uses_the_readers(
    client: Any, login: Callable[[User], Any], member: User, forum_visit: Delegation
) -> None:
    login(member)

    html = client.get(f"/visits/{forum_visit.id}/programme/print?lang=xx").get_data(
        as_text=True
    )

    assert '<html lang="en">' in html
