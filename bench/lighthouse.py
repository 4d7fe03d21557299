"""Lighthouse scores of the public and the staff pages, on a phone (issue 15).

Builds a throwaway SQLite database in a temporary folder (`flask db upgrade`,
`flask demo load`), serves the app on a free local port with gunicorn as
`gunicorn.conf.py` sets it up (`flask run` when gunicorn is not installed),
finds real addresses in the demo data (an upcoming public event, the public
visit with the most public programme items, the newest action programme, the
annual report of this year) and logs in through the log-in form as the demo
admin. Each page is fetched twice to warm the workers, then measured by
Lighthouse 12.2.3 (pinned in `bench/lighthouse`, installed with npm) with its
mobile preset (simulated slow 4G and a 4x slower CPU) in Debian's chromium;
staff pages get the admin's session cookie as an extra header.

Printed: one row per page with the performance, accessibility, best-practices
and SEO scores (0-100), LCP, TBT and CLS, each score under the page's target
marked with `*` (95 for public pages, 90 for staff pages); then, for each page
under target, the audits that cost it points (score under 0.9; for
performance also the opportunities and diagnostics Lighthouse flags); then
how many pages meet their target. The exit code is 0 whatever the scores: it
is a report. Lighthouse's performance score depends on the machine: on a busy
one (see the benchmark index printed first) it comes out lower.

Usage: `make bench-lighthouse` or `.venv/bin/python bench/lighthouse.py
[--only home event planner] [--runs 3] [--json scores.json] [--reports DIR]`
(`--reports` keeps Lighthouse's own report of each run, for its viewer). Needs Node 18.16+
and npm (Debian's `nodejs` and `npm`), and Debian's `chromium` (`make browser`);
it never downloads a browser.
"""

from __future__ import annotations

import argparse
import json
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
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIGHTHOUSE_DIR = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
VENV_BIN = ROOT / ".venv" / "bin"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
HEADINGS = {
    "performance": "Perf",
    "accessibility": "A11y",
    "best-practices": "BP",
    "seo": "SEO",
}
#: The score each category must reach (issue 15).
PUBLIC_TARGET = 95
STAFF_TARGET = 90
#: An audit under this score is listed as failing (Lighthouse shows it red or orange).
AUDIT_PASS = 0.9
#: Chromium as FACTS.md says it runs here: no sandbox (root), no calls home.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
#: The demo admin, should the demo's printed log-ins not say.
DEMO_ADMIN = ("admin@vertskap.example", "vertskap-admin-demo")
#: Seconds one Lighthouse run may take on a busy machine.
RUN_TIMEOUT = 300


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    staff: bool

    @property
    def target(self) -> int:
        return STAFF_TARGET if self.staff else PUBLIC_TARGET


@dataclass
class Result:
    """One page's numbers: the median of its runs, and the audits of its median run."""

    page: Page
    scores: dict[str, int | None] = field(default_factory=dict)
    lcp_s: float | None = None
    tbt_ms: float | None = None
    cls: float | None = None
    failing: list[str] = field(default_factory=list)
    error: str = ""
    benchmark_index: float | None = None

    @property
    def meets_target(self) -> bool:
        return not self.error and all(
            score is not None and score >= self.page.target
            for score in self.scores.values()
        )


class LighthouseError(RuntimeError):
    """Lighthouse did not produce a report for a page."""


# --- tools ------------------------------------------------------------------


