"""Forms of personal tokens: a new feed link or API token, and the confirmed token actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, SubmitField

from app.core.forms import FlaskForm, max_length, required, strip_filter
from app.feeds.tokens import MAX_LABEL_LENGTH


class FeedTokenForm(FlaskForm):
    """Name a new personal feed link."""

    label = StringField(
        _l("Name of the link"),
        validators=[required(), max_length(MAX_LABEL_LENGTH)],
        filters=[strip_filter],
        render_kw={"maxlength": MAX_LABEL_LENGTH, "autocomplete": "off"},
    )
    submit = SubmitField(_l("Create a personal link"))


class ApiTokenForm(FeedTokenForm):
    """Name a new personal API token; the same checks as a feed link's name."""

    label = StringField(
        _l("Name of the token"),
        validators=[required(), max_length(MAX_LABEL_LENGTH)],
        filters=[strip_filter],
        render_kw={"maxlength": MAX_LABEL_LENGTH, "autocomplete": "off"},
    )
    submit = SubmitField(_l("Create an API token"))


class FeedTokenActionForm(FlaskForm):
    """Revoke or rotate a token; the first press asks, the confirmed one acts."""

    confirm = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirm.data == "yes"
