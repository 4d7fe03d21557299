"""Form pieces shared by every feature: localised messages and length-limited fields."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import flask_wtf
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms.fields.core import UnboundField
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation, ValidationError

from app.core.conflicts import Conflict, field_digests, merge_saved
from app.core.inputs import clean_line, clean_text
from app.core.timezones import LocalTimeError, local_to_utc
from app.core.versioning import parse_version

REQUIRED_MESSAGE = _l("This field is required.")
CHOICE_MESSAGE = _l("Choose one of the options in the list.")


class _Required(validators.InputRequired):
    """InputRequired that also refuses text made only of white space."""

    def __call__(self, form: Any, field: Any) -> None:
        super().__call__(form, field)
        if isinstance(field.data, str) and not field.data.strip():
            field.errors[:] = []
            raise StopValidation(self.message)


def required() -> validators.InputRequired:
    """Return a required-field validator with our own translated message; blanks count as empty."""
    return _Required(message=REQUIRED_MESSAGE)


class _MaxLength(validators.Length):
    """A length check that ends the field's checks: an overlong value gets one message.

    It gives the field no `maxlength` attribute: browsers cut pasted text at
    that length without a word, so the server refuses it instead, saying the
    limit, and the page shows the whole text again to shorten.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_flags: dict[str, Any] = {}

    def __call__(self, form: Any, field: Any) -> None:
        try:
            super().__call__(form, field)
        except ValidationError as error:
            raise StopValidation(error.args[0]) from error


def max_length(limit: int) -> validators.Length:
    """Return a validator refusing more than `limit` characters, saying the limit.

    Nothing else is said about such a value: "too long" is the one thing to fix.
    """
    return _MaxLength(
        max=limit, message=_l("Use at most %(limit)d characters.", limit=limit)
    )


def email_address() -> validators.Email:
    """Return an e-mail validator with a translated message."""
    return validators.Email(
        message=_l("Enter a valid e-mail address, such as name@example.org.")
    )


#: The only schemes a link typed into a form may use.
WEB_LINK_SCHEMES = frozenset({"http", "https"})


def is_web_link(value: str) -> bool:
    """Return whether `value` is an absolute http(s) address with a host and no spaces.

    `javascript:`, `data:`, scheme-relative `//host` and anything with control
    characters or blanks inside are refused; pages link only what passes.
    """
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_LINK_SCHEMES and bool(host)


class _WebLink:
    message = _l(
        "Use a web address that starts with http:// or https://, such as https://example.org/event."
    )

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not is_web_link(field.data):
            raise ValidationError(str(self.message))


def web_link() -> _WebLink:
    """Return a validator accepting an empty value or an http(s) address (`is_web_link`)."""
    return _WebLink()


def strip_filter(value: Any) -> Any:
    """Trim surrounding white space of text input."""
    return value.strip() if isinstance(value, str) else value


def _line_filter(value: Any) -> Any:
    return clean_line(value) if isinstance(value, str) else value


def _text_filter(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


class FlaskForm(flask_wtf.FlaskForm):  # noqa: TID251 -- the one place it is used
    """The base of every form: its text fields lose control characters first.

    A text area keeps TAB and LF (CRLF and CR become LF), any other text field
    (passwords and hidden fields included) keeps TAB only; see `app.core.inputs`.
    The filter runs before the field's own filters, so `strip_filter` sees the
    cleaned text.
    """

    class Meta(DefaultMeta):
        def bind_field(
            self, form: Any, unbound_field: UnboundField, options: dict[str, Any]
        ) -> Any:
            kind = unbound_field.field_class
            if issubclass(kind, TextAreaField):
                first = _text_filter
            elif issubclass(kind, StringField):
                first = _line_filter
            else:
                return super().bind_field(form, unbound_field, options)
            own = unbound_field.kwargs.get("filters", ())
            return super().bind_field(
                form, unbound_field, {**options, "filters": [first, *own]}
            )


class ChoiceField(SelectField):
    """A select list whose missing or unknown value gets one translated message.

    WTForms' own SelectField reports an empty required choice twice ("Not a
    valid choice." and "This field is required.") and a value that cannot be
    coerced ("abc" for an id) in WTForms' words; this says it once, in ours.
    """

    data: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_value_message", CHOICE_MESSAGE)
        kwargs.setdefault("invalid_choice_message", CHOICE_MESSAGE)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and valuelist[0] == "":
            self.data = None  # reported once by pre_validate, not as a coercion error
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form: Any) -> None:
        if self.flags.required and not (self.raw_data and self.raw_data[0]):
            raise StopValidation(REQUIRED_MESSAGE)
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise StopValidation(error.args[0]) from error
        if self.process_errors:
            raise StopValidation()  # the coercion message is already recorded


