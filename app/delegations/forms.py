"""Forms of the delegation register: the visit itself and its status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel import Locale
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, ValidationError

from app.core.durations import VISIT_TOO_LONG, check_duration
from app.core.forms import (
    ChoiceField,
    EditedVersion,
    FlaskForm,
    LocalDateTimeField,
    local_field_to_utc,
    max_length,
    required,
    strip_filter,
)
from app.core.timezones import all_timezones, is_valid_timezone
from app.core.visibility import Visibility
from app.delegations.models import DelegationStatus, Direction, ProtocolLevel

DIRECTION_LABELS = {
    Direction.incoming: _l("Incoming (they visit us)"),
    Direction.outgoing: _l("Outgoing (we visit them)"),
}
PROTOCOL_LABELS = {
    ProtocolLevel.state: _l("State or royal"),
    ProtocolLevel.ministerial: _l("Ministerial"),
    ProtocolLevel.ambassador: _l("Ambassador"),
    ProtocolLevel.mayoral: _l("Mayoral"),
    ProtocolLevel.professional: _l("Professional"),
    ProtocolLevel.business: _l("Business"),
    ProtocolLevel.academic: _l("Academic"),
    ProtocolLevel.youth: _l("Youth or school"),
}
STATUS_LABELS = {
    DelegationStatus.enquiry: _l("Enquiry"),
    DelegationStatus.tentative: _l("Tentative"),
    DelegationStatus.confirmed: _l("Confirmed"),
    DelegationStatus.completed: _l("Completed"),
    DelegationStatus.cancelled: _l("Cancelled"),
}
VISIBILITY_LABELS = {
    Visibility.internal: _l("Internal (staff only)"),
    Visibility.forum: _l("Forum (members and staff)"),
    Visibility.public: _l("Public"),
}
#: Codes Babel knows that are not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_NOTES = 20000
MAX_BUDGET = 1_000_000_000


def country_choices() -> list[SelectChoice]:
    """Return every country as (ISO code, name in the viewer's language), by name."""
    locale = get_locale() or Locale.parse("nb_NO")
    names = {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }
    ordered = sorted(names.items(), key=lambda pair: pair[1].casefold())
    return [SelectChoice("", _l("Choose a country"))] + [
        SelectChoice(code, name) for code, name in ordered
    ]


def is_country_code(code: str) -> bool:
    """Whether `code` is the upper-case two-letter code of a country Babel knows."""
    return (
        len(code) == 2
        and code.isalpha()
        and code not in _NOT_COUNTRIES
        and code in Locale.parse("en").territories
    )


def country_name(code: str) -> str:
    """Return a country's name in the viewer's language, or the code if unknown."""
    locale = get_locale() or Locale.parse("nb_NO")
    return str(locale.territories.get(code, code))


def _enum_choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(value.value, label) for value, label in labels.items()]


class DelegationForm(EditedVersion, FlaskForm):
    """Every field of a visit; times are wall times in the visit's own zone."""

    direction = ChoiceField(
        _l("Direction"),
        choices=_enum_choices(DIRECTION_LABELS),
        validators=[required()],
    )
    title = StringField(
        _l("Title"),
        filters=[strip_filter],
        validators=[required(), max_length(MAX_TITLE)],
    )
    city_id = ChoiceField(_l("City"), coerce=int, validators=[Optional()])
    country = ChoiceField(_l("Country"), validators=[required()])
    foreign_organisations = TextAreaField(
        _l("Foreign organisations"),
        filters=[strip_filter],
        validators=[max_length(MAX_TEXT)],
    )
    head_of_delegation = StringField(
        _l("Head of delegation"),
        filters=[strip_filter],
        validators=[max_length(200)],
    )
    protocol_level = ChoiceField(
        _l("Protocol level"),
        choices=_enum_choices(PROTOCOL_LABELS),
        validators=[required()],
    )
    size = IntegerField(
        _l("Number of people"),
        validators=[
            Optional(),
            NumberRange(
                min=1, max=10000, message=_l("Enter a number from 1 to 10000.")
            ),
        ],
    )
    arrival = LocalDateTimeField(_l("Arrival"), validators=[required()])
    departure = LocalDateTimeField(_l("Departure"), validators=[required()])
    timezone = ChoiceField(
        _l("Time zone of the visit"),
        choices=[SelectChoice(name, name) for name in all_timezones()],
        default="Europe/Oslo",
        validators=[required()],
    )
    visibility = ChoiceField(
        _l("Visibility"),
        choices=_enum_choices(VISIBILITY_LABELS),
        default=Visibility.internal.value,
        validators=[required()],
    )
    host_contact_id = ChoiceField(_l("Host contact"), coerce=int)
    host_organisation_id = ChoiceField(_l("Host organisation"), coerce=int)
    co_host_ids = SelectMultipleField(_l("Co-host organisations"), coerce=int)
    initiative_id = ChoiceField(_l("Initiative"), coerce=int)
    theme_ids = SelectMultipleField(_l("Themes"), coerce=int)
    languages = StringField(
        _l("Languages"), filters=[strip_filter], validators=[max_length(200)]
    )
    needs_interpreter = BooleanField(_l("Needs an interpreter"))
    cost_bearer = StringField(
        _l("Who pays for what"), filters=[strip_filter], validators=[max_length(300)]
    )
    budget_nok = IntegerField(
        _l("Budget (NOK)"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=MAX_BUDGET, message=_l("Enter a whole number of kroner.")
            ),
        ],
    )
    notes = TextAreaField(
        _l("Notes"), filters=[strip_filter], validators=[max_length(MAX_NOTES)]
    )
    submit = SubmitField(_l("Save the visit"))

    arrival_utc: datetime | None = None
    departure_utc: datetime | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def validate_timezone(self, field: ChoiceField) -> None:
        if not is_valid_timezone(field.data or ""):
            raise ValidationError(_l("Choose a time zone from the list."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.timezone.errors or self.arrival.errors or self.departure.errors:
            return False
        zone = self.timezone.data
        self.arrival_utc = local_field_to_utc(self.arrival, zone)
        self.departure_utc = local_field_to_utc(self.departure, zone)
        if self.arrival_utc is None or self.departure_utc is None:
            return False
        if self.departure_utc <= self.arrival_utc:
            self.departure.errors = [
                *self.departure.errors,
                str(_l("The departure must be after the arrival.")),
            ]
            return False
        if not check_duration(
            self.arrival,
            self.departure,
            all_day=False,
            max_days=current_app.config["VISIT_MAX_DAYS"],
            message=VISIT_TOO_LONG,
        ):
            return False
        return valid


class StatusForm(FlaskForm):
    """A status change with an optional comment for the history."""

    to = ChoiceField(
        _l("New status"),
        choices=_enum_choices(STATUS_LABELS),
        validators=[required()],
    )
    comment = TextAreaField(
        _l("Comment (optional)"), filters=[strip_filter], validators=[max_length(1000)]
    )
