"""Benchmark the public iCal feed against nginx serving the same bytes (issue 5).

Seeds a fresh SQLite database with demo-like calendar items (10,000 by default),
serves the app with gunicorn as `gunicorn.conf.py` sets it up (gthread, 2 workers
of 8 threads) and the feed's bytes with nginx as a static file, then measures
with wrk (the median of 5 rounds, app and nginx in turn):

- the time of the first GET after one item changed (a full rebuild);
- full GETs per second of the unchanged feed, app and nginx;
- 304 answers per second (If-None-Match), app and nginx;
- the resident memory of each gunicorn worker afterwards.

Usage: `make bench` or `.venv/bin/python bench/feeds.py --items 10000`.
Needs `gunicorn` (dev extra), and Debian's `nginx-light` and `wrk` on PATH
(`apt-get install nginx-light wrk`; Debian puts nginx in /usr/sbin). `make
bench` installs the two when run as root and adds /usr/sbin to PATH; the script
checks for them before it does anything and says what to install.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The programs the benchmark runs beside the app, and Debian's packages of them.
TOOLS = {"nginx": "nginx-light", "wrk": "wrk"}
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
#: Share of the items that are events; the rest are visits with programme items.
EVENT_SHARE = 0.8
PROGRAMME_ITEMS_PER_VISIT = 4
#: FEED_VERSION_SECONDS as the benchmark runs the app (the default).
VERSION_SECONDS = 1.0
TITLES = (
    "Møte i Internasjonalt forum",
    "Frokostseminar om nordisk samarbeid",
    "India 2011: arbeidsgruppemøte",
    "Delegasjon fra Hamburg: havvind og fornybar energi",
    "Olavsfestdagene: internasjonalt program",
    "Gjesteforelesning ved NTNU",
)
PLACES = (
    "Trondheim rådhus, Storsal, Munkegata 1",
    "NTNU Gløshaugen, Høgskoleringen 1",
    "Scandic Nidelven, Havnegata 1",
    "Trondheim folkebibliotek",
)


def find_tools() -> dict[str, str]:
    """Return where nginx and wrk are on PATH; exit saying what to install if not."""
    found = {name: shutil.which(name) for name in TOOLS}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        packages = " ".join(TOOLS[name] for name in missing)
        verb = "are" if len(missing) > 1 else "is"
        raise SystemExit(
            f"bench/feeds.py: {' and '.join(missing)} {verb} missing. Install "
            f"Debian's packages with 'sudo apt-get install {packages}' (make "
            "bench installs them when run as root)."
        )
    if not GUNICORN.exists():
        raise SystemExit(
            "bench/feeds.py: gunicorn is missing from .venv. Run 'make install'."
        )
    return {name: path for name, path in found.items() if path is not None}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(database_url: str, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "VERTSKAP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "MAIL_FROM": "vertskap@bench.invalid",
        "PUBLIC_BASE_URL": base_url,
        # One client address makes every request: keep the limiter in the path
        # but out of the way.
        "FEED_RATE_LIMIT": "10000000 per minute",
        "FEED_VERSION_SECONDS": str(VERSION_SECONDS),
    }


def seed(database_url: str, items: int, now: datetime) -> None:
    """Build the schema with the migrations and add `items` calendar items."""
    from flask_migrate import upgrade

    from app import create_app
    from app.calendar.models import Event, EventStatus
    from app.core.db import db
    from app.core.visibility import Visibility
    from app.delegations.models import (
        Delegation,
        DelegationStatus,
        Direction,
        ProgrammeItem,
        ProtocolLevel,
    )

    app = create_app({"VERTSKAP_ENV": "testing", "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
        events = int(items * EVENT_SHARE)
        start = now - timedelta(days=60)
        for n in range(events):
            begin = start + timedelta(hours=7 * n)
            db.session.add(
                Event(
                    title=f"{TITLES[n % len(TITLES)]} #{n}",
                    description="Et møte om **internasjonalt samarbeid** i Trondheim. "
                    * 4,
                    start_dt=begin,
                    end_dt=begin + timedelta(hours=2),
                    timezone="Europe/Oslo",
                    location=PLACES[n % len(PLACES)],
                    visibility=Visibility.public,
                    status=EventStatus.cancelled
                    if n % 50 == 0
                    else EventStatus.confirmed,
                    rrule="FREQ=WEEKLY;COUNT=10" if n % 40 == 0 else "",
                )
            )
            if n % 1000 == 999:
                db.session.flush()
        visits = (items - events) // (PROGRAMME_ITEMS_PER_VISIT + 1)
        for n in range(visits):
            arrival = start + timedelta(days=n % 400, hours=8)
            visit = Delegation(
                title=f"Delegasjon #{n}",
                direction=Direction.incoming,
                country="DE",
                protocol_level=ProtocolLevel.professional,
                arrival_dt=arrival,
                departure_dt=arrival + timedelta(days=2),
                status=DelegationStatus.confirmed,
                visibility=Visibility.public,
            )
            db.session.add(visit)
            for k in range(PROGRAMME_ITEMS_PER_VISIT):
                begin = arrival + timedelta(hours=2 * k + 1)
                db.session.add(
                    ProgrammeItem(
                        title=f"Programpunkt {k + 1} for delegasjon #{n}",
                        delegation=visit,
                        start_dt=begin,
                        end_dt=begin + timedelta(hours=1),
                        location=PLACES[k % len(PLACES)],
                        visibility=Visibility.public,
                    )
                )
        db.session.commit()


def touch_one_event(database_url: str, n: int) -> str:
    """Change one event's title through the app, as an edit would; return the new title."""
    from app import create_app
    from app.calendar.models import Event
    from app.core.db import db, utcnow

    app = create_app({"VERTSKAP_ENV": "testing", "DATABASE_URL": database_url})
    with app.app_context():
        event = db.session.scalars(db.select(Event).order_by(Event.id).limit(1)).one()
        event.title = f"{TITLES[0]} (endret {n})"
        event.updated_dt = utcnow()
        db.session.commit()
        return event.title


