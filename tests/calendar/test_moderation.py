"""The moderation services: the queue, similar events, edits and the three decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Event, Submission, SubmissionState
from app.calendar.moderation import (
    AlreadyDecidedError,
    ModerationError,
    RejectReason,
    approve,
    count_by_state,
    list_queue,
    mark_spam,
    reject,
    update_submission,
)
from app.calendar.similar import (
    flag_similar,
    similar_events,
    similar_submissions,
    titles_similar,
)
from app.calendar.submissions import ProposedEvent
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.outbox.models import OutboxMail
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

#: A Tuesday evening in Trondheim, 18:00-20:00 local time (UTC+1 in December).
START = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)


def make_submission(
    title: str = "Christmas market for newcomers",
    *,
    state: SubmissionState = SubmissionState.pending,
    start: datetime = START,
    hours: float = 2,
    created: datetime = NOW,
    **kwargs: Any,
) -> Submission:
    """Add a submission in `state` directly (the public form is tested elsewhere)."""
    submission = Submission(
        title=title,
        description=kwargs.pop("description", "Hot *drinks* and stalls."),
        start_dt=start,
        end_dt=start + timedelta(hours=hours),
        timezone=kwargs.pop("timezone", "Europe/Oslo"),
        location=kwargs.pop("location", "Torvet, Trondheim"),
        submitter_name=kwargs.pop("submitter_name", "Siri Submitter"),
        submitter_email=kwargs.pop("submitter_email", "siri@partner.example"),
        locale=kwargs.pop("locale", "nb"),
        state=state,
        created_dt=created,
        email_confirmed_dt=created,
        **kwargs,
    )
    if state in {
        SubmissionState.approved,
        SubmissionState.rejected,
        SubmissionState.spam,
    }:
        submission.decided_dt = created
    if state is SubmissionState.rejected:
        submission.reject_reason = "Earlier reason"
    db.session.add(submission)
    db.session.commit()
    return submission


def _mails(kind: str | None = None) -> list[OutboxMail]:
    query = sa.select(OutboxMail).order_by(OutboxMail.id)
    if kind:
        query = query.where(OutboxMail.kind == kind)
    return list(db.session.scalars(query))


def _audit(submission_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(
                AuditEntry.object_type == "submissions",
                AuditEntry.object_id == submission_id,
            )
            .order_by(AuditEntry.id)
        )
    )


# ---- the queue -------------------------------------------------------------


def test_queue_lists_pending_oldest_first_and_history_by_state(app):
    newer = make_submission("Newer", created=NOW - timedelta(hours=1))
    older = make_submission("Older", created=NOW - timedelta(days=2))
    approved = make_submission("Approved one", state=SubmissionState.approved)
    rejected = make_submission("Rejected one", state=SubmissionState.rejected)
    spam = make_submission("Spam one", state=SubmissionState.spam)
    make_submission("Never confirmed", state=SubmissionState.unconfirmed)
    make_submission("Taken back", state=SubmissionState.withdrawn)

    pending, total = list_queue(page=1, per_page=10)
    everything, all_total = list_queue(None, page=1, per_page=10)

    assert [s.id for s in pending] == [older.id, newer.id]
    assert total == 2
    assert [s.id for s in everything[:2]] == [older.id, newer.id]
    assert {s.id for s in everything[2:]} == {approved.id, rejected.id, spam.id}
    assert all_total == 5
    for state, expected in (
        (SubmissionState.approved, approved),
        (SubmissionState.rejected, rejected),
        (SubmissionState.spam, spam),
    ):
        rows, count = list_queue(state, page=1, per_page=10)
        assert ([s.id for s in rows], count) == ([expected.id], 1)
    assert count_by_state() == {
        SubmissionState.pending: 2,
        SubmissionState.approved: 1,
        SubmissionState.rejected: 1,
        SubmissionState.spam: 1,
    }


def test_queue_is_paginated(app):
    for n in range(5):
        make_submission(f"Proposal {n}", created=NOW - timedelta(hours=10 - n))

    first, total = list_queue(page=1, per_page=2)
    third, _ = list_queue(page=3, per_page=2)

    assert total == 5
    assert [s.title for s in first] == ["Proposal 0", "Proposal 1"]
    assert [s.title for s in third] == ["Proposal 4"]


# ---- similar events --------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "similar"),
    [
        ("Christmas market for newcomers", "CHRISTMAS MARKET for Newcomers", True),
        (
            "Christmas market for newcomers",
            "Christmas market, newcomers' edition",
            True,
        ),
        ("Nordens dag", "Nordens dag 2026", True),
        ("Christmas market for newcomers", "Budget meeting", False),
        ("", "Budget meeting", False),
    ],
)
def test_titles_similar(first, second, similar):
    assert titles_similar(first, second) is similar


def test_similar_events_finds_same_day_lookalikes_and_same_place_and_start(
    app, create_event
):
    same_day = create_event(
        "Christmas Market for Newcomers", start=START + timedelta(hours=1)
    )
    same_place = create_event(
        "Something else entirely", start=START, location="torvet,  Trondheim"
    )
    create_event("Christmas market for newcomers", start=START + timedelta(days=2))
    create_event("Budget meeting", start=START)
    hidden = create_event(
        "christmas market for newcomers",
        start=START - timedelta(hours=3),
        visibility=Visibility.internal,
    )
    submission = make_submission()

    found = similar_events(submission)

    assert {e.id for e in found} == {same_day.id, same_place.id, hidden.id}


def test_similar_events_sees_an_occurrence_of_an_older_series(app, create_event):
    # A weekly Tuesday meeting that began in September has an occurrence on 8 December.
    series = create_event(
        "Christmas market for newcomers",
        start=datetime(2026, 9, 1, 16, 0, tzinfo=UTC),
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )
    create_event(
        "Christmas market for newcomers",
        start=datetime(2026, 9, 2, 16, 0, tzinfo=UTC),
        rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=3",
    )
    submission = make_submission()

    assert [e.id for e in similar_events(submission)] == [series.id]


def test_similar_submissions_and_flags_for_the_queue(app):
    first = make_submission()
    twin = make_submission("Christmas market for newcomers!", submitter_name="Other")
    make_submission("Christmas market for newcomers", state=SubmissionState.spam)
    lonely = make_submission("Language café", start=START + timedelta(days=5))

    assert [s.id for s in similar_submissions(first)] == [twin.id]
    assert similar_submissions(lonely) == []
    assert flag_similar([first, twin, lonely]) == {first.id, twin.id}


# ---- editing ---------------------------------------------------------------


def _data(submission: Submission, **changes: Any) -> ProposedEvent:
    values = {
        name: getattr(submission, name) for name in ProposedEvent.__dataclass_fields__
    }
    values.update(changes)
    return ProposedEvent(**values)


def test_update_submission_changes_a_pending_one_and_audits_the_change(
    app, create_user
):
    admin = create_user(role=Role.admin)
    submission = make_submission()

    update_submission(
        submission,
        _data(
            submission, title="Christmas market", start_dt=START + timedelta(hours=1)
        ),
        actor_id=admin.id,
        now=NOW,
    )
    db.session.commit()

    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "edited")
    ).one()
    db.session.expire_all()
    assert submission.title == "Christmas market"
    assert submission.start_dt == START + timedelta(hours=1)
    assert entry.actor_id == admin.id
    assert entry.changes["title"] == [
        "Christmas market for newcomers",
        "Christmas market",
    ]
    assert set(entry.changes) == {"title", "start_dt"}


def test_update_submission_refuses_a_decided_one(app, create_user):
    admin = create_user(role=Role.admin)
    submission = make_submission(state=SubmissionState.approved)

    with pytest.raises(AlreadyDecidedError):
        update_submission(
            submission, _data(submission, title="Changed"), actor_id=admin.id, now=NOW
        )
    db.session.rollback()

    assert db.session.get(Submission, submission.id).title != "Changed"


# ---- decisions -------------------------------------------------------------


def test_an_organiser_named_by_the_partner_stays_on_the_event(
    app, client, create_user, create_organisation
):
    admin = create_user(role=Role.admin)
    named = make_submission(organiser_name="Trondheim Sjøfartsmuseum")
    listed = make_submission(
        "Nordens dag", organiser_id=create_organisation("NTNU", name="NTNU").id
    )

    first = approve(named.id, visibility=Visibility.public, actor_id=admin.id, now=NOW)
    second = approve(
        listed.id, visibility=Visibility.public, actor_id=admin.id, now=NOW
    )
    db.session.commit()

    assert (first.organiser_id, first.organiser_label) == (
        None,
        "Trondheim Sjøfartsmuseum",
    )
    assert (second.organiser_name, second.organiser_label) == ("", "NTNU")
    page = client.get(f"/events/{first.id}").get_data(as_text=True)
    assert "Trondheim Sjøfartsmuseum" in page


def test_approve_publishes_the_event_and_mails_the_submitter(app, create_user):
    admin = create_user(role=Role.admin)
    submission = make_submission(locale="en")

    event = approve(
        submission.id, visibility=Visibility.public, actor_id=admin.id, now=NOW
    )
    db.session.commit()

    db.session.expire_all()
    submission = db.session.get(Submission, submission.id)
    assert submission.state is SubmissionState.approved
    assert (submission.moderator_id, submission.decided_dt) == (admin.id, NOW)
    assert submission.event_id == event.id
    assert (event.title, event.visibility, event.start_dt) == (
        "Christmas market for newcomers",
        Visibility.public,
        START,
    )
    assert _audit(submission.id) == ["approved"]
    [mail] = _mails()
    assert (mail.kind, mail.recipient, mail.locale) == (
        "submission_decided",
        "siri@partner.example",
        "en",
    )
    assert mail.subject == "Your event is published: Christmas market for newcomers"
    assert f"http://vertskap.test/events/{event.id}" in mail.body_text
    assert f'href="http://vertskap.test/events/{event.id}"' in mail.body_html


@pytest.mark.parametrize(
    ("visibility", "member", "linked"),
    [
        (Visibility.forum, False, False),
        (Visibility.forum, True, True),
        (Visibility.internal, True, False),
    ],
)
def test_the_mail_links_the_event_only_if_the_submitter_can_open_it(
    app, create_user, visibility, member, linked
):
    admin = create_user(role=Role.admin)
    submitter = create_user("siri@partner.example") if member else None
    submission = make_submission(
        locale="en", submitter_user_id=submitter.id if submitter else None
    )

    event = approve(submission.id, visibility=visibility, actor_id=admin.id, now=NOW)

    [mail] = _mails()
    assert (f"/events/{event.id}" in mail.body_text) is linked
    assert ("has no public page" in mail.body_text) is not linked


def test_the_second_decision_loses_and_changes_nothing(app, create_user):
    first, second = (
        create_user(role=Role.admin, name="Ada"),
        create_user(role=Role.admin),
    )
    submission = make_submission()
    approve(submission.id, visibility=Visibility.public, actor_id=first.id, now=NOW)
    db.session.commit()

    for decide in (
        lambda: approve(
            submission.id, visibility=Visibility.public, actor_id=second.id, now=NOW
        ),
        lambda: reject(
            submission.id,
            reason=RejectReason.duplicate,
            actor_id=second.id,
            now=NOW,
        ),
        lambda: mark_spam(submission.id, actor_id=second.id, now=NOW),
    ):
        with pytest.raises(AlreadyDecidedError) as caught:
            decide()
        db.session.rollback()
        assert caught.value.state is SubmissionState.approved
        assert caught.value.moderator_name == "Ada"

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1
    assert len(_mails()) == 1
    assert db.session.get(Submission, submission.id).moderator_id == first.id


def test_reject_stores_the_stock_reason_in_the_submitters_language(app, create_user):
    admin = create_user(role=Role.admin, locale="en")
    norwegian = make_submission(locale="nb")
    english = make_submission("Another one", locale="en")

    reject(
        norwegian.id,
        reason=RejectReason.outside_region,
        note="Prøv kalenderen i Bodø.",
        actor_id=admin.id,
        now=NOW,
    )
    reject(english.id, reason=RejectReason.commercial, actor_id=admin.id, now=NOW)
    db.session.commit()

    db.session.expire_all()
    nb_reason = db.session.get(Submission, norwegian.id).reject_reason
    en_reason = db.session.get(Submission, english.id).reject_reason
    assert (
        nb_reason
        == "Arrangementet finner sted utenfor regionen.\n\nPrøv kalenderen i Bodø."
    )
    assert en_reason == "The calendar does not publish commercial advertising."
    nb_mail, en_mail = _mails()
    assert nb_mail.locale == "nb"
    assert "Arrangementet finner sted utenfor regionen." in nb_mail.body_text
    assert "Prøv kalenderen i Bodø." in nb_mail.body_html
    assert en_mail.subject == "Your event was not published: Another one"
    assert "commercial advertising" in en_mail.body_text
    assert _audit(norwegian.id) == ["rejected"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_reject_with_other_needs_a_note(app, create_user):
    admin = create_user(role=Role.admin)
    submission = make_submission()

    with pytest.raises(ModerationError):
        reject(
            submission.id,
            reason=RejectReason.other,
            note="  ",
            actor_id=admin.id,
            now=NOW,
        )

    assert db.session.get(Submission, submission.id).state is SubmissionState.pending


def test_spam_is_audited_and_mails_nobody(app, create_user):
    admin = create_user(role=Role.admin)
    submission = make_submission()

    mark_spam(submission.id, actor_id=admin.id, now=NOW)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Submission, submission.id).state is SubmissionState.spam
    assert _audit(submission.id) == ["spam"]
    assert _mails() == []


@pytest.mark.parametrize(
    "state", [SubmissionState.unconfirmed, SubmissionState.withdrawn]
)
def test_only_a_pending_submission_can_be_decided(app, create_user, state):
    admin = create_user(role=Role.admin)
    submission = make_submission(state=state)

    with pytest.raises(AlreadyDecidedError) as caught:
        approve(submission.id, visibility=Visibility.public, actor_id=admin.id, now=NOW)
    db.session.rollback()

    assert caught.value.state is state
    assert caught.value.decided_dt is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_markup_in_a_submission_stays_inert_in_the_decision_mail(app, create_user):
    admin = create_user(role=Role.admin)
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    submission = make_submission(payload, submitter_name=payload, locale="en")

    reject(
        submission.id,
        reason=RejectReason.other,
        note=payload,
        actor_id=admin.id,
        now=NOW,
    )

    [mail] = _mails()
    assert "<script>" not in mail.body_html
    assert "<img" not in mail.body_html
    assert "&lt;script&gt;" in mail.body_html
