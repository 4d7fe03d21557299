"""Benchmark outbox delivery: 1,000 queued mails to a local SMTP server (issue 6).

Builds a fresh database with the migrations (a temporary SQLite file, or with
`--database-url` a scratch database created on that PostgreSQL server and
dropped afterwards), queues the mails through `queue_mail`, starts an aiosmtpd
server on 127.0.0.1 and delivers through the sender's real code path,
`deliver_due_mail`, in batches of OUTBOX_BATCH until nothing is due. Then it
checks that every Message-ID arrived exactly once and every row is sent, and
prints the time taken and mails per second (target: at least 100 per second).

Usage: `make bench-mail` or `.venv/bin/python bench/mail.py [--mails 1000]
[--database-url postgresql://user:password@host:5432/postgres]`.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database  # noqa: E402

# The tests' recording SMTP server: it accepts every mail and notes its Message-ID.
from tests.fixtures.mail_processes import Recorder, recording_smtp_server  # noqa: E402

#: The figure issue 6 asks for.
TARGET_PER_SECOND = 100


def prepare(database_url: str, mails: int) -> tuple[Any, set[str], float]:
    """Migrate the database and queue `mails` mails; return the app, their Message-IDs and the seconds queueing took."""
    from flask_migrate import upgrade

    from app import create_app
    from app.core.db import db, utcnow
    from app.outbox.services import queue_mail

    app = create_app(
        {
            "VERTSKAP_ENV": "testing",
            "DATABASE_URL": database_url,
            "PUBLIC_BASE_URL": "http://vertskap.bench",
        }
    )
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        now = utcnow()
        queued = {
            queue_mail(
                "test",
                recipient=f"kontakt{n}@bench.example",
                locale="nb" if n % 2 else "en",
                context={"now": now},
                idempotency_key=f"bench-{uuid.uuid4().hex}",
                now=now,
            ).message_id
            for n in range(mails)
        }
        db.session.commit()
        took = time.perf_counter() - began
        db.session.remove()
    return app, queued, took


def deliver(app: Any, smtp_url: str) -> tuple[int, int]:
    """Deliver until nothing is due, batch by batch as the scheduler would; return (batches, sent)."""
    from app.core.db import db, utcnow
    from app.outbox.delivery import deliver_due_mail
    from app.outbox.mail import parse_smtp_url

    settings = parse_smtp_url(smtp_url)
    batches = sent = 0
    with app.app_context():
        while True:
            report = deliver_due_mail(
                settings,
                sender=app.config["MAIL_FROM"],
                now=utcnow(),
                limit=int(app.config["OUTBOX_BATCH"]),
            )
            if report.claimed == 0:
                break
            batches += 1
            sent += report.sent
        db.session.remove()
    return batches, sent


def outbox_states(app: Any) -> dict[str, int]:
    """Return how many outbox rows are in each state."""
    from app.core.db import db
    from app.outbox.services import count_outbox_by_state

    with app.app_context():
        counts = {str(state): n for state, n in count_outbox_by_state().items() if n}
        db.session.remove()
        db.engine.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server (any database on it): the bench creates and drops its own database there",
    )
    args = parser.parse_args()

    recorder = Recorder()
    with (
        scratch_database(args.database_url, "mail") as url,
        recording_smtp_server(recorder) as smtp_url,
    ):
        backend = url.split(":", 1)[0].split("+", 1)[0]
        app, queued, queue_seconds = prepare(url, args.mails)
        print(f"{backend}: queued {len(queued)} mails in {queue_seconds:.2f} s")
        began, cpu_began = time.perf_counter(), time.process_time()
        batches, sent = deliver(app, smtp_url)
        took, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        states = outbox_states(app)

    arrivals = Counter(recorder.message_ids)
    twice = sum(1 for n in arrivals.values() if n > 1)
    if set(arrivals) != queued or twice or states != {"sent": args.mails}:
        raise SystemExit(
            f"delivery was wrong: {len(set(arrivals) & queued)} of {len(queued)} arrived, "
            f"{twice} more than once, outbox states {states}"
        )
    rate = sent / took
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(
        f"{backend}: delivered {sent} mails in {batches} batches of up to "
        f"{app.config['OUTBOX_BATCH']} in {took:.2f} s: {rate:.0f} mails/s "
        f"({verdict} the target of {TARGET_PER_SECOND}/s); each arrived once"
    )
    # The SMTP server runs in this process too: its share is in the CPU figure.
    print(
        f"{backend}: CPU time of this process (sender and SMTP server) "
        f"{cpu * 1000 / sent:.2f} ms per mail"
    )


if __name__ == "__main__":
    main()
