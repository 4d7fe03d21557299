from datetime import timedelta

import pytest

from app.auth.models import LoginAttempt, TokenPurpose, UserToken
from app.auth.services import purge_expired_account_records
from app.core.db import db
from app.notifications.jobs import build_scheduler, job_purge_expired_account_records
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def test_scheduler_registers_its_ticks_without_starting(app):
    scheduler = build_scheduler(app)

    assert sorted(job.id for job in scheduler.get_jobs()) == [
        "deliver_outbox",
        "notify_moderators",
        "purge_expired_account_records",
        "purge_unconfirmed_submissions",
        "queue_due_reminders",
        "queue_weekly_digests",
    ]


def test_purge_deletes_only_old_attempts_and_spent_links(app, create_user):
    user = create_user()
    db.session.add_all(
        [
            LoginAttempt(
                email=user.email,
                address="127.0.0.1",
                attempted_dt=NOW - timedelta(days=31),
                succeeded=False,
            ),
            LoginAttempt(
                email=user.email,
                address="127.0.0.1",
                attempted_dt=NOW - timedelta(days=1),
                succeeded=False,
            ),
            UserToken(
                user=user,
                purpose=TokenPurpose.password_reset,
                token_hash="a" * 64,
                created_dt=NOW - timedelta(days=9),
                expires_dt=NOW - timedelta(days=8),
            ),
            UserToken(
                user=user,
                purpose=TokenPurpose.password_reset,
                token_hash="b" * 64,
                created_dt=NOW,
                expires_dt=NOW + timedelta(hours=1),
            ),
        ]
    )
    db.session.commit()

    counts = purge_expired_account_records(now=NOW)
    db.session.commit()

    assert counts == {"login_attempts": 1, "user_tokens": 1}
    assert db.session.query(LoginAttempt).count() == 1
    assert [t.token_hash for t in db.session.query(UserToken)] == ["b" * 64]


def test_purge_job_runs_in_its_own_app_context(app, create_user):
    user = create_user()
    db.session.add(
        LoginAttempt(
            email=user.email,
            address="::1",
            attempted_dt=NOW - timedelta(days=400),
            succeeded=True,
        )
    )
    db.session.commit()

    job_purge_expired_account_records(app)

    db.session.expire_all()
    assert db.session.query(LoginAttempt).count() == 0
