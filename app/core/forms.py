"""Form pieces shared by every feature: localised messages and length-limited fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import validators


def required() -> validators.InputRequired:
    """Return a required-field validator with our own translated message."""
    return validators.InputRequired(message=_l("This field is required."))


def max_length(limit: int) -> validators.Length:
    """Return a validator refusing more than `limit` characters, saying the limit."""
    return validators.Length(
        max=limit, message=_l("Use at most %(limit)d characters.", limit=limit)
    )


def email_address() -> validators.Email:
    """Return an e-mail validator with a translated message."""
    return validators.Email(
        message=_l("Enter a valid e-mail address, such as name@example.org.")
    )


def strip_filter(value: Any) -> Any:
    """Trim surrounding white space of text input."""
    return value.strip() if isinstance(value, str) else value
