"""Benchmark the annual report and the action-programme matrix on a large register (issue 7).

Builds a fresh database with the migrations (a temporary SQLite file, or with
`--database-url` a scratch database on that PostgreSQL server), loads the demo
data, then adds `--visits` visits and `--events` events spread over three
years (one event in ten a weekly series, every visit with a follow-up) with
the demo's organisations and initiatives. It then asks the real pages through
Flask's test client, as an anonymous reader and as the international office:

- `/reports/annual/<year>` and its `.xlsx`, for the middle year;
- `/action-programme/2011-2012`, its XLSX (every linked item) and its compare view.

Printed per page and reader: the median and worst of `--rounds` requests
(after one warm-up) and the number of SQL statements one request runs.
Target: every HTML page under 1 s at 10,000 visits and 10,000 events, with a
statement count that does not grow with the data. The XLSX downloads are
measured but not held to it: they list every item (the matrix's, 20,000 linked
visits and events), so their time grows with the register.

Usage: `make bench-reports` or `.venv/bin/python bench/reports.py [--visits 10000]
[--events 10000] [--database-url postgresql://user:password@host:5432/postgres]`.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database  # noqa: E402

#: The figure the benchmark holds each page to.
TARGET_SECONDS = 1.0
#: The register spans these years; the report is asked for the middle one.
YEARS = (2025, 2026, 2027)
PASSWORD = "bench-password-long-enough"  # noqa: S105 -- a throwaway account
COUNTRIES = ("DE", "IN", "US", "CN", "GB", "SE", "JP", "PL", "FR", "NL")


def seed(app: Any, *, visits: int, events: int) -> None:
    """Migrate, load the demo data and add the register; commit in chunks."""
    from flask_migrate import upgrade

    from app.auth.models import Role
    from app.auth.services import create_user
    from app.calendar.models import Event, EventStatus
    from app.core.db import db
    from app.core.visibility import Visibility
    from app.delegations.models import (
        Delegation,
        DelegationStatus,
        Direction,
        FollowUp,
        FollowUpStatus,
        ProtocolLevel,
    )
    from app.demo.services import load_demo_data
    from app.directory.models import Initiative, Organisation

    rng = random.Random(7)  # noqa: S311 -- repeatable data, not secrets
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        load_demo_data(now=now)
        create_user(
            "office@bench.example",
            name="Bench",
            role=Role.admin,
            password=PASSWORD,
            now=now,
        )
        organisations = db.session.scalars(db.select(Organisation.id)).all()
        initiatives = db.session.scalars(db.select(Initiative.id)).all()
        db.session.commit()
        span = (
            datetime(YEARS[-1] + 1, 1, 1, tzinfo=UTC)
            - datetime(YEARS[0], 1, 1, tzinfo=UTC)
        ).days

        def when() -> datetime:
            first = datetime(YEARS[0], 1, 1, 9, tzinfo=UTC)
            return first + timedelta(days=rng.randrange(span))

        for n in range(visits):
            arrival = when()
            visit = Delegation(
                title=f"Delegasjon {n}",
                direction=rng.choice(list(Direction)),
                country=rng.choice(COUNTRIES),
                protocol_level=rng.choice(list(ProtocolLevel)),
                arrival_dt=arrival,
                departure_dt=arrival + timedelta(days=2),
                timezone="Europe/Oslo",
                status=rng.choice(list(DelegationStatus)),
                visibility=rng.choice(list(Visibility)),
                host_organisation_id=rng.choice([None, *organisations]),
                initiative_id=rng.choice([None, *initiatives]),
            )
            status = rng.choice(list(FollowUpStatus))
            closed = status in (FollowUpStatus.done, FollowUpStatus.dropped)
            db.session.add(visit)
            db.session.add(
                FollowUp(
                    delegation=visit,
                    title=f"Oppfølging {n}",
                    status=status,
                    created_dt=arrival + timedelta(days=3),
                    closed_dt=arrival + timedelta(days=40) if closed else None,
                )
            )
            if n % 1000 == 999:
                db.session.commit()
        for n in range(events):
            start = when()
            db.session.add(
                Event(
                    title=f"Arrangement {n}",
                    start_dt=start,
                    end_dt=start + timedelta(hours=2),
                    timezone="Europe/Oslo",
                    status=rng.choice(list(EventStatus)),
                    visibility=rng.choice(list(Visibility)),
                    organiser_id=rng.choice([None, *organisations]),
                    initiative_id=rng.choice([None, *initiatives]),
                    rrule="FREQ=WEEKLY;COUNT=10" if n % 10 == 0 else "",
                )
            )
            if n % 1000 == 999:
                db.session.commit()
        db.session.commit()
        db.session.remove()


def _get(client: Any, path: str) -> None:
    status = client.get(path).status_code
    if status != 200:
        raise SystemExit(f"{path} answered {status}")


def measure(app: Any, client: Any, path: str, rounds: int) -> tuple[float, float, int]:
    """Return the median and worst seconds of `rounds` GETs of `path`, and its statement count."""
    from app.core.db import db
    from tests.fixtures.queries import count_statements

    _get(client, path)  # warm-up
    times = []
    for _round in range(rounds):
        began = time.perf_counter()
        _get(client, path)
        times.append(time.perf_counter() - began)
    with app.app_context(), count_statements() as seen:
        client.get(path)
        db.session.remove()
    return statistics.median(times), max(times), len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server (any database on it): the bench creates and drops its own database there",
    )
    args = parser.parse_args()

    from app import create_app

    with scratch_database(args.database_url, "reports") as url:
        backend = url.split(":", 1)[0].split("+", 1)[0]
        app = create_app(
            {
                "VERTSKAP_ENV": "testing",
                "DATABASE_URL": url,
                "PUBLIC_BASE_URL": "http://vertskap.bench",
                "SECRET_KEY": secrets.token_hex(32),
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        began = time.perf_counter()
        seed(app, visits=args.visits, events=args.events)
        print(
            f"{backend}: seeded {args.visits} visits (each with a follow-up) and "
            f"{args.events} events in {time.perf_counter() - began:.1f} s"
        )
        year = YEARS[1]
        pages = (
            f"/reports/annual/{year}",
            f"/reports/annual/{year}.xlsx",
            "/action-programme/2011-2012",
            "/action-programme/2011-2012.xlsx",
            "/action-programme/2011-2012/compare",
        )
        worst_page = 0.0
        for reader in ("anonymous", "office"):
            client = app.test_client()
            if reader == "office":
                response = client.post(
                    "/login",
                    data={"email": "office@bench.example", "password": PASSWORD},
                )
                if response.status_code != 302:
                    raise SystemExit("the office could not log in")
            for path in pages:
                median, worst, statements = measure(app, client, path, args.rounds)
                if not path.endswith(".xlsx"):
                    worst_page = max(worst_page, worst)
                print(
                    f"{backend}: {reader:9} {path:40} median {median * 1000:6.0f} ms, "
                    f"worst {worst * 1000:6.0f} ms, {statements} SQL statements"
                )
        verdict = "meets" if worst_page < TARGET_SECONDS else "MISSES"
        print(
            f"{backend}: worst page {worst_page * 1000:.0f} ms ({verdict} the target of {TARGET_SECONDS:.0f} s)"
        )


if __name__ == "__main__":
    main()
