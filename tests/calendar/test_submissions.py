"""Submission services: confirmation tokens, receipts, members, trusted organisations, purging."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.calendar.models import Event, Submission, SubmissionState
from app.calendar.submissions import (
    ConfirmOutcome,
    SubmissionData,
    confirm_submission,
    create_submission,
    purge_unconfirmed_submissions,
)
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.outbox.models import OutboxMail
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

START = NOW + timedelta(days=14)
_LINK = re.compile(r"http://vertskap\.test(/submissions/confirm/[A-Za-z0-9_-]+)")


def _data(**changes: Any) -> SubmissionData:
    values: dict[str, Any] = {
        "title": "Indian film evening",
        "description": "Films from *Kerala*, with an introduction.",
        "start_dt": START,
        "end_dt": START + timedelta(hours=3),
        "timezone": "Europe/Oslo",
        "location": "Cinemateket, Trondheim",
        "organiser_name": "Friends of Indian Film",
        "url": "https://example.org/film",
        "submitter_name": "Priya Nair",
        "submitter_email": "priya@example.org",
    }
    values.update(changes)
    return SubmissionData(**values)


def _mails() -> list[OutboxMail]:
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def _submit(**changes: Any) -> tuple[Submission, str]:
    submission, token = create_submission(_data(**changes), locale="en", now=NOW)
    db.session.commit()
    assert token is not None
    return submission, token


def test_anonymous_submission_waits_for_confirmation_with_a_hashed_token(app):
    submission, token = _submit()

    assert submission.state is SubmissionState.unconfirmed
    assert submission.email_confirmed_dt is None
    assert len(token) >= 22  # at least 128 random bits in URL-safe base64
    assert (
        submission.confirmation_token_hash == hashlib.sha256(token.encode()).hexdigest()
    )
    assert submission.locale == "en"
    assert submission.organiser_name == "Friends of Indian Film"


def test_anonymous_submission_queues_one_confirmation_mail_with_its_link(app):
    _submission, token = _submit()

    (mail,) = _mails()

    assert (mail.kind, mail.recipient, mail.locale) == (
        "submission_confirm",
        "priya@example.org",
        "en",
    )
    assert mail.subject == "Confirm your proposed event: Indian film evening"
    assert _LINK.findall(mail.body_text) == [f"/submissions/confirm/{token}"]
    assert f'href="http://vertskap.test/submissions/confirm/{token}"' in mail.body_html
    assert "48 hours" in mail.body_text


def test_confirming_moves_to_pending_and_queues_a_receipt(app):
    submission, token = _submit()
    later = NOW + timedelta(hours=2)

    confirmation = confirm_submission(token, now=later)
    db.session.commit()

    assert confirmation.outcome is ConfirmOutcome.confirmed
    assert confirmation.submission is not None
    assert confirmation.submission.id == submission.id
    db.session.refresh(submission)
    assert (submission.state, submission.email_confirmed_dt) == (
        SubmissionState.pending,
        later,
    )
    assert [(m.kind, m.recipient) for m in _mails()] == [
        ("submission_confirm", "priya@example.org"),
        ("submission_received", "priya@example.org"),
    ]
    receipt = _mails()[1]
    assert receipt.subject == "We have received your event: Indian film evening"
    assert "Cinemateket, Trondheim" in receipt.body_text
    assert "Films from Kerala, with an introduction." in receipt.body_text
    assert "<em>Kerala</em>" in receipt.body_html
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .filter_by(object_type="submissions", object_id=submission.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["submitted", "confirmed"]


def test_confirmation_link_works_once(app):
    submission, token = _submit()
    confirm_submission(token, now=NOW + timedelta(hours=1))
    db.session.commit()

    again = confirm_submission(token, now=NOW + timedelta(hours=3))
    db.session.commit()

    assert again.outcome is ConfirmOutcome.already_confirmed
    db.session.refresh(submission)
    assert submission.email_confirmed_dt == NOW + timedelta(hours=1)
    assert [m.kind for m in _mails()] == ["submission_confirm", "submission_received"]


def test_confirmation_link_expires_after_the_configured_hours(app):
    submission, token = _submit()

    late = confirm_submission(token, now=NOW + timedelta(hours=48))
    db.session.commit()

    assert (late.outcome, late.submission) == (ConfirmOutcome.invalid, None)
    db.session.refresh(submission)
    assert submission.state is SubmissionState.unconfirmed
    assert [m.kind for m in _mails()] == ["submission_confirm"]


def test_confirmation_link_works_just_before_it_expires(app):
    _submission, token = _submit()

    result = confirm_submission(token, now=NOW + timedelta(hours=47, minutes=59))

    assert result.outcome is ConfirmOutcome.confirmed


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 500])
def test_unknown_confirmation_token_is_invalid(app, token):
    _submit()

    result = confirm_submission(token, now=NOW)

    assert (result.outcome, result.submission) == (ConfirmOutcome.invalid, None)


def test_member_submission_skips_confirmation_and_gets_a_receipt(
    app, create_user, create_organisation
):
    member = create_user(
        "mats@example.org", name="Mats Member", organisation=create_organisation()
    )

    submission, token = create_submission(
        _data(submitter_name="ignored", submitter_email="ignored@example.org"),
        submitter_user=member,
        locale="nb",
        now=NOW,
    )
    db.session.commit()

    assert token is None
    assert submission.state is SubmissionState.pending
    assert submission.confirmation_token_hash is None
    assert submission.email_confirmed_dt == NOW
    assert (
        submission.submitter_user_id,
        submission.submitter_name,
        submission.submitter_email,
    ) == (member.id, "Mats Member", "mats@example.org")
    assert [(m.kind, m.recipient, m.locale) for m in _mails()] == [
        ("submission_received", "mats@example.org", "nb")
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_trusted_member_publishes_at_once(app, create_user, create_organisation):
    trusted = create_organisation("NTNU", is_trusted=True)
    member = create_user("trude@example.org", name="Trude", organisation=trusted)

    submission, token = create_submission(
        _data(organiser_id=trusted.id, organiser_name=""),
        submitter_user=member,
        locale="en",
        now=NOW,
    )
    db.session.commit()

    assert token is None
    assert submission.state is SubmissionState.approved
    assert (submission.decided_dt, submission.moderator_id) == (NOW, None)
    event = db.session.get(Event, submission.event_id)
    assert event is not None
    assert (
        event.title,
        event.visibility,
        event.start_dt,
        event.end_dt,
        event.organiser_id,
        event.url,
    ) == (
        "Indian film evening",
        Visibility.public,
        START,
        START + timedelta(hours=3),
        trusted.id,
        "https://example.org/film",
    )
    (receipt,) = _mails()
    assert receipt.subject == "Your event is published: Indian film evening"
    assert f"http://vertskap.test/events/{event.id}" in receipt.body_text


def test_untrusted_organisation_of_a_member_does_not_publish(
    app, create_user, create_organisation
):
    member = create_user(organisation=create_organisation(is_trusted=False))

    submission, _ = create_submission(
        _data(), submitter_user=member, locale="en", now=NOW
    )

    assert submission.state is SubmissionState.pending
    assert submission.event_id is None


def test_purge_deletes_only_old_unconfirmed_submissions(app):
    _old, _ = _submit(title="Old and unconfirmed")
    _old_confirmed, token = _submit(title="Old but confirmed")
    confirm_submission(token, now=NOW + timedelta(hours=1))
    _recent, _ = create_submission(
        _data(title="Recent"), locale="en", now=NOW + timedelta(days=3)
    )
    db.session.commit()

    count = purge_unconfirmed_submissions(now=NOW + timedelta(days=7, minutes=1))
    db.session.commit()

    assert count == 1
    titles = db.session.scalars(sa.select(Submission.title).order_by(Submission.id))
    assert list(titles) == ["Old but confirmed", "Recent"]


def test_submitted_text_is_escaped_in_the_html_mails_and_plain_in_the_text(app):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    _, token = _submit(
        title=payload,
        submitter_name=payload,
        location=payload,
        description=payload + " [link](javascript:alert(1))",
    )
    confirm_submission(token, now=NOW + timedelta(minutes=5))
    db.session.commit()

    for mail in _mails():
        assert "<script" not in mail.body_html
        assert "<img" not in mail.body_html
        assert 'href="javascript' not in mail.body_html
        assert "&lt;script&gt;" in mail.body_html
        assert payload in mail.body_text


def test_a_submission_after_a_purge_gets_its_own_mail(app):
    _submit(title="Never confirmed")
    purge_unconfirmed_submissions(now=NOW + timedelta(days=8))
    db.session.commit()

    later = NOW + timedelta(days=8)
    _, token = create_submission(_data(title="Next one"), locale="en", now=later)
    db.session.commit()

    subjects = [mail.subject for mail in _mails()]
    assert subjects == [
        "Confirm your proposed event: Never confirmed",
        "Confirm your proposed event: Next one",
    ]
    assert token in _mails()[1].body_text