#: Years a date or time field accepts; WTForms alone takes year 1 and 9999.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class LocalDateTimeField(DateTimeLocalField):
    """A wall-clock date and time (no zone yet), with translated messages and a sane year range.

    Turn it into an instant with `local_field_to_utc`, which knows the zone.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
        kwargs.setdefault("render_kw", {}).setdefault("step", 60)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(DATETIME_MESSAGE)) from error

    def pre_validate(self, form: Any) -> None:
        _check_year(self.data)


DATETIME_MESSAGE = _l("Enter a date and time, such as 2026-11-30 14:00.")
DATE_MESSAGE = _l("Enter a date, such as 2026-11-30.")


def _check_year(value: Any) -> None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise StopValidation(
            _l(
                "Use a year between %(first)d and %(last)d.",
                first=EARLIEST_YEAR,
                last=LATEST_YEAR,
            )
        )


class BoundedDateField(DateField):
    """A calendar date with a translated message and a sane year range."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(DATE_MESSAGE)) from error

    def pre_validate(self, form: Any) -> None:
        _check_year(self.data)


_LOCAL_TIME_MESSAGES = {
    "nonexistent": _l(
        "%(time)s does not exist in %(zone)s: the clocks jump forward that night. Choose another time."
    ),
    "ambiguous": _l(
        "%(time)s happens twice in %(zone)s: the clocks go back that night. Choose a time outside that hour."
    ),
}


def local_field_to_utc(field: Any, zone: str) -> datetime | None:
    """Return the UTC instant of a LocalDateTimeField's wall time in `zone`.

    A time skipped or repeated by a daylight-saving change is never guessed: the
    field gets a clear error and None comes back.
    """
    if field.data is None:
        return None
    try:
        return local_to_utc(field.data, zone)
    except LocalTimeError as error:
        message = str(_LOCAL_TIME_MESSAGES[error.kind]) % {
            "time": field.data.strftime("%Y-%m-%d %H:%M"),
            "zone": zone,
        }
        field.errors = [*field.errors, message]
        return None


def _add_error(field: Any, message: Any) -> None:
    field.errors = [*field.errors, str(message)]


def read_local_span(
    start: Any, end: Any, *, all_day: bool, zone: str
) -> tuple[datetime, datetime] | None:
    """Return the UTC span of a start and an end field read as wall times in `zone`.

    All-day spans run from local midnight of the first day to local midnight
    after the last (so they compare with timed ones); only the fields' dates
    count then. Problems go onto the fields as clear errors, and None comes back.
    """
    if start.data is None or end.data is None:
        return None
    if all_day:
        first, last = start.data.date(), end.data.date()
        if last < first:
            _add_error(end, _l("The last day cannot be before the first day."))
            return None
        try:
            return (
                local_to_utc(datetime.combine(first, time()), zone),
                local_to_utc(datetime.combine(last + timedelta(days=1), time()), zone),
            )
        except LocalTimeError:
            _add_error(
                start, _l("Midnight does not exist on that day in this time zone.")
            )
            return None
    start_utc = local_field_to_utc(start, zone)
    end_utc = local_field_to_utc(end, zone)
    if start_utc is None or end_utc is None:
        return None
    if end_utc <= start_utc:
        _add_error(end, _l("The end must be after the start."))
        return None
    return start_utc, end_utc


class _SentBackField(HiddenField):
    """A hidden field that holds, on a post, only what the page sent back.

    Never the `obj=` attribute of the same name (a row's own `version`), which
    would make a post without the field look current.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else None


class EditedVersion:
    """Mix into an edit form: the version of the row the editor loaded, in hidden fields.

    The service compares it with the row's version on save, so a stale save
    becomes a conflict page instead of overwriting someone else's change; the
    fields' digests as loaded let that page tell whose change each field is
    (`app.core.conflicts`). Templates render both with `version_fields(form)`
    from `_macros/conflict.html`.
    """

    #: The version the editor loaded; a different one on save is a conflict.
    version = _SentBackField()
    #: Digests of the fields as loaded ("name=digest;..."), for the conflict merge.
    loaded = _SentBackField()

    def loaded_version(self) -> int | None:
        """Return the version the editor loaded, or None if it is missing or not a version."""
        return parse_version(self.version.data)

    def remember_loaded(self, version: int) -> None:
        """Keep `version` and the fields' digests as they are filled now (on the edit page's GET)."""
        self.version.data = str(version)
        self.loaded.data = field_digests(self)

    def merge_saved(self, saved: Any, *, version: int) -> Conflict:
        """Merge this refused form with `saved` (the row now, at `version`); see `merge_saved`."""
        return merge_saved(self, saved, version=version)