@contextmanager
def gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/feeds/public.ics", timeout=60)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Workers still building answers for wrk's last connections.
            process.kill()
            process.wait()


@contextmanager
def nginx(program: str, root: Path, port: int) -> Iterator[None]:
    conf = root / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ text/calendar ics; }}
  client_body_temp_path {root}/nginx-temp;
  proxy_temp_path {root}/nginx-temp;
  fastcgi_temp_path {root}/nginx-temp;
  uwsgi_temp_path {root}/nginx-temp;
  scgi_temp_path {root}/nginx-temp;
  sendfile on;
  server {{
    listen 127.0.0.1:{port};
    root {root}/static;
    etag on;
  }}
}}
"""
    )
    (root / "nginx-temp").mkdir(exist_ok=True)
    process = subprocess.Popen(
        [program, "-c", str(conf), "-p", str(root)],
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/public.ics", timeout=20)
        yield
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=20)


def _wait_for(url: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - loopback
                answer.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def warm(url: str, *, concurrency: int, rounds: int = 20) -> None:
    """Fetch `url` until every worker has built it once (each keeps its own entries).

    A worker's first build serialises every item (seconds for 10,000); later
    fetches by whichever worker must not measure that.
    """
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(rounds):
            took = list(pool.map(lambda _n: fetch(url)[2], range(concurrency * 2)))
            if max(took) < 0.5:
                return
    raise RuntimeError("the feed never answered under 0.5 s from every worker")


def _status(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 - loopback
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def fetch(
    url: str, headers: dict[str, str] | None = None
) -> tuple[bytes, dict[str, str], float]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 - loopback
        body = answer.read()
        return body, dict(answer.headers), time.perf_counter() - began


def wrk(
    program: str,
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    etag: str | None = None,
) -> float:
    """Return requests per second wrk measured for `url`."""
    command = [
        program,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
    ]
    if etag:
        command += ["-H", f"If-None-Match: {etag}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise RuntimeError(output)
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"errors while measuring {url}:\n{output}")
    read = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(\w+) read", output)
    if etag and read is not None:
        scale = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9}.get(read.group(3), 1)
        if float(read.group(2)) * scale / int(read.group(1)) > 2000:
            raise RuntimeError(f"conditional GETs of {url} got whole bodies:\n{output}")
    return float(found.group(1))


def worker_memory(master: int) -> list[float]:
    """Return the resident memory of each worker of a gunicorn master, in MB."""
    result = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if rss:
                result.append(int(rss.group(1)) / 1024)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rebuilds", type=int, default=9)
    args = parser.parse_args()
    tools = find_tools()

    with tempfile.TemporaryDirectory(prefix="vertskap-bench-") as tmp:
        root = Path(tmp)
        database_url = f"sqlite:///{root / 'bench.db'}"
        now = datetime.now(UTC).replace(microsecond=0)
        began = time.perf_counter()
        seed(database_url, args.items, now)
        print(f"seeded {args.items} items in {time.perf_counter() - began:.1f} s")

        app_port, nginx_port = _free_port(), _free_port()
        app_url = f"http://127.0.0.1:{app_port}/feeds/public.ics"
        env = _environment(database_url, f"http://127.0.0.1:{app_port}")
        with gunicorn(env, app_port, args.workers, args.threads) as master:
            body, headers, first = fetch(app_url)
            print(
                f"feed: {len(body) / 1e6:.1f} MB, {body.count(b'BEGIN:VEVENT')} VEVENTs; cold first GET {first * 1000:.0f} ms"
            )

            warm(app_url, concurrency=args.workers * args.threads)
            rebuilds = []
            for n in range(args.rebuilds):
                title = touch_one_event(database_url, n)
                # Workers trust the version they read for FEED_VERSION_SECONDS.
                time.sleep(VERSION_SECONDS + 0.2)
                body, _, elapsed = fetch(app_url)
                if title.encode() not in body:
                    raise RuntimeError("the feed did not show the change")
                rebuilds.append(elapsed * 1000)
            warm(app_url, concurrency=args.workers * args.threads)
            body, headers, _ = fetch(app_url)
            etag = headers.get("ETag", "")
            if _status(app_url, {"If-None-Match": etag}) != 304:
                raise RuntimeError("the app does not answer 304 to its own ETag")

            static = root / "static"
            static.mkdir()
            # nginx's workers drop root: let them read the file.
            root.chmod(0o755)
            static.chmod(0o755)
            (static / "public.ics").write_bytes(body)
            nginx_url = f"http://127.0.0.1:{nginx_port}/public.ics"
            with nginx(tools["nginx"], root, nginx_port):
                _, nginx_headers, _ = fetch(nginx_url)
                measure = {
                    "seconds": args.seconds,
                    "connections": args.connections,
                    "threads": 2,
                }
                # This machine's speed wanders by a fifth from run to run:
                # alternate app and nginx, and keep the median of the rounds.
                runs: dict[str, list[float]] = {}
                for _ in range(args.rounds):
                    for name, url, tag in (
                        ("app_full", app_url, None),
                        ("nginx_full", nginx_url, None),
                        ("app_304", app_url, etag),
                        ("nginx_304", nginx_url, nginx_headers.get("ETag")),
                    ):
                        runs.setdefault(name, []).append(
                            wrk(tools["wrk"], url, etag=tag, **measure)
                        )
                app_full, nginx_full, app_304, nginx_304 = (
                    statistics.median(runs[name])
                    for name in ("app_full", "nginx_full", "app_304", "nginx_304")
                )
            memory = worker_memory(master.pid)

    print()
    print(f"{'figure':44} {'app':>12} {'nginx':>12} {'target':>22}")
    print(
        f"{'full rebuild after one change (median ms)':44} {statistics.median(rebuilds):12.0f} {'':>12} {'< 100 ms':>22}"
    )
    print(
        f"{'full GET, unchanged feed (req/s)':44} {app_full:12.0f} {nginx_full:12.0f} {f'>= {0.7 * nginx_full:.0f} (0.7 x nginx)':>22}"
    )
    print(
        f"{'304 Not Modified (req/s)':44} {app_304:12.0f} {nginx_304:12.0f} {'>= 8000':>22}"
    )
    print(
        f"{'worker memory (MB, max)':44} {max(memory, default=0):12.0f} {'':>12} {'< 300 MB':>22}"
    )
    print(f"\nrebuilds (ms): {', '.join(f'{value:.0f}' for value in rebuilds)}")
    for name, values in runs.items():
        print(f"{name} (req/s): {', '.join(f'{value:.0f}' for value in values)}")


if __name__ == "__main__":
    main()
