"""Forms of the follow-up pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional, StopValidation

from app.core.forms import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    ChoiceField,
    max_length,
    required,
    strip_filter,
)
from app.delegations.models import FollowUpStatus

STATUS_LABELS = {
    FollowUpStatus.open: _l("Open"),
    FollowUpStatus.in_progress: _l("In progress"),
    FollowUpStatus.done: _l("Done"),
    FollowUpStatus.dropped: _l("Dropped"),
}


class _DateField(DateField):
    """A date with a translated message and a sane year range."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Enter a date, such as 2026-12-31."))) from error

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and not EARLIEST_YEAR <= self.data.year <= LATEST_YEAR:
            raise StopValidation(
                _l(
                    "Use a year between %(first)d and %(last)d.",
                    first=EARLIEST_YEAR,
                    last=LATEST_YEAR,
                )
            )


class FollowUpForm(FlaskForm):
    """One follow-up item."""

    title = StringField(
        _l("What to follow up"),
        filters=[strip_filter],
        validators=[required(), max_length(300)],
    )
    owner_id = ChoiceField(_l("Owner"), coerce=int)
    deadline = _DateField(_l("Deadline"), validators=[Optional()])
    status = ChoiceField(
        _l("Status"),
        choices=[
            SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()
        ],
        default=FollowUpStatus.open.value,
    )
    notes = TextAreaField(
        _l("Notes"), filters=[strip_filter], validators=[max_length(5000)]
    )
    submit = SubmitField(_l("Save follow-up item"))


class FollowUpStatusForm(FlaskForm):
    """A one-click status change (close or reopen)."""

    status = ChoiceField(
        _l("Status"),
        choices=[
            SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()
        ],
    )
