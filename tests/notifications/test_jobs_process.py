"""`flask --app app jobs run` stops cleanly on Ctrl-C and SIGTERM, once or twice.

The real command runs as a process of its own. Ctrl-C in a terminal reaches
every process of its group, and `flask serve` (`make run`) then also sends its
scheduler SIGTERM: the scheduler gets both signals, in either order.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from flask import Flask

from tests.fixtures.mail_processes import flask_command

pytestmark = pytest.mark.integration

READY = "scheduler running; Ctrl-C or SIGTERM stops it"
STOPPED = "scheduler stopped"
#: Bounds on the waits: starting the app takes some seconds on a busy machine.
START_SECONDS = 60
STOP_SECONDS = 20


def _wait_for_line(log: Path, line: str) -> bool:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if line in log.read_text().splitlines():
            return True
        time.sleep(0.1)
    return False


# The signals, not the database, are under test: SQLite alone.
@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "signals",
    [
        [signal.SIGINT],
        [signal.SIGTERM],
        [signal.SIGINT, signal.SIGTERM],
        [signal.SIGTERM, signal.SIGINT],
    ],
    ids=["sigint", "sigterm", "sigint_then_sigterm", "sigterm_then_sigint"],
)
def test_jobs_run_stops_cleanly_on_signals(
    app: Flask, tmp_path: Path, signals: list[signal.Signals]
) -> None:
    log = tmp_path / "jobs.log"
    process = flask_command(app, "jobs", "run", settings={}, log=log)
    try:
        ready = _wait_for_line(log, READY)
        for number in signals:
            process.send_signal(number)
        code = process.wait(timeout=STOP_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_SECONDS)
    output = log.read_text()

    assert ready, output
    assert (code, output.splitlines()[-1]) == (0, STOPPED)
    assert "Traceback" not in output
    assert output.count(STOPPED) == 1
