"""calendar_feeds stays pure: no Flask, no app (STYLE.md section 6); and its UIDs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import calendar_feeds
from calendar_feeds import make_uid

pytestmark = pytest.mark.unit

PACKAGE = Path(calendar_feeds.__file__).resolve().parent
#: Top-level packages calendar_feeds must never import.
FORBIDDEN = {
    "flask",
    "app",
    "werkzeug",
    "sqlalchemy",
    "flask_sqlalchemy",
    "flask_babel",
    "jinja2",
}


def forbidden_imports(source: str) -> list[str]:
    """Return the forbidden modules `source` imports, anywhere in it (functions too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # A relative import stays inside the package (ruff bans them anyway).
            names = [node.module or ""] if node.level == 0 else []
        else:
            continue
        found.extend(
            name
            for name in names
            if name.split(".")[0] in FORBIDDEN or name.startswith("flask_")
        )
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_calendar_feeds_has_modules_to_check() -> None:
    assert PACKAGE / "__init__.py" in _modules()


@pytest.mark.parametrize(
    "module", _modules(), ids=lambda path: str(path.relative_to(PACKAGE))
)
def test_calendar_feeds_module_imports_neither_flask_nor_app(module: Path) -> None:
    assert forbidden_imports(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import flask", ["flask"]),
        ("from flask import current_app", ["flask"]),
        ("import app.core.db", ["app.core.db"]),
        ("from app import models", ["app"]),
        (
            "def f():\n    from app.core.db import db  # noqa: PLC0415\n",
            ["app.core.db"],
        ),
        ("import flask_babel as fb", ["flask_babel"]),
        ("import application, flasky, datetime", []),
        ("from . import uids", []),
        ("import icalendar\nfrom zoneinfo import ZoneInfo", []),
    ],
)
def test_forbidden_imports_finds_flask_and_app(
    source: str, expected: list[str]
) -> None:
    """The check itself must catch what it is there to catch, and nothing else."""
    assert forbidden_imports(source) == expected


@pytest.mark.parametrize(
    ("kind", "key", "domain", "expected"),
    [
        ("event", "42", "vertskap.test", "event-42@vertskap.test"),
        (
            "visit",
            "0f3a9c",
            "trondheim.kommune.no",
            "visit-0f3a9c@trondheim.kommune.no",
        ),
        ("programme", "7", "Vertskap.Test", "programme-7@vertskap.test"),
        # Characters outside letters, digits, dot and hyphen become hyphens.
        ("event", "a b/c@d", "vertskap.test", "event-a-b-c-d@vertskap.test"),
        ("event", "ø", "vertskap.test", "event--@vertskap.test"),
        ("event", "1", "vertskap.test:8443", "event-1@vertskap.test-8443"),
    ],
)
def test_make_uid(kind: str, key: str, domain: str, expected: str) -> None:
    assert make_uid(kind, key, domain) == expected


def test_make_uid_is_stable() -> None:
    assert make_uid("event", "42", "vertskap.test") == make_uid(
        "event", "42", "vertskap.test"
    )


def test_make_uid_keeps_exactly_one_at_sign() -> None:
    uid = make_uid("ev@nt", "k@y", "do@main")

    assert (uid, uid.count("@")) == ("ev-nt-k-y@do-main", 1)


@pytest.mark.parametrize(
    ("kind", "key", "domain"),
    [("", "42", "vertskap.test"), ("event", "", "vertskap.test"), ("event", "42", "")],
    ids=["no_kind", "no_key", "no_domain"],
)
def test_make_uid_refuses_missing_parts(kind: str, key: str, domain: str) -> None:
    with pytest.raises(ValueError, match="required"):
        make_uid(kind, key, domain)
