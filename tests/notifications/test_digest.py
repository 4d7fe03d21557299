"""The weekly digest: who gets it, what it lists, when it goes out, and that it goes out once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.unsubscribe import MailKind, read_unsubscribe_token
from app.calendar.models import EventStatus
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.models import DelegationStatus
from app.notifications.digest import digest_moment, queue_weekly_digests
from app.outbox.models import OutboxMail
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

#: Monday 30 November 2026, 08:00 in Oslo (winter time, UTC+1).
MOMENT = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def _digests() -> list[OutboxMail]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.kind == "weekly_digest")
            .order_by(OutboxMail.id)
        )
    )


def _mail_to(user: User) -> OutboxMail:
    (mail,) = [m for m in _digests() if m.recipient_user_id == user.id]
    return mail


@pytest.fixture
def subscriber(create_user: Callable[..., User]) -> Callable[..., User]:
    """Return a builder of users who opted in to the digest."""

    def _create(role: Role = Role.member, **kwargs: Any) -> User:
        user = create_user(role=role, **kwargs)
        user.wants_digest = True
        db.session.commit()
        return user

    return _create


def test_each_subscriber_gets_what_their_audience_may_see(
    app, subscriber, create_user, create_event, create_delegation, create_programme_item
):
    member = subscriber(Role.member, locale="en", name="Mia")
    mayor = subscriber(Role.mayors_office, locale="en", name="Maj")
    subscriber(Role.member, locale="en").is_active = False
    create_user(role=Role.member, locale="en")  # never opted in
    db.session.commit()
    day = MOMENT + timedelta(days=2)
    create_event("Open harbour walk", start=day, visibility=Visibility.public)
    create_event("Forum breakfast", start=day, visibility=Visibility.forum)
    create_event("Budget talks", start=day, visibility=Visibility.internal)
    create_event("Last week's fair", start=MOMENT - timedelta(days=3))
    create_event("Far ahead", start=MOMENT + timedelta(days=14, minutes=1))
    visit = create_delegation(
        "Delegation from Kyiv", arrival=MOMENT - timedelta(days=1), days=3
    )
    create_programme_item(
        "Welcome lunch", delegation=visit, start=MOMENT + timedelta(hours=4)
    )
    create_programme_item(
        "Closed briefing",
        delegation=visit,
        start=MOMENT + timedelta(hours=6),
        visibility=Visibility.internal,
    )

    queued = queue_weekly_digests(MOMENT)
    db.session.commit()

    assert queued == 2
    assert [m.recipient_user_id for m in _digests()] == [member.id, mayor.id]
    seen_by_member = _mail_to(member)
    seen_by_mayor = _mail_to(mayor)
    for mail in (seen_by_member, seen_by_mayor):
        for title in ("Open harbour walk", "Forum breakfast", "Welcome lunch"):
            assert title in mail.body_text
            assert title in mail.body_html
        assert "Last week's fair" not in mail.body_text
        assert "Far ahead" not in mail.body_text
        # The visit under way is listed on the first day, with its own dates.
        assert "Delegation from Kyiv" in mail.body_text
        assert "29 Nov, 08:00 – 2 Dec, 08:00" in mail.body_text
        assert f"http://vertskap.test/visits/{visit.id}" in mail.body_text
        assert mail.subject == "Vertskap: the next two weeks, 30 Nov – 13 Dec"
    for title in ("Budget talks", "Closed briefing"):
        assert title not in seen_by_member.body_text
        assert title not in seen_by_member.body_html
        assert title not in seen_by_member.subject
        assert title in seen_by_mayor.body_text


def test_the_mail_links_to_items_preferences_and_a_one_click_unsubscribe(
    app, subscriber, create_event
):
    user = subscriber(locale="en")
    event = create_event("Harbour walk", start=MOMENT + timedelta(days=1))

    queue_weekly_digests(MOMENT)
    db.session.commit()

    mail = _mail_to(user)
    assert mail.list_unsubscribe.startswith("http://vertskap.test/")
    token = urlsplit(mail.list_unsubscribe).path.rstrip("/").rsplit("/", 1)[-1]
    assert read_unsubscribe_token(token) == (user, MailKind.digest)
    for body in (mail.body_text, mail.body_html):
        assert f"http://vertskap.test/events/{event.id}" in body
        assert "http://vertskap.test/preferences" in body
        assert mail.list_unsubscribe in body
    assert f"Stop these e-mails with one click: {mail.list_unsubscribe}" in (
        mail.body_text
    )
    assert f'<a href="{mail.list_unsubscribe}"' in mail.body_html


def test_language_and_time_zone_are_the_readers_own(
    app, subscriber, create_event, create_delegation, create_programme_item
):
    oslo = subscriber(locale="nb", name="Kari")
    new_york = subscriber(locale="en", timezone="America/New_York", name="Joe")
    # Wednesday 2 December, 14:00-16:00 in Oslo; 08:00-10:00 in New York.
    create_event(
        "Cooperation <seminar> & mingle", start=MOMENT + timedelta(days=2, hours=6)
    )
    # All day on Thursday 3 and Friday 4 December, as the event's own calendar says.
    create_event(
        "Culture days",
        start=datetime(2026, 12, 2, 23, 0, tzinfo=UTC),
        hours=48,
        is_all_day=True,
    )
    create_event(
        "Cancelled concert",
        start=MOMENT + timedelta(days=5),
        status=EventStatus.cancelled,
    )
    visit = create_delegation(
        "Visit from Gdańsk",
        arrival=MOMENT + timedelta(days=8),
        status=DelegationStatus.cancelled,
    )
    create_programme_item("Harbour tour", delegation=visit)

    assert queue_weekly_digests(MOMENT) == 2
    db.session.commit()

    nb, en = _mail_to(oslo), _mail_to(new_york)
    assert (nb.locale, en.locale) == ("nb", "en")
    assert "Hei Kari," in nb.body_text
    assert "30. nov. – 13. des." in nb.subject
    assert "onsdag 2. desember 2026" in nb.body_text
    assert "14:00–16:00: Cooperation <seminar> & mingle (Arrangement)" in nb.body_text
    assert "torsdag 3. desember 2026\n- " in nb.body_text
    assert "4. des.: Culture days" in nb.body_text
    assert "Avlyst: Cancelled concert" in nb.body_text
    assert "Avlyst: Visit from Gdańsk (Delegasjonsbesøk)" in nb.body_text
    assert "Avlyst: Harbour tour (Besøksprogram, Visit from Gdańsk)" in nb.body_text

    assert "Hello Joe," in en.body_text
    assert "America/New_York" in en.body_text
    assert "Wednesday, 2 December 2026" in en.body_text
    assert "08:00–10:00: Cooperation <seminar> & mingle (Event)" in en.body_text
    # All day on its own dates, not shifted to the evening before in New York.
    assert "Thursday, 3 December 2026\n- All day, until 4 Dec: Culture days" in (
        en.body_text
    )
    assert "Cancelled: Cancelled concert" in en.body_text

    for mail in (nb, en):
        assert "Cooperation &lt;seminar&gt; &amp; mingle" in mail.body_html
        assert "<seminar>" not in mail.body_html
        assert "<s>Cancelled concert</s>" in mail.body_html
        assert mail.body_html.startswith("<!doctype html>")
    assert 'lang="nb"' in nb.body_html
    assert 'lang="en"' in en.body_html


@pytest.mark.parametrize(
    ("monday", "eight", "week_before"),
    [
        # The Monday after the return to winter time (Sunday 25 October): 08:00
        # is 07:00 UTC, while the Monday before, in summer time, it was 06:00.
        (
            date(2026, 10, 26),
            datetime(2026, 10, 26, 7, 0, tzinfo=UTC),
            datetime(2026, 10, 19, 6, 0, tzinfo=UTC),
        ),
        # A summer Monday: 08:00 is 06:00 UTC.
        (
            date(2026, 6, 15),
            datetime(2026, 6, 15, 6, 0, tzinfo=UTC),
            datetime(2026, 6, 8, 6, 0, tzinfo=UTC),
        ),
    ],
    ids=["after-dst-ends", "summer"],
)
def test_the_digest_goes_out_at_eight_on_the_oslo_clock(
    app, subscriber, create_event, monday, eight, week_before
):
    user = subscriber(locale="en")
    create_event("Forum meeting", start=eight + timedelta(days=1))

    assert digest_moment(eight, "Europe/Oslo") == eight
    assert digest_moment(eight + timedelta(days=6, hours=23), "Europe/Oslo") == eight
    assert digest_moment(eight - timedelta(minutes=1), "Europe/Oslo") == week_before
    # 07:59 in Oslo: last week's moment is long past, and this week's not yet come.
    assert queue_weekly_digests(eight - timedelta(minutes=1)) == 0
    assert queue_weekly_digests(eight) == 1
    db.session.commit()

    (mail,) = _digests()
    assert mail.idempotency_key == f"digest:{user.id}:{monday.isoformat()}"


def test_a_digest_is_not_sent_more_than_the_late_limit_after_its_moment(
    app, subscriber, create_event
):
    subscriber()
    create_event("Forum meeting", start=MOMENT + timedelta(days=3))
    limit = timedelta(hours=app.config["DIGEST_LATE_HOURS"])

    assert queue_weekly_digests(MOMENT + limit + timedelta(seconds=1)) == 0
    assert queue_weekly_digests(MOMENT + limit) == 1


def test_one_digest_per_user_per_week(app, subscriber, create_event):
    user = subscriber()
    create_event("Weekly coffee", start=MOMENT + timedelta(days=1), rrule="FREQ=WEEKLY")

    assert queue_weekly_digests(MOMENT) == 1
    db.session.commit()
    assert queue_weekly_digests(MOMENT) == 0
    assert queue_weekly_digests(MOMENT + timedelta(hours=5)) == 0
    assert len(_digests()) == 1
    # The next week is a new digest.
    assert queue_weekly_digests(MOMENT + timedelta(days=7)) == 1
    db.session.commit()
    assert [m.idempotency_key for m in _digests()] == [
        f"digest:{user.id}:2026-11-30",
        f"digest:{user.id}:2026-12-07",
    ]


def test_nothing_to_show_means_no_mail(app, subscriber, create_event):
    subscriber(Role.member)
    create_event(
        "Internal only",
        start=MOMENT + timedelta(days=1),
        visibility=Visibility.internal,
    )

    assert queue_weekly_digests(MOMENT) == 0
    assert _digests() == []


def test_a_recurring_event_is_listed_once_per_occurrence(app, subscriber, create_event):
    user = subscriber(locale="en")
    # Tuesdays at 10:00 in Oslo, from 1 December: the 1st and 8th fall in the
    # window, the 15th does not.
    create_event(
        "Language café",
        start=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )

    queue_weekly_digests(MOMENT)
    db.session.commit()

    text = _mail_to(user).body_text
    assert text.count("Language café") == 2
    first = text.index("Tuesday, 1 December 2026")
    second = text.index("Tuesday, 8 December 2026")
    assert first < text.index("10:00–12:00: Language café") < second
    assert "15 December" not in text


def test_queries_do_not_grow_with_subscribers_beyond_a_constant_each(
    app, subscriber, create_event
):
    create_event("Forum meeting", start=MOMENT + timedelta(days=1), rrule="FREQ=WEEKLY")
    create_event(
        "Staff meeting",
        start=MOMENT + timedelta(days=2),
        visibility=Visibility.internal,
    )
    subscriber(Role.member)
    subscriber(Role.mayors_office)
    with count_statements() as few:
        assert queue_weekly_digests(MOMENT) == 2
    db.session.commit()
    for _ in range(4):
        subscriber(Role.member)
        subscriber(Role.mayors_office)
    with count_statements() as many:
        assert queue_weekly_digests(MOMENT + timedelta(days=7)) == 10
    db.session.commit()

    # Eight more users cost at most two statements each (one look-up inside
    # queue_mail, one insert): the window is listed once per audience, not
    # once per user.
    assert len(many) - len(few) <= 8 * 2
