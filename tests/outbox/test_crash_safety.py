"""The sender killed at random points of a batch and restarted: nothing is lost (issue 6).

The sender runs as a real process, `flask --app app mail deliver --until-empty`,
against an SMTP server in this process that notes every Message-ID it accepts.
SIGKILL gives the sender no chance to tidy up: what it held stays claimed until
the claim (one second here) runs out, and the next sender takes it over.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.core.db import db
from app.outbox.models import MailState, OutboxMail
from tests.fixtures.mail_processes import (
    Recorder,
    flask_command,
    outbox_states,
    queue_test_mails,
    recording_smtp_server,
)

pytestmark = pytest.mark.integration

MAILS = 200
KILLS = 4
#: Seconds a claim lasts in the sender processes of these tests.
CLAIM_SECONDS = 1
#: The server takes this long to accept each mail, so a batch spans time.
ACCEPT_SECONDS = 0.01
SEED = 6


def _wait_for(condition: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def _kill_mid_batch(
    app: Flask, recorder: Recorder, settings: dict[str, str], rng: random.Random
) -> None:
    """Start a sender, let it send for a random moment, and SIGKILL it."""
    before = recorder.count()
    sender = flask_command(app, "mail", "deliver", "--until-empty", settings=settings)
    try:
        _wait_for(
            lambda: recorder.count() > before or sender.poll() is not None,
            timeout=20,
            what="the sender to start sending",
        )
        time.sleep(rng.uniform(0, 0.4))
        assert sender.poll() is None, "the sender finished before it could be killed"
        sender.send_signal(signal.SIGKILL)
    finally:
        sender.kill()
        sender.wait(timeout=10)
    assert sender.returncode == -signal.SIGKILL


def test_a_sender_killed_mid_batch_loses_nothing_and_repeats_only_accepted_mail(
    app: Flask, backend: str, tmp_path: Path
) -> None:
    queued = queue_test_mails(MAILS)
    recorder = Recorder(delay=ACCEPT_SECONDS)
    rng = random.Random(SEED)  # noqa: S311 - a repeatable schedule of kills, not a secret

    with recording_smtp_server(recorder) as smtp_url:
        settings = {"SMTP_URL": smtp_url, "OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS)}
        held_after_kills = []
        for _ in range(KILLS):
            _kill_mid_batch(app, recorder, settings, rng)
            held_after_kills.append(outbox_states().get(MailState.sending, 0))
        reports = []
        while outbox_states() != {MailState.sent: MAILS} and len(reports) < 3:
            if reports:
                # Mail a killed sender held is due again once its claim ran out.
                time.sleep(CLAIM_SECONDS)
            log = tmp_path / f"run-{len(reports)}.log"
            sender = flask_command(
                app, "mail", "deliver", "--until-empty", settings=settings, log=log
            )
            assert sender.wait(timeout=60) == 0, log.read_text()
            reports.append(log.read_text().strip().splitlines()[-1])

    arrivals = Counter(recorder.message_ids)
    repeated = {mid: n for mid, n in arrivals.items() if n > 1}
    assert set(arrivals) == queued
    assert set(repeated.values()) <= {2}
    assert len(repeated) <= KILLS
    assert {report.split(", ", 1)[1] for report in reports} == {
        "retrying later 0, failed 0"
    }
    # At least one kill left claimed mail behind for a later sender to take over.
    assert max(held_after_kills) > 0
    _assert_every_row_sent_and_whole(MAILS, backend)


def _assert_every_row_sent_and_whole(count: int, backend: str) -> None:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMail)).all()
    assert len(rows) == count
    assert {
        (
            row.state,
            row.sent_dt is not None,
            row.claimed_until_dt,
            row.last_response[:4],
            row.attempts >= 1,
        )
        for row in rows
    } == {(MailState.sent, True, None, "250 ", True)}
    if backend == "sqlite":
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
