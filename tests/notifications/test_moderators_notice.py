"""The moderators' batched notice, the decision mails, what others may see, and who reaches the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Submission, SubmissionState
from app.calendar.moderation import (
    RejectReason,
    approve,
    mark_spam,
    notify_moderators,
    reject,
)
from app.core.db import db
from app.core.visibility import Visibility
from app.notifications.jobs import build_scheduler, job_notify_moderators
from app.outbox.models import OutboxMail
from tests.calendar.test_moderation import make_submission
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def _notices() -> list[OutboxMail]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.kind == "submissions_waiting")
            .order_by(OutboxMail.id)
        )
    )


@pytest.fixture
def admins(create_user):
    return [
        create_user("ada@forum.example", role=Role.admin, locale="en", name="Ada"),
        create_user("bo@forum.example", role=Role.admin, locale="nb", name="Bo"),
    ]


def test_new_submissions_are_announced_in_one_mail_per_admin(app, admins, create_user):
    create_user("gone@forum.example", role=Role.admin).is_active = False
    create_user("mayor@forum.example", role=Role.mayors_office)
    create_user("member@forum.example", role=Role.member)
    titles = ["Language café", "Christmas market", "Film night"]
    for n, title in enumerate(titles):
        make_submission(title, created=NOW - timedelta(minutes=30 - n))
    make_submission("Not confirmed yet", state=SubmissionState.unconfirmed)

    sent = notify_moderators(now=NOW)
    db.session.commit()

    notices = _notices()
    assert sent == 2
    assert [m.recipient for m in notices] == ["ada@forum.example", "bo@forum.example"]
    english, norwegian = notices
    assert english.locale == "en"
    assert norwegian.locale == "nb"
    assert english.subject == "New event proposals to moderate: 3"
    for mail in notices:
        for title in titles:
            assert title in mail.body_text
            assert title in mail.body_html
        assert "Not confirmed yet" not in mail.body_text
        assert "http://vertskap.test/admin/submissions" in mail.body_text
    assert english.body_text.index("Language café") < english.body_text.index(
        "Film night"
    )
    assert all(
        s.moderators_notified_dt == NOW
        for s in db.session.scalars(
            sa.select(Submission).where(Submission.state == SubmissionState.pending)
        )
    )


def test_a_later_submission_gets_a_notice_of_its_own_and_nothing_repeats(app, admins):
    for title in ("One", "Two", "Three"):
        make_submission(title)
    notify_moderators(now=NOW)
    db.session.commit()

    assert notify_moderators(now=NOW + timedelta(minutes=10)) == 0
    make_submission("Fourth proposal", created=NOW + timedelta(minutes=15))
    assert notify_moderators(now=NOW + timedelta(minutes=20)) == 2
    db.session.commit()

    notices = _notices()
    assert len(notices) == 4
    later = [m for m in notices if "Fourth proposal" in m.body_text]
    assert len(later) == 2
    for mail in later:
        assert "Three" not in mail.body_text
        assert mail.subject.endswith(": 1")


def test_the_notice_is_idempotent_for_the_same_batch(app, admins):
    make_submission("One")
    notify_moderators(now=NOW)
    # As if a second scheduler process saw the same rows before the first committed.
    db.session.execute(sa.update(Submission).values(moderators_notified_dt=None))

    notify_moderators(now=NOW + timedelta(minutes=1))
    db.session.commit()

    assert len(_notices()) == 2


def test_the_notice_job_runs_in_its_own_app_context_and_is_scheduled(app, admins):
    make_submission("Film night")

    job_notify_moderators(app)

    assert len(_notices()) == 2
    ids = [job.id for job in build_scheduler(app).get_jobs()]
    assert {"notify_moderators", "purge_unconfirmed_submissions"} <= set(ids)


def test_rejection_mail_carries_the_reason_in_the_submitters_language(app, admins):
    submission = make_submission("Kakebasar", locale="nb")

    reject(
        submission.id,
        reason=RejectReason.insufficient,
        note="Hvem arrangerer?",
        actor_id=admins[0].id,
        now=NOW,
    )
    db.session.commit()

    mail = db.session.scalars(sa.select(OutboxMail)).one()
    assert (mail.kind, mail.recipient, mail.locale) == (
        "submission_decided",
        "siri@partner.example",
        "nb",
    )
    assert "Innsendingen gir ikke nok informasjon." in mail.body_text
    assert "Hvem arrangerer?" in mail.body_text
    assert "Kakebasar" in mail.subject


def test_spam_sends_no_mail_at_all(app, admins):
    submission = make_submission()

    mark_spam(submission.id, actor_id=admins[0].id, now=NOW)
    notify_moderators(now=NOW)
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0


def test_only_the_approved_event_shows_and_with_its_visibility(
    app, client, admins, create_user, login
):
    approved = make_submission("Approved harbour walk")
    make_submission("Pending harbour walk")
    rejected = make_submission("Rejected harbour walk")
    spam = make_submission("Spammy harbour walk")
    event = approve(
        approved.id, visibility=Visibility.forum, actor_id=admins[0].id, now=NOW
    )
    reject(rejected.id, reason=RejectReason.duplicate, actor_id=admins[0].id, now=NOW)
    mark_spam(spam.id, actor_id=admins[0].id, now=NOW)
    db.session.commit()
    hidden = ("Pending harbour walk", "Rejected harbour walk", "Spammy harbour walk")
    paths = [
        "/",
        "/upcoming",
        "/calendar?view=list&date=2026-12-08",
        "/calendar/entries.json?start=2026-11-30&end=2027-01-11",
        f"/events/{event.id}",
    ]

    anonymous = {path: client.get(path) for path in paths}
    login(create_user(role=Role.member))
    member = {path: client.get(path) for path in paths}

    assert anonymous[f"/events/{event.id}"].status_code == 404
    assert member[f"/events/{event.id}"].status_code == 200
    assert "Approved harbour walk" in member["/upcoming"].get_data(as_text=True)
    listed = member["/calendar?view=list&date=2026-12-08"].get_data(as_text=True)
    assert "Approved harbour walk" in listed
    assert "Approved harbour walk" not in anonymous["/upcoming"].get_data(as_text=True)
    for response in (*anonymous.values(), *member.values()):
        page = response.get_data(as_text=True)
        assert not any(title in page for title in hidden)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, 302),
        (Role.member, 403),
        (Role.mayors_office, 403),
        (Role.admin, None),
    ],
)
def test_every_role_reaches_the_queue_pages_as_it_should(
    app, client, create_user, login, role, expected
):
    submission = make_submission()
    if role is not None:
        login(create_user(role=role))
    base = f"/admin/submissions/{submission.id}"

    codes = [
        client.get("/admin/submissions").status_code,
        client.get("/admin/submissions?state=spam").status_code,
        client.get(base).status_code,
        client.get(f"{base}/edit").status_code,
        client.post(f"{base}/approve", data={"visibility": "public"}).status_code,
        client.post(f"{base}/reject", data={"reason": "duplicate"}).status_code,
        client.post(f"{base}/spam").status_code,
    ]

    if expected is None:
        # The admin: pages open; the first decision wins, the later two are told so.
        assert codes == [200, 200, 200, 200, 302, 302, 302]
        db.session.expire_all()
        assert (
            db.session.get(Submission, submission.id).state is SubmissionState.approved
        )
    else:
        assert codes == [expected] * 7
        db.session.expire_all()
        assert (
            db.session.get(Submission, submission.id).state is SubmissionState.pending
        )
    if role is None:
        response = client.get("/admin/submissions")
        assert response.headers["Location"].startswith("/login")
