"""Forms of the hosting checklists: a visit's tasks and the admins' templates."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import NumberRange, Optional, StopValidation

from app.core.forms import (
    REQUIRED_MESSAGE,
    BoundedDateField,
    ChoiceField,
    EditedVersion,
    FlaskForm,
    max_length,
    required,
    strip_filter,
)
from app.delegations.models import ProtocolLevel

#: Bounds of "days before arrival": two months after the visit to a year before.
MIN_DUE_DAYS, MAX_DUE_DAYS = -60, 365

PROTOCOL_LEVEL_LABELS = {
    ProtocolLevel.state: _l("State or royal visit"),
    ProtocolLevel.ministerial: _l("Ministerial visit"),
    ProtocolLevel.ambassador: _l("Ambassador"),
    ProtocolLevel.mayoral: _l("Mayoral visit"),
    ProtocolLevel.professional: _l("Professional delegation"),
    ProtocolLevel.business: _l("Business delegation"),
    ProtocolLevel.academic: _l("Academic delegation"),
    ProtocolLevel.youth: _l("Youth or school"),
}


class _WholeNumberField(IntegerField):
    """A whole number with one translated message for anything else."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Enter a whole number, such as 14."))) from error

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()  # the message above is already recorded


def _not_blank(form: Any, field: Any) -> None:
    """Refuse a text that is only white space (InputRequired lets it through)."""
    if not (field.data or "").strip():
        raise StopValidation(REQUIRED_MESSAGE)


def _coerce_user_id(value: Any) -> int | None:
    return None if value in (None, "", "None") else int(value)


def user_choices(users: list[Any]) -> list[tuple[Any, str]]:
    """Return the choices of an assignee select: nobody, then each user."""
    return [("", str(_l("Nobody"))), *((user.id, user.name) for user in users)]


class AddTaskForm(FlaskForm):
    """A task added to a visit by hand."""

    title = StringField(
        _l("Task"),
        validators=[required(), _not_blank, max_length(300)],
        filters=[strip_filter],
    )
    due_date = BoundedDateField(_l("Due date"), validators=[required()])
    assignee_id = ChoiceField(
        _l("Assigned to"), coerce=_coerce_user_id, validators=[Optional()]
    )
    submit = SubmitField(_l("Add task"))


class AssignTaskForm(EditedVersion, FlaskForm):
    """Who a task is given to (empty: nobody), with the version the page showed."""

    assignee_id = ChoiceField(
        _l("Assigned to"), coerce=_coerce_user_id, validators=[Optional()]
    )


class TaskActionForm(EditedVersion, FlaskForm):
    """A one-click change of a task (tick off, untick), with the version the page showed."""


class TemplateForm(FlaskForm):
    """The title of a protocol level's checklist template."""

    title = StringField(
        _l("Title"),
        validators=[required(), _not_blank, max_length(200)],
        filters=[strip_filter],
    )
    submit = SubmitField(_l("Save title"))


class TemplateItemForm(FlaskForm):
    """One step of a template: what to do, and how many days before arrival."""

    title = StringField(
        _l("Step"),
        validators=[required(), _not_blank, max_length(300)],
        filters=[strip_filter],
    )
    due_days_before = _WholeNumberField(
        _l("Days before arrival"),
        validators=[
            required(),
            NumberRange(
                min=MIN_DUE_DAYS,
                max=MAX_DUE_DAYS,
                message=_l(
                    "Use a number between %(min)d and %(max)d.",
                    min=MIN_DUE_DAYS,
                    max=MAX_DUE_DAYS,
                ),
            ),
        ],
    )
    submit = SubmitField(_l("Save step"))
