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
    EmailField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError

from app.core.durations import EVENT_TOO_LONG, check_duration
from app.core.forms import (
    ChoiceField,
    FlaskForm,
    LocalDateTimeField,
    email_address,
    is_web_link,
    max_length,
    read_local_span,
    required,
    strip_filter,
)
from app.core.timezones import utc_to_local

#: The id of the <datalist> of known places the location field offers.
PLACES_LIST = "known-places"

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

BAD_LINK = _l(
    "Enter a web address, such as ntnu.no/events or https://www.ntnu.no/events."
)
TOO_LONG = _l("Use at most %(limit)d characters; this has %(count)d.")

#: What counts as a web link in a description: an address with its scheme, or
#: one starting with "www." (not the "www." right after a scheme).
_WEB_LINK = re.compile(r"\bhttps?://|(?<![/.\w])www\.", re.IGNORECASE)
#: Salt of the signed opening time, so no other signed value can stand in for it.
_OPENED_SALT = "vertskap.submission-form.opened"
#: A longer `opened` value is not ours; it is not even unsigned.
_MAX_OPENED = 200


#: A web address typed without its scheme: a host name with at least one dot
#: ("example.org", "www.ntnu.no", "blåbær.no"), an optional port, then
#: nothing or a path, query or fragment. "javascript:", "//host", "mailto:"
#: and an e-mail address do not match, so the link check still refuses them.
_BARE_DOMAIN = re.compile(
    r"(?:[^\W_](?:[^\W_]|-){0,62}\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
    r"(?::\d{1,5})?(?:[/?#]\S*)?",
    re.IGNORECASE,
)

#: Wall times the start and end fields read: what a date-and-time picker sends,
#: and the "2026-11-30 14:00" a browser without one lets people type.
_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def with_scheme(value: Any) -> Any:
    """Return a link typed as a bare domain ("example.org/havn", "www.ntnu.no") with https:// added.

    Anything else comes back as it was, for the link check to accept or refuse.
    """
    if isinstance(value, str) and _BARE_DOMAIN.fullmatch(value):
        return f"https://{value}"
    return value


class _Limit:
    """Refuse text longer than `limit` characters, saying the limit and the length.

    It ends the field's checks ("too long" is the one thing to fix) and gives
    the field no `maxlength` of its own: `_limited` says where one goes.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.field_flags: dict[str, Any] = {}

    def __call__(self, form: Any, field: Any) -> None:
        count = len(field.data or "")
        if count > self.limit:
            raise StopValidation(str(TOO_LONG) % {"limit": self.limit, "count": count})


def _check_link(form: Any, field: Any) -> None:
    """Refuse a link that is not an http(s) address (`is_web_link`), once a bare domain got https://."""
    if field.data and not is_web_link(field.data):
        raise ValidationError(str(BAD_LINK))


def _limited(limit: int, *, cut: bool = True, **attributes: Any) -> dict[str, Any]:
    """Return the render_kw of a text field of at most `limit` characters.

    `data-limit` is what the character counter (static/js/submission.js) counts
    to. Single-line fields also get `maxlength` (`cut`), so a browser without
    script stops typing at the limit; the script takes it away again, showing
    "too many" instead of cutting pasted text without a word. A text area never
    gets one: a long pasted description would lose its end unseen.
    """
    kw: dict[str, Any] = {"data-limit": limit, **attributes}
    if cut:
        kw["maxlength"] = limit
    return kw


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
        validators=[required(), _Limit(MAX_TITLE)],
        render_kw=_limited(MAX_TITLE),
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip_filter],
        validators=[_Limit(MAX_DESCRIPTION)],
        render_kw=_limited(MAX_DESCRIPTION, cut=False, rows=8),
    )
    location = StringField(
        _l("Place"),
        filters=[strip_filter],
        validators=[required(), _Limit(MAX_LOCATION)],
        # The known places come as a <datalist> (PLACES_LIST); the browser's
        # own memory of this field would only crowd them out.
        render_kw=_limited(MAX_LOCATION, list=PLACES_LIST, autocomplete="off"),
    )
    link = StringField(
        _l("Link (optional)"),
        filters=[strip_filter, with_scheme],
        validators=[_Limit(MAX_URL), _check_link],
        # Text, not type=url: a browser would call "example.org" invalid,
        # which we take. inputmode still brings the keyboard with "/" and ".no".
        render_kw=_limited(
            MAX_URL, inputmode="url", autocapitalize="none", spellcheck="false"
        ),
    )
    start = LocalDateTimeField(
        _l("Starts"), validators=[required()], format=_LOCAL_FORMATS
    )
    end = LocalDateTimeField(_l("Ends"), validators=[required()], format=_LOCAL_FORMATS)
    is_all_day = BooleanField(_l("All-day event"))
    organiser_id = ChoiceField(_l("Organiser"), coerce=int)
    organiser_name = StringField(
        _l("Or name a new organisation"),
        filters=[strip_filter],
        validators=[_Limit(MAX_ORGANISER_NAME)],
        render_kw=_limited(MAX_ORGANISER_NAME, autocomplete="organization"),
    )
    initiative_id = ChoiceField(_l("Initiative (optional)"), coerce=int)
    submitter_name = StringField(
        _l("Your name"),
        filters=[strip_filter],
        validators=[required(), _Limit(MAX_NAME)],
        render_kw=_limited(MAX_NAME, autocomplete="name"),
    )
    submitter_email = EmailField(
        _l("Your e-mail address"),
        filters=[strip_filter],
        validators=[required(), _Limit(MAX_EMAIL), email_address()],
        render_kw=_limited(MAX_EMAIL, autocomplete="email", spellcheck="false"),
    )
    website = StringField(
        _l("Leave this field empty: it is a trap for spam robots"),
        validators=[max_length(MAX_HONEYPOT)],
    )
    #: When the form was handed out, signed: a post much sooner is a robot's.
    opened = HiddenField()
    submit = SubmitField(_l("Send the event"))

    description_limit = MAX_DESCRIPTION
    places_list = PLACES_LIST
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
        # Pickers open on today and grey out the days before it.
        today = utc_to_local(now, zone).date()
        for field in (self.start, self.end):
            field.render_kw = {**(field.render_kw or {}), "min": f"{today}T00:00"}

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
