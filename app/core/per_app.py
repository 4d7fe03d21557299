"""One object per Flask app, made on first use and kept in `app.extensions`.

Workers keep caches and counters per app rather than per module: tests run many
apps in one process, and their databases reuse ids and times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask

T = TypeVar("T")


def per_app(app: Flask, name: str, make: Callable[[], T]) -> T:
    """Return the app's object called `name`, made by `make` the first time.

    Two threads racing on the first use may both call `make`; `setdefault`
    keeps one, so every caller gets the same object.
    """
    found = app.extensions.get(name)
    if found is None:
        found = app.extensions.setdefault(name, make())
    return found
