"""Which language and time zone a page or mail is rendered in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app, request, session
from flask_login import current_user

#: The languages we speak, as stored on users: Norwegian bokmål and English.
LOCALES = ("nb", "en")
#: The Babel locale each language formats dates and numbers with: English as
#: written in Europe ("26 Nov 2026, 14:00"), not the United States.
_FORMAT_LOCALES = {"nb": "nb_NO", "en": "en_GB"}


def babel_locale(language: str) -> str:
    """Return the Babel locale for one of our languages."""
    return _FORMAT_LOCALES.get(language, _FORMAT_LOCALES["nb"])


def format_local_datetime(instant: datetime, zone: str, *, locale: str) -> str:
    """Return date and time of an instant on the clock of `zone`, without seconds.

    "1 Dec 2026, 10:00" in English, "1. des. 2026, 10:00" in Norwegian.
    """
    tz = ZoneInfo(zone)
    return f"{format_date(instant.astimezone(tz), 'medium', locale=locale)}, {format_time(instant, 'short', tzinfo=tz, locale=locale)}"


def select_language() -> str:
    """Return the viewer's language: their account's, their choice, their browser's, or the default."""
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    best = request.accept_languages.best_match(["nb", "no", "nn", "en"])
    if best in {"no", "nn"}:
        return "nb"
    return best or str(current_app.config["DEFAULT_LOCALE"])


def select_locale() -> str:
    """Return the Babel locale of the viewer's language (Flask-Babel's locale selector)."""
    return babel_locale(select_language())


def select_timezone() -> str:
    """Return the viewer's time zone: their account's or the city's."""
    if current_user and current_user.is_authenticated:
        return str(current_user.timezone)
    return str(current_app.config["TIMEZONE"])