def ensure_lighthouse() -> None:
    """Install the pinned Lighthouse into bench/lighthouse when it is missing."""
    if LIGHTHOUSE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "bench/lighthouse.py: npm is missing (Debian: apt-get install nodejs npm)."
        )
    verb = "ci" if (LIGHTHOUSE_DIR / "package-lock.json").exists() else "install"
    print(f"installing Lighthouse: npm {verb} in bench/lighthouse", flush=True)
    subprocess.run(
        [npm, verb, "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=LIGHTHOUSE_DIR,
        check=True,
    )


def find_chromium() -> str:
    path = os.environ.get("CHROME_PATH") or shutil.which("chromium")
    if not path:
        raise SystemExit(
            "bench/lighthouse.py: Debian's chromium is missing (`make browser`, or "
            "apt-get install chromium); Lighthouse never downloads a browser here."
        )
    return path


def _version(command: list[str]) -> str:
    try:
        answer = subprocess.run(
            command, capture_output=True, text=True, timeout=60, check=False
        )
    except OSError:
        return "?"
    lines = answer.stdout.strip().splitlines()
    return lines[-1] if lines else "?"


# --- the app ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_environment(database_url: str, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "VERTSKAP_ENV": "development",
        "DATABASE_URL": database_url,
        # A key of its own keeps the development key file in instance/ untouched.
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": base_url,
    }


def flask(env: dict[str, str], *args: str) -> str:
    """Run a `flask --app app` command; return what it printed."""
    answer = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode != 0:
        sys.stderr.write(answer.stdout + answer.stderr)
        raise SystemExit(f"bench/lighthouse.py: `flask {' '.join(args)}` failed")
    return answer.stdout


def demo_admin(printed: str) -> tuple[str, str]:
    """Return the admin log-in `flask demo load` printed (role, e-mail, password)."""
    found = re.search(r"^\s*admin\s+(\S+@\S+)\s+(\S+)\s*$", printed, re.MULTILINE)
    return (found[1], found[2]) if found else DEMO_ADMIN


