"""The public submission form: a partner proposes an event, no account needed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, SubmitField, TextAreaField

from app.core.forms import (
    ChoiceField,
    FlaskForm,
    LocalDateTimeField,
    email_address,
    max_length,
    read_local_span,
    required,
    strip_filter,
    web_link,
)

#: Length limits, matching the columns of `Submission`.
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_LOCATION = 300
MAX_ORGANISER_NAME = 200
MAX_URL = 500
MAX_NAME = 200
MAX_EMAIL = 254
MAX_HONEYPOT = 200

ORGANISER_MISSING = _l("Choose an organisation from the list, or name a new one.")
ORGANISER_BOTH = _l("Choose an organisation from the list or name a new one, not both.")


class SubmissionForm(FlaskForm):
    """A proposed event and its submitter; times are wall times in `zone`.

    `website` is the honeypot: hidden from people, tempting to robots. The view
    checks it; the form only carries it.
    """

    title = StringField(
        _l("Title"),
        filters=[strip_filter],
        validators=[required(), max_length(MAX_TITLE)],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip_filter],
        validators=[max_length(MAX_DESCRIPTION)],
    )
    location = StringField(
        _l("Place"),
        filters=[strip_filter],
        validators=[required(), max_length(MAX_LOCATION)],
    )
    link = StringField(
        _l("Link (optional)"),
        filters=[strip_filter],
        validators=[max_length(MAX_URL), web_link()],
    )
    start = LocalDateTimeField(_l("Starts"), validators=[required()])
    end = LocalDateTimeField(_l("Ends"), validators=[required()])
    is_all_day = BooleanField(_l("All-day event"))
    organiser_id = ChoiceField(_l("Organiser"), coerce=int)
    organiser_name = StringField(
        _l("Or name a new organisation"),
        filters=[strip_filter],
        validators=[max_length(MAX_ORGANISER_NAME)],
    )
    initiative_id = ChoiceField(_l("Initiative (optional)"), coerce=int)
    submitter_name = StringField(
        _l("Your name"),
        filters=[strip_filter],
        validators=[required(), max_length(MAX_NAME)],
    )
    submitter_email = StringField(
        _l("Your e-mail address"),
        filters=[strip_filter],
        validators=[required(), max_length(MAX_EMAIL), email_address()],
    )
    website = StringField(
        _l("Leave this field empty: it is a trap for spam robots"),
        validators=[max_length(MAX_HONEYPOT)],
    )
    submit = SubmitField(_l("Send the event"))

    description_limit = MAX_DESCRIPTION
    start_utc: datetime | None = None
    end_utc: datetime | None = None

    def __init__(self, *args: Any, zone: str, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now

    @property
    def is_robot(self) -> bool:
        """Return whether the honeypot was filled in."""
        return bool((self.website.data or "").strip())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        valid = self._check_organiser() and valid
        if self.start.errors or self.end.errors:
            return False
        span = read_local_span(
            self.start, self.end, all_day=bool(self.is_all_day.data), zone=self.zone
        )
        if span is None or not self._check_future(span[0]):
            return False
        self.start_utc, self.end_utc = span
        return valid

    def _check_organiser(self) -> bool:
        if self.organiser_id.errors:
            return False
        chosen = bool(self.organiser_id.data)
        named = bool(self.organiser_name.data)
        if chosen == named:
            message = ORGANISER_BOTH if chosen else ORGANISER_MISSING
            self.organiser_id.errors = [*self.organiser_id.errors, str(message)]
            return False
        return True

    def _check_future(self, start_utc: datetime) -> bool:
        """Refuse a past start: a past day for all-day events, a past time otherwise."""
        if self.is_all_day.data:
            today = self.now.astimezone(ZoneInfo(self.zone)).date()
            if self.start.data.date() < today:
                self.start.errors = [
                    *self.start.errors,
                    str(_l("The event cannot start in the past. Give a future date.")),
                ]
                return False
        elif start_utc < self.now:
            self.start.errors = [
                *self.start.errors,
                str(_l("The event cannot start in the past. Give a future time.")),
            ]
            return False
        return True
