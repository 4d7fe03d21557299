"""An id in a path past what an id column holds is a 404 on every route (issue 14).

SQLite raises OverflowError for integers of 2^63 and more, PostgreSQL refuses
anything past 2^31 - 1 for an INTEGER column: both were a 500. The URL map's
`int` converter now matches ids up to `MAX_ID` only, so each rule with an id,
now and later, answers such a path like any unknown one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from app.auth.models import Role
from app.core.inputs import MAX_ID

pytestmark = pytest.mark.integration

#: Past INTEGER, past BIGINT, far past both, and past what Python's int() parses.
HUGE_IDS = (str(MAX_ID + 1), str(2**63), str(10**30), "9" * 5000)
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _id_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


def _paths(rule: Rule, huge: str) -> Iterator[str]:
    """Yield the rule's path with every id huge, then with each id alone huge."""
    ids = [
        name for name, c in rule._converters.items() if isinstance(c, IntegerConverter)
    ]
    for chosen in [ids, *([name] for name in ids if len(ids) > 1)]:
        yield _ARGUMENT.sub(
            lambda m, chosen=chosen: huge if m.group(2) in chosen else "1", rule.rule
        )


def test_the_walk_finds_the_routes_with_ids(app: Flask) -> None:
    """The walk below covers something: the routes of issue 14's count and more."""
    assert len(_id_rules(app)) >= 55


@pytest.mark.parametrize("huge", HUGE_IDS, ids=lambda h: f"{len(h)}-digits")
def test_huge_path_ids_get_404_on_every_route(
    app: Flask, demo_data: None, client: Any, create_user: Any, login: Any, huge: str
) -> None:
    """The demo has rows with id 1, so a path's other ids lead the view on to this one."""
    login(create_user(role=Role.admin))
    answers: dict[str, int] = {}

    for rule in _id_rules(app):
        for path in _paths(rule, huge):
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(path, method=method)
                answers[f"{method} {path[:80]}"] = response.status_code

    assert {where: code for where, code in answers.items() if code != 404} == {}
