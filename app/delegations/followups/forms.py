"""Forms of the follow-up pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from app.core.forms import (
    BoundedDateField,
    ChoiceField,
    EditedVersion,
    FlaskForm,
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


class FollowUpForm(EditedVersion, FlaskForm):
    """One follow-up item."""

    title = StringField(
        _l("What to follow up"),
        filters=[strip_filter],
        validators=[required(), max_length(300)],
    )
    owner_id = ChoiceField(_l("Owner"), coerce=int)
    deadline = BoundedDateField(_l("Deadline"), validators=[Optional()])
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


class FollowUpStatusForm(EditedVersion, FlaskForm):
    """A one-click status change (close or reopen), with the version the list showed."""

    status = ChoiceField(
        _l("Status"),
        choices=[
            SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()
        ],
    )
