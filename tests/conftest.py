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
_components: dict[str, list[str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" or not report.passed:
        return
    for component in _components.get(report.nodeid, ()):
        _ran[component] += 1


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
        _components[item.nodeid] = components


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _ran:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(_ran.items()))
        terminalreporter.write_line(f"passed tests by real component: {parts}")
