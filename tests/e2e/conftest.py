"""Fixtures of the browser tests: the seeded live server and fresh browser contexts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from app.core.db import utcnow
from tests.e2e.helpers import seed_calendar


@pytest.fixture
def live_server_seed() -> Callable[[Flask], None]:
    return lambda app: seed_calendar(utcnow().replace(second=0, microsecond=0))


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Return a function opening a page in a fresh context (no cookies); all are closed afterwards."""
    contexts: list[Any] = []

    def _new_page(locale: str = "en-GB", **options: Any) -> Any:
        context = browser.new_context(
            locale=locale, timezone_id="Europe/Oslo", **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()
