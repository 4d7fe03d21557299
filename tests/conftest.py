"""Test configuration: fixtures live in tests/fixtures (STYLE.md section 8)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.database",
    "tests.fixtures.smtp",
    "tests.fixtures.browser",
    "tests.fixtures.builders",
]

_ran: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" or not report.passed:
        return
    if "[postgresql" in report.nodeid or "postgresql]" in report.nodeid:
        _ran["PostgreSQL"] += 1
    if "[sqlite" in report.nodeid or "sqlite]" in report.nodeid:
        _ran["SQLite"] += 1
    for keyword in ("smtp", "e2e"):
        if keyword in report.keywords:
            _ran["SMTP server" if keyword == "smtp" else "real browser"] += 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "smtp_server" in fixtures:
            item.add_marker("smtp")
        if "page" in fixtures or "browser" in fixtures:
            item.add_marker("e2e")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _ran:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(_ran.items()))
        terminalreporter.write_line(f"passed tests by real component: {parts}")
