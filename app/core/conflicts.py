"""The conflict page's merge: a stale edit form against the row as saved meanwhile.

An edit page remembers, beside the version, a short digest of each field as
the editor loaded it. When the save is refused because someone else saved
first, each field that differs from the saved row is one of three cases:

- only the other person changed it: the form takes their value;
- only this editor changed it: the form keeps the typed value;
- both changed it: the form keeps the typed value and shows theirs beside it,
  for the editor to choose.

Without readable digests (an old or damaged page) every differing field
counts as changed by both, so nothing of either person is dropped unseen.
The form then carries the saved row's version and digests, and saving it is
an ordinary save.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField

from app.core.db import db
from app.core.versioning import VersionConflictError, parse_version

#: Fields that are not the editor's input (the CSRF token is a hidden field too).
_NOT_INPUT = (SubmitField, HiddenField)

#: What a one-click action (a button, not an edit page) says when its page was stale.
STALE_ACTION_MESSAGE = _l(
    "Nothing was done: someone else changed it after you opened the page. Check what it says now and try again."
)


def commit_unless_stale(change: Callable[[], object]) -> bool:
    """Run a one-click action and commit it; if its page was stale, roll back and say so.

    Return whether the action was saved.
    """
    try:
        change()
        db.session.commit()
    except VersionConflictError:
        db.session.rollback()
        flash(str(STALE_ACTION_MESSAGE), "error")
        return False
    return True


class Outcome(enum.StrEnum):
    """Whose value a differing field holds after the merge."""

    theirs = "theirs"  # only the other person changed it
    yours = "yours"  # only this editor changed it
    both = "both"  # both changed it: the typed value stays, theirs is shown beside it


@dataclass(frozen=True)
class ConflictRow:
    """One field where the saved row and the editor's form differ."""

    label: str
    theirs: str
    yours: str
    outcome: Outcome


@dataclass(frozen=True)
class Conflict:
    """What the conflict notice shows."""

    rows: list[ConflictRow]
    #: The page sent no readable version: damaged, forged or from an older release.
    damaged: bool


def input_fields(form: Any) -> Iterator[Any]:
    """Yield the fields the editor fills in (not buttons, tokens or hidden fields)."""
    return (field for field in form if not isinstance(field, _NOT_INPUT))


def _token(value: Any) -> str:
    """Return a field's value as comparable text, the same whether loaded or posted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _token(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return "\x1f".join(sorted(_token(item) for item in value))
    # Browsers send a text area's line breaks as CRLF.
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _digest(token: str) -> str:
    return hashlib.blake2s(token.encode("utf-8"), digest_size=6).hexdigest()


def field_digests(form: Any) -> str:
    """Return "name=digest;..." of the form's input fields as they hold now."""
    return ";".join(
        f"{field.name}={_digest(_token(field.data))}" for field in input_fields(form)
    )


def _read_digests(text: Any) -> dict[str, str]:
    """Return name -> digest from `field_digests` text; {} when it is not such text."""
    digests: dict[str, str] = {}
    for pair in str(text or "").split(";"):
        name, _sep, digest = pair.partition("=")
        if not name or len(digest) != 12:
            return {}
        digests[name] = digest
    return digests


def _labels(field: Any) -> dict[str, str] | None:
    choices = getattr(field, "choices", None)
    if not choices:
        return None
    if isinstance(choices, dict):  # option groups
        choices = [choice for group in choices.values() for choice in group]
    labels = {}
    for choice in choices:
        value, label = (
            (choice.value, choice.label)
            if hasattr(choice, "value")
            else (choice[0], choice[1])
        )
        labels[str(value)] = str(label)
    return labels


def shown(field: Any, value: Any) -> str:
    """Return a value of `field` as its reader knows it: labels, not ids."""
    labels = _labels(field)
    if isinstance(value, list | tuple | set):
        return ", ".join(
            (labels or {}).get(str(item), str(item)) for item in sorted(value, key=str)
        )
    if labels is not None and str(value) in labels:
        return labels[str(value)]
    if value is None or (labels is not None and value in (0, "0", "")):
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def merge_saved(form: Any, saved: Any, *, version: int) -> Conflict:
    """Merge the editor's refused `form` with `saved`, the same form filled from the row now.

    Effects on `form`: fields only the other person changed take their value;
    fields both changed keep the typed value and get a `conflict_note` (the
    other person's value) for the page to show at the field; the hidden
    fields then carry `version` and the digests of `saved`, so saving the
    form again is an ordinary save of the merged values.
    """
    loaded = _read_digests(form.loaded.data)
    rows = []
    for field in input_fields(form):
        other = saved[field.name]
        yours, theirs = _token(field.data), _token(other.data)
        if yours == theirs:
            continue
        base = loaded.get(field.name)
        if base == _digest(yours):
            outcome = Outcome.theirs
        elif base == _digest(theirs):
            outcome = Outcome.yours
        else:
            outcome = Outcome.both
        rows.append(
            ConflictRow(
                label=str(field.label.text),
                theirs=shown(field, other.data),
                yours=shown(field, field.data),
                outcome=outcome,
            )
        )
        if outcome is Outcome.theirs:
            field.data = (
                list(other.data) if isinstance(other.data, list) else other.data
            )
            field.raw_data = None  # render from data, not from what was posted
        elif outcome is Outcome.both:
            field.conflict_note = rows[-1].theirs
    damaged = parse_version(form.version.data) is None
    form.version.data = str(version)
    form.loaded.data = field_digests(saved)
    return Conflict(rows=rows, damaged=damaged)
