"""Time the password-reset form for known and unknown addresses (issue 14).

The answer to "send me a reset link" must not tell whether the address has an
account, in its words or in its timing. This posts the form through the test
client on a fresh, migrated database (a temporary SQLite file, or with
`--database-url` a scratch database on that PostgreSQL server): alternately
for an address with an account, one without, and one whose account has used up
its reset mails for the hour. Each known and limited address is a different
account, so every known request does the whole work (token, mail, outbox row).
It prints the median and the 90th percentile of each, and the difference of
the medians, which should stay within TARGET_MS.

Usage: `.venv/bin/python bench/reset_timing.py [--requests 50]
[--database-url postgresql://user:password@host:5432/postgres]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database  # noqa: E402

#: How far apart the medians of known and unknown addresses may be.
TARGET_MS = 2.0
WARM_UP = 5


def prepare(database_url: str, requests: int) -> Any:
    """Migrate the database and add the accounts; return the app."""
    from flask_migrate import upgrade

    from app import create_app
    from app.auth.models import Role, TokenPurpose, User, UserToken
    from app.auth.services import hash_password
    from app.core.db import db, utcnow
    from app.core.security import new_token

    app = create_app(
        {
            "VERTSKAP_ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "PUBLIC_BASE_URL": "http://vertskap.bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        password_hash = hash_password("a bench password, long enough")
        now = utcnow()
        for kind in ("known", "limited", "warm"):
            for n in range(requests):
                user = User(
                    email=f"{kind}{n}@bench.example",
                    name=f"{kind.title()} {n}",
                    role=Role.member,
                    locale="nb" if n % 2 else "en",
                    timezone="Europe/Oslo",
                    password_hash=password_hash,
                    created_dt=now,
                )
                db.session.add(user)
                if kind != "limited":
                    continue
                # Reset links sent a minute ago, as many as an hour allows.
                for _ in range(app.config.get("PASSWORD_RESET_MAILS_PER_ACCOUNT", 0)):
                    db.session.add(
                        UserToken(
                            user=user,
                            purpose=TokenPurpose.password_reset,
                            token_hash=new_token()[1],
                            created_dt=now - timedelta(minutes=1),
                            expires_dt=now + timedelta(minutes=59),
                        )
                    )
        db.session.commit()
        db.session.remove()
    return app


def run(app: Any, requests: int) -> dict[str, list[float]]:
    """Post the form for each kind of address, interleaved; return milliseconds per kind."""
    client = app.test_client()
    for n in range(WARM_UP):
        client.post("/password/forgot", data={"email": f"warm{n}@bench.example"})
        client.post("/password/forgot", data={"email": f"cold{n}@nowhere.example"})
    kinds = {
        "known": "known{n}@bench.example",
        "unknown": "nobody{n}@nowhere.example",
        "limited": "limited{n}@bench.example",
    }
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for n in range(requests):
        for kind, address in kinds.items():
            began = time.perf_counter()
            response = client.post(
                "/password/forgot", data={"email": address.format(n=n)}
            )
            response.close()
            times[kind].append((time.perf_counter() - began) * 1000)
            if response.status_code != 302:
                raise SystemExit(f"{kind}: HTTP {response.status_code}")
    return times


def count_mails(app: Any) -> int:
    from app.core.db import db
    from app.outbox.models import OutboxMail

    with app.app_context():
        import sqlalchemy as sa

        return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with scratch_database(args.database_url, "reset") as url:
        app = prepare(url, args.requests)
        times = run(app, args.requests)
        mails = count_mails(app)
        with app.app_context():
            from app.core.db import db

            db.engine.dispose()
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    for kind, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{kind:8} median {medians[kind]:6.2f} ms   p90 {p90:6.2f} ms")
    gap = abs(medians["known"] - medians["unknown"])
    print(f"mails queued: {mails}")
    print(f"known - unknown medians: {gap:.2f} ms (target at most {TARGET_MS} ms)")
    return 0 if gap <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
