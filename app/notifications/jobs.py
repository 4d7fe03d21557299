"""Scheduler ticks. APScheduler only ticks; the database holds the truth (STYLE.md section 7)."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.auth.services import purge_expired_account_records
from app.calendar.moderation import notify_moderators
from app.calendar.submissions import purge_unconfirmed_submissions
from app.core.db import db, utcnow
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


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Return a scheduler with an in-memory job store and every tick registered."""
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    scheduler.add_job(
        job_purge_expired_account_records,
        "interval",
        hours=1,
        args=[app],
        id="purge_expired_account_records",
        next_run_time=utcnow() + timedelta(seconds=5),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=300,
    )
    scheduler.add_job(
        job_notify_moderators,
        "interval",
        minutes=app.config["MODERATORS_NOTICE_MINUTES"],
        args=[app],
        id="notify_moderators",
        next_run_time=utcnow() + timedelta(seconds=15),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=300,
    )
    scheduler.add_job(
        job_purge_unconfirmed_submissions,
        "interval",
        minutes=app.config["SUBMISSION_PURGE_MINUTES"],
        args=[app],
        id="purge_unconfirmed_submissions",
        next_run_time=utcnow() + timedelta(seconds=25),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=300,
    )
    scheduler.add_job(
        job_deliver_outbox,
        "interval",
        seconds=app.config["OUTBOX_DELIVERY_SECONDS"],
        args=[app],
        id="deliver_outbox",
        next_run_time=utcnow() + timedelta(seconds=2),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=300,
    )
    return scheduler