@contextmanager
def serve(env: dict[str, str], port: int) -> Iterator[str]:
    """Serve the app on 127.0.0.1:`port` until the block ends; yield the server's name."""
    gunicorn = VENV_BIN / "gunicorn"
    if gunicorn.exists():
        name = "gunicorn (gunicorn.conf.py)"
        command = [
            str(gunicorn),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:create_app()",
        ]
    else:
        name = "flask run (gunicorn is not installed)"
        command = [
            str(VENV_BIN / "flask"),
            "--app",
            "app",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    # A session of its own: Ctrl-C reaches this script, which stops the server.
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/robots.txt", process, timeout=90)
        yield name
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for(url: str, process: subprocess.Popen[bytes], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise SystemExit(
                f"bench/lighthouse.py: the server stopped (exit {process.returncode})"
            )
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 -- loopback
                answer.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"bench/lighthouse.py: the server did not answer within {timeout:.0f} s"
                ) from None
            time.sleep(0.3)


def find_pages(database_url: str, base_url: str) -> list[Page]:
    """Return the pages to measure, with ids taken from the demo data."""
    import sqlalchemy as sa
    from flask import url_for

    from app import create_app
    from app.action_programme.services import list_periods
    from app.calendar.models import Event, EventStatus
    from app.core.db import db
    from app.core.visibility import Visibility
    from app.delegations.models import Delegation, ProgrammeItem

    app = create_app(
        {
            "VERTSKAP_ENV": "development",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "PUBLIC_BASE_URL": base_url,
        }
    )
    now = datetime.now(UTC)
    with app.app_context():
        # An upcoming public event; one with a description shows more of the page.
        event_id = db.session.scalar(
            sa.select(Event.id)
            .where(
                Event.visibility == Visibility.public,
                Event.status == EventStatus.confirmed,
                Event.start_dt >= now,
            )
            .order_by((Event.description == "").asc(), Event.start_dt)
            .limit(1)
        )
        # The public visit with the most public programme items, the latest first.
        public_items = sa.func.count(ProgrammeItem.id)
        visit_id = db.session.scalar(
            sa.select(Delegation.id)
            .join(ProgrammeItem, ProgrammeItem.delegation_id == Delegation.id)
            .where(
                Delegation.visibility == Visibility.public,
                ProgrammeItem.visibility == Visibility.public,
            )
            .group_by(Delegation.id)
            .order_by(public_items.desc(), Delegation.arrival_dt.desc())
            .limit(1)
        )
        periods = list_periods()
        db.session.remove()
    if event_id is None or visit_id is None or not periods:
        raise SystemExit(
            "bench/lighthouse.py: the demo data has no upcoming public event, "
            "public visit with a programme, or action programme"
        )
    with app.test_request_context():
        public = [
            ("home", url_for("calendar.home")),
            ("calendar-month", url_for("calendar.show_calendar", view="month")),
            ("calendar-list", url_for("calendar.show_calendar", view="list")),
            ("event", url_for("events.show_event", event_id=event_id)),
            ("visit", url_for("delegations.show_delegation", delegation_id=visit_id)),
            ("subscribe", url_for("subscribe.subscribe_page")),
            ("submit", url_for("submissions.new_submission")),
            (
                "action-programme",
                url_for("action_programme.show_matrix", period=periods[0]),
            ),
            # Where the report's own address sends today: this year's report.
            ("annual-report", url_for("annual_report.current_report")),
            ("widget", url_for("widget.upcoming_widget")),
            ("login", url_for("auth.login")),
        ]
        staff = [
            ("visits", url_for("delegations.list_delegations")),
            (
                "visit-staff",
                url_for("delegations.show_delegation", delegation_id=visit_id),
            ),
            (
                "programme",
                url_for("programme.edit_programme", delegation_id=visit_id),
            ),
            ("planner", url_for("planner.show_planner")),
            ("moderation", url_for("moderation.queue")),
            ("outbox", url_for("outbox.list_mail")),
        ]
    return [Page(name, path, staff=False) for name, path in public] + [
        Page(name, path, staff=True) for name, path in staff
    ]


# --- logging in -------------------------------------------------------------


class _CsrfField(HTMLParser):
    """Finds the value of the form's hidden csrf_token input."""

    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") == "csrf_token":
            self.token = found.get("value")


def log_in(base_url: str, email: str, password: str) -> str:
    """Log in through the log-in form; return the Cookie header of the session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/login", timeout=60) as answer:
        parser = _CsrfField()
        parser.feed(answer.read().decode())
    if not parser.token:
        raise SystemExit("bench/lighthouse.py: the log-in form has no CSRF token")
    form = urllib.parse.urlencode(
        {"csrf_token": parser.token, "email": email, "password": password}
    ).encode()
    with opener.open(f"{base_url}/login", data=form, timeout=60) as answer:
        answer.read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    # A staff page must open for the cookie, not send us back to the log-in form.
    request = urllib.request.Request(  # noqa: S310 -- loopback
        f"{base_url}/planner/", headers={"Cookie": cookie}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 -- loopback
        if urllib.parse.urlsplit(answer.geturl()).path != "/planner/":
            raise SystemExit(f"bench/lighthouse.py: could not log in as {email}")
    return cookie


def warm(base_url: str, page: Page, cookie: str) -> str:
    """Fetch the page twice (each gunicorn worker renders once); return its final path.

    The final path is where a redirecting address (the annual report) leads.
    """
    headers = {"Cookie": cookie} if page.staff else {}
    final = page.path
    for _round in range(2):
        request = urllib.request.Request(base_url + page.path, headers=headers)  # noqa: S310 -- loopback
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 -- loopback
                answer.read()
                parts = urllib.parse.urlsplit(answer.geturl())
                final = parts.path + (f"?{parts.query}" if parts.query else "")
        except urllib.error.HTTPError as refused:
            raise SystemExit(
                f"bench/lighthouse.py: {page.path} answered {refused.code}"
            ) from None
    return final


# --- Lighthouse -------------------------------------------------------------


def run_lighthouse(
    url: str, *, chromium: str, headers: Path | None, out: Path
) -> dict[str, Any]:
    """Run Lighthouse (mobile preset) on `url`; return its report (LHR)."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--max-wait-for-load=90000",
    ]
    if headers:
        command.append(f"--extra-headers={headers}")
    out.unlink(missing_ok=True)
    # Lighthouse's own SIGINT handler closes the Chromium it started (in a
    # process group of its own), so SIGINT is how it is stopped early.
    process = subprocess.Popen(
        command,
        env={**os.environ, "CHROME_PATH": chromium},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise LighthouseError(f"no report within {RUN_TIMEOUT} s") from None
    except BaseException:
        _stop(process)
        raise
    if not out.exists():
        last = stderr.strip().splitlines()[-1:] or [f"exit {process.returncode}"]
        raise LighthouseError(last[0][:200])
    report: dict[str, Any] = json.loads(out.read_text())
    error = report.get("runtimeError")
    if error:
        raise LighthouseError(f"{error.get('code')}: {error.get('message', '')[:160]}")
    return report


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def numbers(report: dict[str, Any]) -> dict[str, Any]:
    """The scores (0-100) and the three metrics of one report."""
    audits = report["audits"]

    def value(audit: str) -> float | None:
        found = audits.get(audit, {}).get("numericValue")
        return float(found) if found is not None else None

    scores: dict[str, int | None] = {}
    for category in CATEGORIES:
        score = report["categories"].get(category, {}).get("score")
        scores[category] = round(score * 100) if score is not None else None
    lcp = value("largest-contentful-paint")
    return {
        "scores": scores,
        "lcp_s": lcp / 1000 if lcp is not None else None,
        "tbt_ms": value("total-blocking-time"),
        "cls": value("cumulative-layout-shift"),
        "benchmark_index": report.get("environment", {}).get("benchmarkIndex"),
        "final_url": report.get("finalDisplayedUrl", ""),
    }


def _where(audit: dict[str, Any], limit: int = 3) -> str:
    """A few of the elements or resources an audit points at."""
    details = audit.get("details") or {}
    places = []
    for item in details.get("items") or []:
        if not isinstance(item, dict):
            continue
        node = item.get("node") or {}
        place = node.get("selector") or item.get("url") or ""
        for key in ("sourceLocation", "source"):
            located = item.get(key)
            if not place and isinstance(located, dict):
                place = located.get("url") or ""
        place = _local_path(str(place))
        if place and place not in places:
            places.append(place)
    if not places:
        return ""
    shown = ", ".join(p if len(p) < 70 else p[:67] + "..." for p in places[:limit])
    more = f" and {len(places) - limit} more" if len(places) > limit else ""
    return f" [{shown}{more}]"


def _local_path(place: str) -> str:
    """A resource of the app under test by its path: the port changes every run."""
    parts = urllib.parse.urlsplit(place)
    if parts.scheme == "http" and parts.hostname == "127.0.0.1":
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return place


def failing_audits(report: dict[str, Any], target: int) -> list[str]:
    """The audits under AUDIT_PASS in the weighted categories.

    Weighted audits of every category, and when performance is under
    `target` also its opportunities and diagnostics (weight 0), which say
    what makes the metrics slow.
    """
    audits = report["audits"]
    performance = report["categories"].get("performance", {}).get("score")
    slow = performance is not None and round(performance * 100) < target
    lines = []
    for category in CATEGORIES:
        found = report["categories"].get(category)
        if not found:
            continue
        for ref in found["auditRefs"]:
            audit = audits.get(ref["id"], {})
            score = audit.get("score")
            if score is None or score >= AUDIT_PASS:
                continue
            weighted = ref.get("weight", 0) > 0
            if not weighted and not (category == "performance" and slow):
                continue
            if audit.get("scoreDisplayMode") in {
                "informative",
                "manual",
                "notApplicable",
            }:
                continue
            shown = audit.get("displayValue") or audit.get("explanation")
            value = f" ({shown})" if shown else ""
            kind = HEADINGS[category] + ("" if weighted else " hint")
            lines.append(f"{kind}: {audit['title']}{value}{_where(audit)}")
    return lines


def measure(
    page: Page, url: str, *, runs: int, chromium: str, headers: Path, folder: Path
) -> Result:
    """Run Lighthouse `runs` times on one page; keep the median of each number."""
    result = Result(page)
    reports = []
    for run in range(runs):
        try:
            reports.append(
                run_lighthouse(
                    url,
                    chromium=chromium,
                    headers=headers if page.staff else None,
                    out=folder / f"{page.name}-{run + 1}.json",
                )
            )
        except LighthouseError as failed:
            result.error = str(failed)
            return result
    found = [numbers(report) for report in reports]
    final = urllib.parse.urlsplit(found[-1]["final_url"]).path
    if page.staff and final.startswith("/login"):
        result.error = "sent to the log-in page: the session cookie did not work"
        return result

    def median(values: list[Any]) -> Any:
        present = [v for v in values if v is not None]
        return statistics.median(present) if present else None

    for category in CATEGORIES:
        middle = median([f["scores"][category] for f in found])
        result.scores[category] = round(middle) if middle is not None else None
    result.lcp_s = median([f["lcp_s"] for f in found])
    result.tbt_ms = median([f["tbt_ms"] for f in found])
    result.cls = median([f["cls"] for f in found])
    result.benchmark_index = median([f["benchmark_index"] for f in found])
    # The audits of the run whose performance score is the median one.
    ranked = sorted(
        zip(found, reports, strict=True),
        key=lambda pair: pair[0]["scores"]["performance"] or 0,
    )
    result.failing = failing_audits(ranked[len(ranked) // 2][1], page.target)
    return result


# --- printing ---------------------------------------------------------------


def _score(result: Result, category: str) -> str:
    score = result.scores.get(category)
    if score is None:
        return "   -"
    mark = "*" if score < result.page.target else " "
    return f"{score:3d}{mark}"


def print_table(results: list[Result], paths: dict[str, str]) -> None:
    if not results:
        return
    width = max(len(paths[r.page.name]) for r in results)
    width = min(max(width, 4), 48)
    heads = " ".join(f"{HEADINGS[c]:>4}" for c in CATEGORIES)
    print(
        f"{'page':16} {'path':{width}} {heads}  {'LCP s':>6} {'TBT ms':>7} {'CLS':>6}  target"
    )
    for result in results:
        page = result.page
        path = paths[page.name]
        path = path if len(path) <= width else path[: width - 3] + "..."
        if result.error:
            print(f"{page.name:16} {path:{width}} error: {result.error}")
            continue
        cells = " ".join(_score(result, c) for c in CATEGORIES)
        lcp = f"{result.lcp_s:6.1f}" if result.lcp_s is not None else "     -"
        tbt = f"{result.tbt_ms:7.0f}" if result.tbt_ms is not None else "      -"
        cls = f"{result.cls:6.3f}" if result.cls is not None else "     -"
        verdict = "" if result.meets_target else "  under"
        print(
            f"{page.name:16} {path:{width}} {cells}  {lcp} {tbt} {cls}  {page.target}{verdict}"
        )


def print_failing(results: list[Result]) -> None:
    under = [r for r in results if not r.meets_target and not r.error]
    if not under:
        return
    print("\nAudits that cost points on the pages under target:")
    for result in under:
        print(f"\n{result.page.name} ({', '.join(_low(result))}):")
        for line in result.failing or ["(no single audit under 0.9)"]:
            print(f"  - {line}")


def _low(result: Result) -> list[str]:
    return [
        f"{HEADINGS[c]} {s}"
        for c, s in result.scores.items()
        if s is None or s < result.page.target
    ]


def save_json(
    path: Path,
    results: list[Result],
    paths: dict[str, str],
    about: dict[str, Any],
) -> None:
    pages = [
        {
            "page": r.page.name,
            "path": paths[r.page.name],
            "staff": r.page.staff,
            "target": r.page.target,
            "meets_target": r.meets_target,
            "scores": r.scores,
            "lcp_s": r.lcp_s,
            "tbt_ms": r.tbt_ms,
            "cls": r.cls,
            "benchmark_index": r.benchmark_index,
            "failing_audits": r.failing,
            "error": r.error or None,
        }
        for r in results
    ]
    path.write_text(json.dumps({**about, "pages": pages}, indent=2, ensure_ascii=False))


# --- main -------------------------------------------------------------------


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # The default SIGTERM would skip the `finally` that stops the server.
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="PAGE",
        help="measure these pages only (names as printed)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="runs per page; the median counts (default 1)",
    )
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="save the numbers as JSON"
    )
    parser.add_argument(
        "--reports",
        type=Path,
        metavar="DIR",
        help="keep Lighthouse's own JSON report of every run there (PAGE-RUN.json)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    chromium = find_chromium()
    ensure_lighthouse()
    lighthouse_version = _version([str(LIGHTHOUSE), "--version"])
    chromium_version = _version([chromium, "--version"])

    with tempfile.TemporaryDirectory(prefix="vertskap-bench-lighthouse-") as tmp_name:
        tmp = Path(tmp_name)
        if args.reports:
            args.reports.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        database_url = f"sqlite:///{tmp / 'lighthouse.db'}"
        env = app_environment(database_url, base_url)
        began = time.perf_counter()
        flask(env, "db", "upgrade")
        email, password = demo_admin(flask(env, "demo", "load"))
        pages = find_pages(database_url, base_url)
        names = [p.name for p in pages]
        if args.only:
            unknown = sorted(set(args.only) - set(names))
            if unknown:
                parser.error(
                    f"unknown page {', '.join(unknown)}; pages: {' '.join(names)}"
                )
            pages = [p for p in pages if p.name in args.only]
        print(
            f"database built with the demo data in {time.perf_counter() - began:.0f} s"
        )

        results: list[Result] = []
        paths: dict[str, str] = {}
        interrupted = False
        try:
            with serve(env, port) as server:
                cookie = log_in(base_url, email, password)
                # In a file, not on the command line where `ps` shows it.
                headers = tmp / "headers.json"
                headers.touch(mode=0o600)
                headers.write_text(json.dumps({"Cookie": cookie}))
                print(
                    f"Lighthouse {lighthouse_version}, mobile preset; {chromium_version}; "
                    f"app served by {server}; {args.runs} run(s) per page",
                    flush=True,
                )
                for page in pages:
                    paths[page.name] = warm(base_url, page, cookie)
                    print(f"  {page.name} {paths[page.name]} ...", flush=True)
                    results.append(
                        measure(
                            page,
                            base_url + paths[page.name],
                            runs=args.runs,
                            chromium=chromium,
                            headers=headers,
                            folder=args.reports or tmp,
                        )
                    )
        except KeyboardInterrupt:
            print("\ninterrupted; the server is stopped", file=sys.stderr)
            if not results:
                raise SystemExit(130) from None
            interrupted = True

    indexes = [r.benchmark_index for r in results if r.benchmark_index is not None]
    print()
    if indexes:
        print(
            f"Lighthouse's benchmark index of this machine: {statistics.median(indexes):.0f} "
            "(a quiet, fast desktop: 1500-2500; lower means a slower or busier CPU, "
            "and lower performance scores)\n"
        )
    print_table(results, paths)
    print(
        f"\n* under target ({PUBLIC_TARGET} public pages, {STAFF_TARGET} staff pages)"
    )
    print_failing(results)
    meeting = sum(r.meets_target for r in results)
    print(f"\n{meeting} of {len(results)} pages meet their target")
    if args.json:
        save_json(
            args.json,
            results,
            paths,
            {
                "measured": datetime.now(UTC).isoformat(timespec="seconds"),
                "lighthouse": lighthouse_version,
                "chromium": chromium_version,
                "preset": "mobile",
                "runs": args.runs,
                "targets": {"public": PUBLIC_TARGET, "staff": STAFF_TARGET},
            },
        )
        print(f"numbers saved to {args.json}")
    if interrupted:
        raise SystemExit(130)


if __name__ == "__main__":
    main()
