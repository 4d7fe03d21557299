"""Two scheduler processes on PostgreSQL deliver 1,000 queued mails with no duplicate (issue 6).

Both are real `flask --app app jobs run` processes, configured as a deployment
would be (VERTSKAP_ENV=production), ticking the outbox every second in batches
of 50. PostgreSQL only: SQLite has one writer at a time and is not deployed
with several schedulers.
"""

from __future__ import annotations

import re
import secrets
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask

from app.outbox.models import MailState
from tests.fixtures.mail_processes import (
    Recorder,
    flask_command,
    outbox_states,
    queue_test_mails,
    recording_smtp_server,
)

pytestmark = pytest.mark.integration

MAILS = 1000
BATCH = 50
#: The sender's log line after each batch (app.outbox.delivery).
SENT_LINE = re.compile(r"outbox delivery: claimed \d+, sent (\d+),")


def _sent_by(log: Path) -> int:
    return sum(int(n) for n in SENT_LINE.findall(log.read_text()))


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_two_schedulers_deliver_every_mail_once(app: Flask, tmp_path: Path) -> None:
    # How fast queueing is, bench/mail.py measures; a busy machine must not fail this.
    queued = queue_test_mails(MAILS)
    recorder = Recorder()

    with recording_smtp_server(recorder) as smtp_url:
        settings = {
            "VERTSKAP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SMTP_URL": smtp_url,
            "OUTBOX_DELIVERY_SECONDS": "1",
            "OUTBOX_BATCH": str(BATCH),
        }
        logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
        schedulers = [
            flask_command(app, "jobs", "run", settings=settings, log=log)
            for log in logs
        ]
        try:
            # A bound on the wait, not a speed target: the loop ends once all are sent.
            deadline = time.monotonic() + 120
            while (
                len(set(recorder.message_ids)) < MAILS
                or outbox_states() != {MailState.sent: MAILS}
            ) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            for scheduler in schedulers:
                scheduler.send_signal(signal.SIGTERM)
            codes = [scheduler.wait(timeout=15) for scheduler in schedulers]

    arrivals = Counter(recorder.message_ids)
    sent_by = [_sent_by(log) for log in logs]
    assert codes == [0, 0]
    assert set(arrivals) == queued
    assert max(arrivals.values()) == 1
    assert outbox_states() == {MailState.sent: MAILS}
    assert sum(sent_by) == MAILS
    assert min(sent_by) > 0, f"one scheduler sent everything: {sent_by}"
