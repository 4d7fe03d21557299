"""Forms of the interest page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SubmitField, TextAreaField

from app.core.forms import ChoiceField, FlaskForm, max_length, strip_filter
from app.delegations.models import InterestState

#: Longest message a member may add to a request.
MAX_MESSAGE_LENGTH = 2000

STATE_LABELS = {
    InterestState.pending: _l("Waiting for an answer"),
    InterestState.accepted: _l("Accepted"),
    InterestState.declined: _l("Declined"),
}


class InterestRequestForm(FlaskForm):
    """A member's request, with an optional message to the host."""

    message = TextAreaField(
        _l("Message to the host (optional)"),
        filters=[strip_filter],
        validators=[max_length(MAX_MESSAGE_LENGTH)],
    )
    submit = SubmitField(_l("Send request"))


class WithdrawInterestForm(FlaskForm):
    """Withdraw one's own pending request (only the CSRF token)."""

    submit = SubmitField(_l("Withdraw my request"))


class DecideInterestForm(FlaskForm):
    """The host's answer to one request."""

    state = ChoiceField(
        _l("Answer"),
        choices=[
            SelectChoice(InterestState.accepted.value, _l("Accept")),
            SelectChoice(InterestState.declined.value, _l("Decline")),
        ],
    )
