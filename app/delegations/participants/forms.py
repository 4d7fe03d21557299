"""Forms of the participants pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField

from app.core.forms import (
    REQUIRED_MESSAGE,
    EditedVersion,
    FlaskForm,
    max_length,
    required,
    strip_filter,
)
from app.delegations.participants.services import field_limit


def _text(label: str, name: str, *, is_required: bool = False) -> StringField:
    checks = [required()] if is_required else []
    return StringField(
        label,
        filters=[strip_filter],
        validators=[*checks, max_length(field_limit(name))],
    )


class ParticipantForm(EditedVersion, FlaskForm):
    """One participant's personal fields."""

    name = _text(_l("Name"), "name", is_required=True)
    title = _text(_l("Title"), "title")
    organisation = _text(_l("Organisation"), "organisation")
    dietary_needs = _text(_l("Dietary needs"), "dietary_needs")
    accessibility_needs = _text(_l("Accessibility needs"), "accessibility_needs")
    submit = SubmitField(_l("Save participant"))


class ParticipantImportForm(FlaskForm):
    """A CSV file of participants."""

    file = FileField(_l("CSV file"), validators=[FileRequired(REQUIRED_MESSAGE)])
    submit = SubmitField(_l("Import participants"))


class EraseParticipantForm(FlaskForm):
    """The confirmation of an erasure (only the CSRF token)."""

    submit = SubmitField(_l("Erase personal data"))
