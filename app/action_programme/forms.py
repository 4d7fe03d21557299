"""The office's forms for a matrix row: edit its cells, or add a theme to a period."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, lazy_pgettext
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Regexp, ValidationError

from app.core.forms import (
    BoundedDateField,
    EditedVersion,
    FlaskForm,
    max_length,
    required,
    strip_filter,
)

#: A cell holds a paragraph or a short list, as in the seed document; this is ample.
MAX_CELL = 5000
#: "2011-2012" or a single year.
PERIOD_PATTERN = r"^\d{4}(-\d{4})?$"


class ThemeForm(EditedVersion, FlaskForm):
    """A matrix row's cells and the date its status is given as of.

    `current_as_of` is the row's saved status date: a status may be corrected
    on that date or given as of a later one, never an earlier one, so a past
    report is not rewritten from the edit form.
    """

    title = StringField(
        lazy_pgettext("action programme matrix", "Theme"),
        filters=[strip_filter],
        validators=[required(), max_length(200)],
    )
    actors = TextAreaField(
        lazy_pgettext("action programme matrix", "Actors"),
        filters=[strip_filter],
        validators=[max_length(MAX_CELL)],
    )
    done = TextAreaField(
        lazy_pgettext("action programme matrix", "Done"),
        filters=[strip_filter],
        validators=[max_length(MAX_CELL)],
    )
    planned = TextAreaField(
        lazy_pgettext("action programme matrix", "Planned"),
        filters=[strip_filter],
        validators=[max_length(MAX_CELL)],
    )
    status = TextAreaField(
        lazy_pgettext("action programme matrix", "Status"),
        filters=[strip_filter],
        validators=[max_length(MAX_CELL)],
    )
    status_as_of = BoundedDateField(_l("Status as of"), validators=[required()])
    submit = SubmitField(_l("Save the theme"))

    current_as_of: date | None = None

    def validate_status_as_of(self, field: BoundedDateField) -> None:
        if (
            self.current_as_of is not None
            and field.data is not None
            and field.data < self.current_as_of
        ):
            raise ValidationError(
                _l(
                    "The status is already given as of %(date)s. Use that date to correct it, or a later one for a new status.",
                    date=format_date(self.current_as_of, "short"),
                )
            )


class NewThemeForm(ThemeForm):
    """A new row, in an existing programme period or in a new one."""

    programme_period = StringField(
        _l("Programme period"),
        filters=[strip_filter],
        validators=[
            required(),
            Regexp(
                PERIOD_PATTERN,
                message=_l("Write the period as a year or two years, e.g. 2013-2014."),
            ),
        ],
    )
    submit = SubmitField(_l("Add the theme"))

    def validate_programme_period(self, field: StringField) -> None:
        first, _dash, last = (field.data or "").partition("-")
        if last and int(last) < int(first):
            raise ValidationError(
                _l("The period must end in or after the year it starts.")
            )
