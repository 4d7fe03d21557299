"""Forms of the account pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import EqualTo, ValidationError

from app.auth.models import Role
from app.auth.services import MAX_PASSWORD_LENGTH, password_problems
from app.core.forms import (
    ChoiceField,
    FlaskForm,
    email_address,
    max_length,
    required,
    strip_filter,
)

ROLE_LABELS = {
    Role.admin: _l("International office (admin)"),
    Role.mayors_office: _l("Mayor's office"),
    Role.member: _l("Forum member"),
}
LOCALE_LABELS = {"nb": "Norsk bokmål", "en": "English"}
LOCALE_CHOICES = [SelectChoice(code, label) for code, label in LOCALE_LABELS.items()]

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least 10 characters."),
    "too_long": _l("Use at most 200 characters."),
    "same_as_email": _l("The password must not be your e-mail address."),
    "too_simple": _l("Use a less repetitive password."),
}


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-mail"), filters=[strip_filter], validators=[required(), max_length(254)]
    )
    password = PasswordField(
        _l("Password"), validators=[required(), max_length(MAX_PASSWORD_LENGTH)]
    )
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class PasswordResetRequestForm(FlaskForm):
    """The address to send a reset link to."""

    email = EmailField(
        _l("E-mail"),
        filters=[strip_filter],
        validators=[required(), max_length(254), email_address()],
    )
    submit = SubmitField(_l("Send reset link"))


class SetPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password"), validators=[required(), max_length(MAX_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            required(),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    submit = SubmitField(_l("Save password"))

    def __init__(self, *args: object, email: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_password(self, field: PasswordField) -> None:
        problems = password_problems(field.data or "", email=self._email)
        if problems:
            raise ValidationError(" ".join(str(PASSWORD_MESSAGES[p]) for p in problems))


class _UserFieldsForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[strip_filter], validators=[required(), max_length(200)]
    )
    role = ChoiceField(
        _l("Role"),
        choices=[
            SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()
        ],
        validators=[required()],
    )
    organisation_id = ChoiceField(_l("Organisation"), coerce=int)
    locale = ChoiceField(
        _l("Language of e-mails and pages"),
        choices=LOCALE_CHOICES,
        validators=[required()],
    )


class InviteUserForm(_UserFieldsForm):
    """Who to invite, and with which role."""

    email = EmailField(
        _l("E-mail"),
        filters=[strip_filter],
        validators=[required(), max_length(254), email_address()],
    )
    submit = SubmitField(_l("Send invitation"))


class EditUserForm(_UserFieldsForm):
    """An admin's changes to a user."""

    timezone = StringField(
        _l("Time zone"), filters=[strip_filter], validators=[required(), max_length(64)]
    )
    is_active = BooleanField(_l("Active (may log in and fetch feeds)"))
    submit = SubmitField(_l("Save changes"))


class LanguageForm(FlaskForm):
    """The language switch in the page header."""

    locale = ChoiceField(
        _l("Language"), choices=LOCALE_CHOICES, validators=[required()]
    )
    next = HiddenField()
    submit = SubmitField(_l("Change language"))
