"""The public submission form: a partner proposes an event, no account needed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import (
    BooleanField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from app.core.durations import EVENT_TOO_LONG, check_duration
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
TOO_MANY_LINKS = _l(
    "Use at most %(limit)d web links in the description; it has %(count)d."
)
SENT_TOO_QUICKLY = _l(
    "The form was sent very soon after it opened, as spam robots do. Check that all is right and send it again: everything you typed is kept."
)
FORM_TOO_OLD = _l(
    "The form was open for a long time, so we could not accept it as it was. Check that all is right and send it again: everything you typed is kept."
)

#: What counts as a web link in a description: an address with its scheme, or
#: one starting with "www." (not the "www." right after a scheme).
_WEB_LINK = re.compile(r"\bhttps?://|(?<![/.\w])www\.", re.IGNORECASE)
#: Salt of the signed opening time, so no other signed value can stand in for it.
_OPENED_SALT = "vertskap.submission-form.opened"
#: A longer `opened` value is not ours; it is not even unsigned.
_MAX_OPENED = 200


def count_links(text: str) -> int:
    """Return how many web links `text` holds."""
    return len(_WEB_LINK.findall(text))


def _opened_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_OPENED_SALT)


def sign_opened(now: datetime) -> str:
    """Return the signed time the form was handed out, for its hidden `opened` field."""
    return _opened_signer().dumps(round(now.timestamp(), 3))


def seconds_open(signed: str | None, *, now: datetime) -> float | None:
    """Return how long ago a form was handed out, or None if `signed` is missing or forged."""
    if not signed or len(signed) > _MAX_OPENED:
        return None
    try:
        opened = _opened_signer().loads(signed)
    except BadSignature:
        return None
    if isinstance(opened, bool) or not isinstance(opened, int | float):
        return None
    return now.timestamp() - opened


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
    #: When the form was handed out, signed: a post much sooner is a robot's.
    opened = HiddenField()
    submit = SubmitField(_l("Send the event"))

    description_limit = MAX_DESCRIPTION
    start_utc: datetime | None = None
    end_utc: datetime | None = None
    #: Set by validate() when the post came too soon or with a stale or forged
    #: `opened`: said above the form, which is shown again as it was typed.
    timing_problem: str | None = None

    def __init__(self, *args: Any, zone: str, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now
        if not self.is_submitted():
            self.opened.data = sign_opened(now)

    @property
    def is_robot(self) -> bool:
        """Return whether the honeypot was filled in."""
        return bool((self.website.data or "").strip())

    def validate(self, extra_validators: Any = None) -> bool:
        on_time = self._check_timing()
        return self._check_fields(extra_validators) and on_time

    def validate_description(self, field: TextAreaField) -> None:
        limit = current_app.config["SUBMISSION_MAX_LINKS"]
        count = count_links(field.data or "")
        if count > limit:
            raise ValidationError(
                str(TOO_MANY_LINKS) % {"limit": limit, "count": count}
            )

    def _check_fields(self, extra_validators: Any) -> bool:
        valid = super().validate(extra_validators)
        valid = self._check_organiser() and valid
        if self.start.errors or self.end.errors:
            return False
        all_day = bool(self.is_all_day.data)
        span = read_local_span(self.start, self.end, all_day=all_day, zone=self.zone)
        if span is None or not self._check_future(span[0]):
            return False
        if not check_duration(
            self.start,
            self.end,
            all_day=all_day,
            max_days=current_app.config["EVENT_MAX_DAYS"],
            message=EVENT_TOO_LONG,
        ):
            return False
        self.start_utc, self.end_utc = span
        return valid

    def _check_timing(self) -> bool:
        """Refuse a post sooner than SUBMISSION_MIN_FILL_SECONDS after the form opened.

        A stale, forged or missing opening time is refused too, and replaced by
        a fresh one; a post that was only too quick keeps its time, so sending
        it again a moment later goes through.
        """
        minimum = current_app.config["SUBMISSION_MIN_FILL_SECONDS"]
        if not minimum:
            return True
        age = seconds_open(self.opened.data, now=self.now)
        if age is None or age > current_app.config["SUBMISSION_FORM_MAX_HOURS"] * 3600:
            self.opened.data = sign_opened(self.now)
            self.timing_problem = str(FORM_TOO_OLD)
            return False
        if age < minimum:
            self.timing_problem = str(SENT_TOO_QUICKLY)
            return False
        return True

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
