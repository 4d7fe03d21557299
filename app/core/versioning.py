"""Optimistic locking: a change made from a stale page is refused, never saved over another.

Every editable row carries a `version` that SQLAlchemy raises on each UPDATE
(`version_id_col`) and checks in the UPDATE's WHERE clause. A page that edits
a row sends back the version it showed; the services compare it here before
they change anything, and a race lost between that check and the flush
(another request committed in between) is turned into the same error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy.orm.exc import StaleDataError

from app.core.db import db

#: A version as a page sends it back: digits only, at most nine of them (the
#: column is a 32-bit integer; a row saved a billion times is not expected).
_VERSION_TEXT = re.compile(r"[0-9]{1,9}")


class VersionConflictError(RuntimeError):
    """The row was saved by someone else since the editor loaded it."""


class Versioned(Protocol):
    """A row with an optimistic-lock counter."""

    version: int


def parse_version(value: object) -> int | None:
    """Return the version a form sent back, or None when it is missing or not a version.

    Anything but plain digits (`abc`, an empty value, `-1`, `1e3`, a
    twenty-digit number, non-ASCII digits) is None, which the services treat
    as a conflict: such a save is never accepted.
    """
    if not isinstance(value, str) or not _VERSION_TEXT.fullmatch(value):
        return None
    return int(value)


def check_version(obj: Versioned, expected_version: int | None) -> None:
    """Raise VersionConflictError unless `obj` is still at `expected_version`.

    None (the page sent no readable version) is always a conflict.
    """
    if expected_version is None or obj.version != expected_version:
        raise VersionConflictError()


@contextmanager
def versioned_change(obj: Versioned, expected_version: int | None) -> Iterator[None]:
    """Check the version, let the block change `obj`, then flush.

    Effects: raises VersionConflictError before the block runs when the
    version moved on, and also when the flush finds the row already changed
    by a request that committed after the check (SQLAlchemy's StaleDataError).
    """
    check_version(obj, expected_version)
    try:
        yield
        db.session.flush()
    except StaleDataError as error:
        raise VersionConflictError() from error
