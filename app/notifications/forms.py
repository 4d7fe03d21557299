"""The preferences form: which mails, which language, which clock."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectMultipleField, SubmitField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.forms import LOCALE_CHOICES
from app.core.forms import CHOICE_MESSAGE, ChoiceField, FlaskForm, required
from app.core.timezones import all_timezones
from app.delegations.models import ARRIVAL_RULES


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of check boxes; none ticked is a valid answer."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = [self.coerce(value) for value in valuelist]
        except (ValueError, TypeError) as error:
            self.data = []
            raise ValueError(str(CHOICE_MESSAGE)) from error

    def pre_validate(self, form: object) -> None:
        allowed = {str(choice[0]) for choice in self.iter_choices()}
        if any(str(value) not in allowed for value in self.data or []):
            raise ValidationError(CHOICE_MESSAGE)


class PreferencesForm(FlaskForm):
    """A user's own choices about mail, language and time zone."""

    arrival_days = CheckboxesField(
        _l("Remind me before a visit I host arrives"),
        coerce=int,
        choices=[
            SelectChoice(str(days), label)
            for days, label in (
                (14, _l("14 days before")),
                (3, _l("3 days before")),
                (1, _l("1 day before")),
            )
            if days in ARRIVAL_RULES
        ],
    )
    task_reminders = BooleanField(
        _l("Remind me the day before a checklist task or follow-up of mine is due")
    )
    change_notices = BooleanField(
        _l("Tell me when a visit I follow changes time, place or status")
    )
    digest = BooleanField(
        _l("Send me the weekly digest of the next two weeks, on Mondays at 08:00")
    )
    locale = ChoiceField(
        _l("Language of e-mails and pages"),
        choices=LOCALE_CHOICES,
        validators=[required()],
    )
    timezone = ChoiceField(
        _l("Time zone"),
        choices=[SelectChoice(name, name) for name in all_timezones()],
        validators=[required()],
    )
    submit = SubmitField(_l("Save preferences"))
