"""Scheduler ticks. APScheduler only ticks; the database holds the truth (STYLE.md section 7)."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.auth.services import purge_expired_account_records
from app.core.db import db, utcnow

logger = logging.getLogger(__name__)


def job_purge_expired_account_records(app: Flask) -> None:
    """Delete spent links and old log-in attempts."""
    with app.app_context():
        counts = purge_expired_account_records(now=utcnow())
        db.session.commit()
        logger.info("purged %s", counts)


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
    return scheduler
