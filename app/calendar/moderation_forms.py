"""Forms of the moderation queue: the three decisions and the edit of a pending submission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from app.calendar.moderation import RejectReason
from app.core.durations import EVENT_TOO_LONG, check_duration
from app.core.forms import (
    ChoiceField,
    FlaskForm,
    LocalDateTimeField,
    max_length,
    read_local_span,
    required,
    strip_filter,
    web_link,
)
from app.core.timezones import (
    all_timezones,
    is_valid_timezone,
)
from app.core.visibility import Visibility

#: Longest note a moderator may add to a rejection.
MAX_NOTE = 2000
MAX_DESCRIPTION = 5000

VISIBILITY_CHOICES = [
    SelectChoice(Visibility.public.value, _l("Public")),
    SelectChoice(Visibility.forum.value, _l("Forum (members and staff)")),
    SelectChoice(Visibility.internal.value, _l("Internal (staff only)")),
]

#: How the moderator sees each stock reason in the list.
REASON_CHOICES = [
    SelectChoice(
        RejectReason.unrelated.value,
        _l("Not related to the forum's international work"),
    ),
    SelectChoice(RejectReason.duplicate.value, _l("Duplicate of an existing event")),
    SelectChoice(RejectReason.insufficient.value, _l("Not enough information")),
    SelectChoice(RejectReason.outside_region.value, _l("Outside the region")),
    SelectChoice(RejectReason.commercial.value, _l("Commercial advertising")),
    SelectChoice(RejectReason.other.value, _l("Other (explain in the note)")),
]


class ApproveForm(FlaskForm):
    """Publish the submission as an event with the chosen visibility."""

    visibility = ChoiceField(
        _l("Show the event to"),
        choices=VISIBILITY_CHOICES,
        default=Visibility.public.value,
        validators=[required()],
    )
    approve = SubmitField(_l("Approve and publish"))


class RejectForm(FlaskForm):
    """Refuse the submission with a stock reason and an optional note to the submitter."""

    reason = ChoiceField(_l("Reason"), choices=REASON_CHOICES, validators=[required()])
    note = TextAreaField(
        _l("Note to the submitter (optional)"),
        filters=[strip_filter],
        validators=[max_length(MAX_NOTE)],
    )
    reject = SubmitField(_l("Reject"))

    def validate_note(self, field: TextAreaField) -> None:
        if self.reason.data == RejectReason.other.value and not field.data:
            raise ValidationError(_l("Explain the reason “Other” in a note."))


class SpamForm(FlaskForm):
    """Mark the submission as spam; the submitter hears nothing."""

    spam = SubmitField(_l("Mark as spam"))


class SubmissionEditForm(FlaskForm):
    """A pending submission's proposed event; times are wall times in its own zone.

    For an all-day event only the dates of start and end count: it runs from
    the first day to the last, both included.
    """

    title = StringField(
        _l("Title"), filters=[strip_filter], validators=[required(), max_length(200)]
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip_filter],
        validators=[max_length(MAX_DESCRIPTION)],
    )
    start = LocalDateTimeField(_l("Start"), validators=[required()])
    end = LocalDateTimeField(_l("End"), validators=[required()])
    is_all_day = BooleanField(_l("All day"))
    timezone = ChoiceField(
        _l("Time zone"),
        choices=[SelectChoice(name, name) for name in all_timezones()],
        default="Europe/Oslo",
        validators=[required()],
    )
    location = StringField(
        _l("Location"), filters=[strip_filter], validators=[max_length(300)]
    )
    organiser_id = ChoiceField(_l("Organiser"), coerce=int)
    organiser_name = StringField(
        _l("Organiser not in the directory"),
        filters=[strip_filter],
        validators=[max_length(200)],
    )
    initiative_id = ChoiceField(_l("Initiative"), coerce=int)
    url = StringField(
        _l("Link"), filters=[strip_filter], validators=[max_length(500), web_link()]
    )
    save = SubmitField(_l("Save changes"))

    start_utc: datetime | None = None
    end_utc: datetime | None = None

    def validate_timezone(self, field: ChoiceField) -> None:
        if not is_valid_timezone(field.data or ""):
            raise ValidationError(_l("Choose a time zone from the list."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.timezone.errors or self.start.errors or self.end.errors:
            return False
        span = read_local_span(
            self.start,
            self.end,
            all_day=bool(self.is_all_day.data),
            zone=self.timezone.data,
        )
        if span is None or not check_duration(
            self.start,
            self.end,
            all_day=bool(self.is_all_day.data),
            max_days=current_app.config["EVENT_MAX_DAYS"],
            message=EVENT_TOO_LONG,
        ):
            return False
        self.start_utc, self.end_utc = span
        return valid
