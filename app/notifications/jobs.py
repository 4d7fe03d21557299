"""Scheduler ticks. APScheduler only ticks; the database holds the truth (STYLE.md section 7)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from app.auth.services import purge_expired_account_records
from app.calendar.moderation import notify_moderators
from app.calendar.submissions import purge_unconfirmed_submissions
from app.core.db import db, utcnow
from app.delegations.reminders import queue_due_reminders
from app.notifications.digest import queue_weekly_digests
from app.outbox.delivery import deliver_due_mail
from app.outbox.mail import parse_smtp_url

logger = logging.getLogger(__name__)


def job_purge_expired_account_records(app: Flask) -> None:
    """Delete spent links and old log-in attempts."""
    with app.app_context():
        counts = purge_expired_account_records(now=utcnow())
        db.session.commit()
        logger.info("purged %s", counts)


def job_notify_moderators(app: Flask) -> None:
    """Mail the admins one batched notice about submissions new to the queue."""
    with app.app_context():
        sent = notify_moderators(now=utcnow())
        db.session.commit()
        logger.info("queued %s moderators' notices", sent)


def job_purge_unconfirmed_submissions(app: Flask) -> None:
    """Delete submissions whose submitters never confirmed their address."""
    with app.app_context():
        count = purge_unconfirmed_submissions(now=utcnow())
        db.session.commit()
        logger.info("purged %s unconfirmed submissions", count)


def job_deliver_outbox(app: Flask) -> None:
    """Send the due outbox mails to SMTP_URL; without it, mail stays in the outbox."""
    with app.app_context():
        config = app.config
        if not config["SMTP_URL"]:
            return
        deliver_due_mail(
            parse_smtp_url(config["SMTP_URL"]),
            sender=config["MAIL_FROM"],
            now=utcnow(),
            limit=int(config["OUTBOX_BATCH"]),
        )


def job_queue_due_reminders(app: Flask) -> None:
    """Turn the reminders now due into outbox mails."""
    with app.app_context():
        queue_due_reminders(now=utcnow())
        db.session.commit()


def job_queue_weekly_digests(app: Flask) -> None:
    """Queue the weekly digest on Monday morning; later ticks that week find it queued."""
    with app.app_context():
        queued = queue_weekly_digests(now=utcnow())
        db.session.commit()
        if queued:
            logger.info("queued %s weekly digests", queued)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """Return a scheduler with an in-memory job store and every tick registered.

    It runs in a thread of its own once started: `flask jobs run` waits for a
    signal in the main thread and then shuts it down, once.
    """
    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    config = app.config
    ticks: list[tuple[Callable[[Flask], None], timedelta, int]] = [
        # job, interval, seconds after start of its first run
        (job_purge_expired_account_records, timedelta(hours=1), 5),
        (
            job_notify_moderators,
            timedelta(minutes=config["MODERATORS_NOTICE_MINUTES"]),
            15,
        ),
        (
            job_purge_unconfirmed_submissions,
            timedelta(minutes=config["SUBMISSION_PURGE_MINUTES"]),
            25,
        ),
        (job_queue_due_reminders, timedelta(minutes=1), 10),
        # Every few minutes rather than a cron trigger at 08:00: a scheduler
        # that was down at 08:00 still sends the digest when it comes back.
        (job_queue_weekly_digests, timedelta(minutes=5), 20),
        (
            job_deliver_outbox,
            timedelta(seconds=config["OUTBOX_DELIVERY_SECONDS"]),
            2,
        ),
    ]
    for job, interval, first_in in ticks:
        scheduler.add_job(
            job,
            "interval",
            seconds=interval.total_seconds(),
            args=[app],
            id=job.__name__.removeprefix("job_"),
            next_run_time=utcnow() + timedelta(seconds=first_in),
            # A missed tick runs once, late, rather than piling up; the
            # database says what is due, so nothing is lost.
            coalesce=True,
            max_instances=1,
            misfire_grace_time=300,
        )
    return scheduler
