"""Form pieces shared by every feature: localised messages and length-limited fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, validators
from wtforms.validators import StopValidation, ValidationError

REQUIRED_MESSAGE = _l("This field is required.")
CHOICE_MESSAGE = _l("Choose one of the options in the list.")


def required() -> validators.InputRequired:
    """Return a required-field validator with our own translated message."""
    return validators.InputRequired(message=REQUIRED_MESSAGE)


class _MaxLength(validators.Length):
    """A length check that ends the field's checks: an overlong value gets one message."""

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


def strip_filter(value: Any) -> Any:
    """Trim surrounding white space of text input."""
    return value.strip() if isinstance(value, str) else value


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
