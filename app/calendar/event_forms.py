"""The staff event form: times in the event's zone, recurrence as plain choices.

The recurrence choices become an RRULE in `app.calendar.rule_choices`.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import NumberRange, Optional, ValidationError

from app.calendar.models import EventStatus
from app.calendar.recurrence import RecurrenceError, parse_rule
from app.calendar.rule_choices import (
    WEEKDAY_LABELS,
    WEEKDAYS,
    RuleFields,
    build_rule,
    parse_date_lines,
)
from app.core.durations import EVENT_TOO_LONG, check_duration
from app.core.forms import (
    DATE_MESSAGE,
    BoundedDateField,
    ChoiceField,
    EditedVersion,
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

MAX_TITLE = 200
MAX_DESCRIPTION = 10000
MAX_LOCATION = 300
MAX_URL = 500
MAX_INTERVAL = 99
MAX_COUNT = 500
MAX_EXDATES = 200

VISIBILITY_LABELS = {
    Visibility.public: _l("Public"),
    Visibility.forum: _l("Forum (members and staff)"),
    Visibility.internal: _l("Internal (staff only)"),
}
STATUS_LABELS = {
    EventStatus.tentative: _l("Tentative"),
    EventStatus.confirmed: _l("Confirmed"),
    EventStatus.cancelled: _l("Cancelled"),
}
REPEAT_LABELS = {
    "none": _l("Does not repeat"),
    "weekly": _l("Every week or every few weeks"),
    "monthly": _l("Every month or every few months"),
}
MONTHLY_LABELS = {
    "day": _l("On the same day of the month (such as the 14th)"),
    "weekday": _l("On the same weekday of the month (such as the second Tuesday)"),
    "last": _l("On the last such weekday of the month (such as the last Friday)"),
}
ENDS_LABELS = {
    "never": _l("Never"),
    "until": _l("On a date"),
    "count": _l("After a number of times"),
}


def _choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(str(getattr(k, "value", k)), v) for k, v in labels.items()]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of check boxes (easier than Ctrl-click in a list)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EventForm(EditedVersion, FlaskForm):
    """Every field of an event; times are wall times in the event's own zone."""

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
    is_all_day = BooleanField(_l("All-day event"))
    start = LocalDateTimeField(_l("Start"), validators=[required()])
    end = LocalDateTimeField(_l("End"), validators=[required()])
    timezone = ChoiceField(
        _l("Time zone"),
        choices=[SelectChoice(name, name) for name in all_timezones()],
        validators=[required()],
    )
    location = StringField(
        _l("Location"), filters=[strip_filter], validators=[max_length(MAX_LOCATION)]
    )
    organiser_id = ChoiceField(_l("Organiser"), coerce=int, validators=[Optional()])
    initiative_id = ChoiceField(_l("Initiative"), coerce=int, validators=[Optional()])
    theme_ids = MultiCheckboxField(_l("Themes"), coerce=int)
    url = StringField(
        _l("Web address"),
        filters=[strip_filter],
        validators=[max_length(MAX_URL), web_link()],
    )
    visibility = ChoiceField(
        _l("Visibility"),
        choices=_choices(VISIBILITY_LABELS),
        default=Visibility.public.value,
        validators=[required()],
    )
    status = ChoiceField(
        _l("Status"),
        choices=_choices(
            {k: v for k, v in STATUS_LABELS.items() if k is not EventStatus.cancelled}
        ),
        default=EventStatus.confirmed.value,
        validators=[required()],
    )
    repeat = ChoiceField(
        _l("Repeats"),
        choices=_choices(REPEAT_LABELS),
        default="none",
        validators=[required()],
    )
    interval = IntegerField(
        _l("Every how many weeks or months"),
        default=1,
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_INTERVAL,
                message=_l("Enter a number from 1 to %(max)d.", max=MAX_INTERVAL),
            ),
        ],
    )
    weekdays = MultiCheckboxField(
        _l("On these weekdays"),
        choices=[
            SelectChoice(code, label)
            for code, label in zip(WEEKDAYS, WEEKDAY_LABELS, strict=True)
        ],
    )
    monthly_by = ChoiceField(
        _l("Monthly on"), choices=_choices(MONTHLY_LABELS), default="day"
    )
    ends = ChoiceField(
        _l("Ends"),
        choices=_choices(ENDS_LABELS),
        default="never",
        validators=[required()],
    )
    until = BoundedDateField(_l("Last date"), validators=[Optional()])
    count = IntegerField(
        _l("Number of times"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_COUNT,
                message=_l("Enter a number from 1 to %(max)d.", max=MAX_COUNT),
            ),
        ],
    )
    exdates = TextAreaField(
        _l("Cancelled dates"),
        filters=[strip_filter],
        validators=[max_length(MAX_EXDATES * 12)],
    )
    submit = SubmitField(_l("Save the event"))

    #: Set by validate(): the UTC span of the first occurrence, the rule and exceptions.
    start_utc: datetime | None = None
    end_utc: datetime | None = None
    rrule: str = ""
    exdates_text: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.timezone.data:
            self.timezone.data = str(current_app.config["TIMEZONE"])

    def validate_timezone(self, field: ChoiceField) -> None:
        if not is_valid_timezone(field.data or ""):
            raise ValidationError(_l("Choose a time zone from the list."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.timezone.errors or self.start.errors or self.end.errors:
            return False
        if not self._validate_span():
            return False
        first = self.start.data
        local_start = (
            first.replace(second=0)
            if not self.is_all_day.data
            else (datetime.combine(first.date(), time(0)))
        )
        return self._validate_rule(local_start) and valid

    def _validate_span(self) -> bool:
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
        return True

    def _validate_rule(self, local_start: datetime) -> bool:
        fields = self.rule_choices()
        first_day = local_start.date()
        if fields.repeat == "none":
            self.rrule, self.exdates_text = "", ""
            return True
        ok = True
        if (
            fields.repeat == "weekly"
            and fields.weekdays
            and WEEKDAYS[first_day.weekday()] not in fields.weekdays
        ):
            self.weekdays.errors = [
                *self.weekdays.errors,
                str(_l("The start date must fall on one of the chosen weekdays.")),
            ]
            ok = False
        if fields.ends == "until":
            if fields.until is None:
                if not self.until.errors:
                    self.until.errors = [*self.until.errors, str(DATE_MESSAGE)]
                ok = False
            elif fields.until < first_day:
                self.until.errors = [
                    *self.until.errors,
                    str(_l("The last date cannot be before the start.")),
                ]
                ok = False
        if fields.ends == "count" and not fields.count:
            if not self.count.errors:
                self.count.errors = [
                    *self.count.errors,
                    str(_l("Enter a number from 1 to %(max)d.", max=MAX_COUNT)),
                ]
            ok = False
        if not ok:
            return False
        self.rrule = build_rule(fields, first_day)
        try:
            rule = parse_rule(self.rrule, local_start)
        except RecurrenceError:
            self.repeat.errors = [
                *self.repeat.errors,
                str(_l("This repetition cannot be saved. Check the choices.")),
            ]
            return False
        return self._validate_exdates(rule, local_start)

    def _validate_exdates(self, rule: Any, local_start: datetime) -> bool:
        days, bad = parse_date_lines(self.exdates.data or "")
        if bad:
            self.exdates.errors = [
                *self.exdates.errors,
                str(
                    _l(
                        "Write one date per line, such as 2026-11-30. Not a date: %(values)s",
                        values=", ".join(bad[:5]),
                    )
                ),
            ]
            return False
        starts = [datetime.combine(day, local_start.time()) for day in days]
        missing = [s for s in starts if rule.after(s, inc=True) != s]
        if missing:
            self.exdates.errors = [
                *self.exdates.errors,
                str(
                    _l(
                        "These dates are not dates of the series: %(values)s",
                        values=", ".join(f"{s:%Y-%m-%d}" for s in missing[:5]),
                    )
                ),
            ]
            return False
        self.exdates_text = ",".join(s.isoformat(timespec="minutes") for s in starts)
        return True

    def rule_choices(self) -> RuleFields:
        """Return the recurrence choices as typed (before validation of the rule)."""
        return RuleFields(
            repeat=self.repeat.data or "none",
            interval=self.interval.data or 1,
            weekdays=list(self.weekdays.data or []),
            monthly_by=self.monthly_by.data or "day",
            ends=self.ends.data or "never",
            until=self.until.data,
            count=self.count.data,
        )


class CancelEventForm(EditedVersion, FlaskForm):
    """The reason for cancelling an event, kept in the audit log (and the version the page showed)."""

    reason = TextAreaField(
        _l("Reason (optional)"), filters=[strip_filter], validators=[max_length(1000)]
    )


class OccurrenceForm(EditedVersion, FlaskForm):
    """One occurrence of a series, named by its local start time (and the event's version shown)."""

    occurrence = StringField(validators=[required(), max_length(32)])

    def local_start(self) -> datetime | None:
        """Return the occurrence's naive local start, or None if the value is no time."""
        try:
            value = datetime.fromisoformat(self.occurrence.data or "")
        except ValueError:
            return None
        return value.replace(tzinfo=None, second=0, microsecond=0)
