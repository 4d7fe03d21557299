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
    "tests.fixtures.mail_processes",
]

_ran: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Reports reach the main process under pytest-xdist too, with their
    # user properties: the components travel there, not in a module global.
    if report.when != "call" or not report.passed:
        return
    for name, value in report.user_properties:
        if name == "components":
            _ran.update(value)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        components = []
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("app") if callspec else None
        if backend:
            components.append({"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend])
        if "smtp_server" in fixtures:
            item.add_marker("smtp")
            components.append("SMTP server")
        if "browser" in fixtures:  # `page` and `live_server` pages depend on it
            item.add_marker("e2e")
            components.append("real browser")
        item.user_properties.append(("components", components))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _ran:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(_ran.items()))
        terminalreporter.write_line(f"passed tests by real component: {parts}")
