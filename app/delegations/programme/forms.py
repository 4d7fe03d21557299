"""Forms of the programme pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import StopValidation

from app.core.forms import (
    CHOICE_MESSAGE,
    ChoiceField,
    EditedVersion,
    FlaskForm,
    LocalDateTimeField,
    local_field_to_utc,
    max_length,
    required,
    strip_filter,
)
from app.core.visibility import Visibility
from app.delegations.programme.services import ItemData

VISIBILITY_CHOICES = [
    SelectChoice(Visibility.internal.value, _l("Internal: staff only")),
    SelectChoice(Visibility.forum.value, _l("Forum: members and staff")),
    SelectChoice(Visibility.public.value, _l("Public: everyone who may see the visit")),
]


def _optional_int(value: Any) -> int | None:
    """Coerce a select's value to an id; the empty "choose one" option is None."""
    return None if value in ("", None) else int(value)


class MultipleChoiceField(SelectMultipleField):
    """A multi-select whose unknown value gets our translated message, once."""

    data: Any
    errors: Any

    def pre_validate(self, form: Any) -> None:
        valid = {str(value) for value, *_ in self.iter_choices()}
        unknown = any(str(value) not in valid for value in self.data or [])
        if self.errors or unknown:
            # WTForms' coercion message is already listed: say it once, in our words.
            self.errors = []
            raise StopValidation(CHOICE_MESSAGE)


class ProgrammeItemForm(EditedVersion, FlaskForm):
    """One programme item, its times entered in the visit's own zone."""

    title = StringField(
        _l("Title"), filters=[strip_filter], validators=[required(), max_length(200)]
    )
    start = LocalDateTimeField(_l("Starts"), validators=[required()])
    end = LocalDateTimeField(_l("Ends"), validators=[required()])
    venue_id = ChoiceField(_l("Venue"), coerce=int, choices=[])
    location = StringField(
        _l("Other place"), filters=[strip_filter], validators=[max_length(300)]
    )
    responsible_organisation_id = ChoiceField(
        _l("Responsible organisation"), coerce=int, choices=[]
    )
    responsible_person = StringField(
        _l("Responsible person"), filters=[strip_filter], validators=[max_length(200)]
    )
    official_ids = MultipleChoiceField(
        _l("Officials attending"), coerce=int, choices=[]
    )
    description = TextAreaField(
        _l("Description"), filters=[strip_filter], validators=[max_length(5000)]
    )
    visibility = ChoiceField(
        _l("Who may see this item"), choices=VISIBILITY_CHOICES, validators=[required()]
    )
    submit = SubmitField(_l("Save item"))

    def item_data(self, zone: str) -> ItemData | None:
        """Return the item in UTC, or None with errors on the fields.

        Call after `validate()`: times skipped or repeated by a daylight-saving
        change in `zone` are refused, and the end must come after the start.
        """
        start = local_field_to_utc(self.start, zone)
        end = local_field_to_utc(self.end, zone)
        if start is None or end is None:
            return None
        if end <= start:
            self.end.errors = [
                *self.end.errors,
                str(_l("The end must come after the start.")),
            ]
            return None
        return ItemData(
            title=self.title.data or "",
            start_dt=start,
            end_dt=end,
            visibility=Visibility(self.visibility.data),
            venue_id=self.venue_id.data or None,
            location=self.location.data or "",
            responsible_organisation_id=self.responsible_organisation_id.data or None,
            responsible_person=self.responsible_person.data or "",
            official_ids=tuple(self.official_ids.data or ()),
            description=self.description.data or "",
        )


class DeleteItemForm(EditedVersion, FlaskForm):
    """The confirmation of a deletion (a form, so it works without JavaScript).

    It carries the version the page showed: an item changed since is not
    deleted unseen.
    """

    submit = SubmitField(_l("Delete the item"))


class CopyProgrammeForm(FlaskForm):
    """Which earlier visit's programme to copy."""

    source_id = ChoiceField(
        _l("Copy the programme of"),
        coerce=_optional_int,
        choices=[],
        validators=[required()],
    )
    submit = SubmitField(_l("Copy the programme"))
