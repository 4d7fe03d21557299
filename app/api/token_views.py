"""The API token page: a member's personal tokens for the read API, made and revoked here.

API tokens are feed tokens' siblings (`AccessPurpose.api`): the same secrets,
caps and checks, but accepted only by /api/v1/ and never as a feed URL. A new
token is shown once, in the answer to the POST that made it (never stored,
flashed, logged or put in a redirect), with `Cache-Control: no-store`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.services import public_link
from app.core.db import db, utcnow
from app.extensions import limiter
from app.feeds.forms import ApiTokenForm, FeedTokenActionForm
from app.feeds.models import AccessPurpose, FeedToken
from app.feeds.tokens import (
    MAX_ACTIVE_TOKENS,
    MAX_LABEL_LENGTH,
    FeedTokenError,
    create_feed_token,
    get_own_feed_token,
    list_feed_tokens,
    list_revoked_feed_tokens,
    revoke_feed_token,
)

bp = Blueprint("api_tokens", __name__)

API = AccessPurpose.api


def _token_messages() -> dict[str, str]:
    return {
        "label_empty": _("This field is required."),
        "label_too_long": _(
            "Use at most %(limit)d characters.", limit=MAX_LABEL_LENGTH
        ),
        "label_taken": _(
            "You already have an API token with this name. Choose another name."
        ),
        "too_many": _(
            "You already have %(count)d API tokens. Revoke one you no longer use first.",
            count=MAX_ACTIVE_TOKENS,
        ),
        "already_revoked": _("This token is already revoked."),
        "not_owner": _("This token is not yours."),
        "wrong_purpose": _("This token is not yours."),
    }


def _render(
    *,
    form: ApiTokenForm | None = None,
    revealed: tuple[FeedToken, str] | None = None,
    status: int = 200,
) -> Any:
    tokens = list_feed_tokens(current_user, purpose=API)
    context: dict[str, Any] = {
        "tokens": tokens,
        "revoked": list_revoked_feed_tokens(current_user, purpose=API),
        "form": form or ApiTokenForm(formdata=None),
        "cap_reached": len(tokens) >= MAX_ACTIVE_TOKENS,
        "max_tokens": MAX_ACTIVE_TOKENS,
        "events_url": public_link("api.list_events"),
    }
    if revealed is not None:
        # The secret is on this page only: no cache and no history may keep it.
        g.no_store = True
        context["revealed"], context["revealed_raw"] = revealed
    return render_template("api/tokens.html", **context), status


@bp.route("/api-tokens")
@login_required
def api_tokens_page() -> Any:
    return _render()


@bp.route("/api-tokens", methods=["POST"])
@login_required
@limiter.limit("30 per hour")
def create_api_token() -> Any:
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _render(form=form, status=422)
    try:
        token, raw = create_feed_token(
            current_user, label=form.label.data, now=utcnow(), purpose=API
        )
    except FeedTokenError as error:
        form.label.errors = [_token_messages()[error.code]]
        return _render(form=form, status=422)
    db.session.commit()
    return _render(revealed=(token, raw))


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int) -> Any:
    token = get_own_feed_token(current_user, token_id, purpose=API)
    if token is None:
        abort(404)
    form = FeedTokenActionForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.is_confirmed and token.revoked_dt is None:
        return render_template(
            "api/token_confirm.html",
            token=token,
            form=FeedTokenActionForm(formdata=None),
        )
    try:
        revoke_feed_token(token, actor=current_user, now=utcnow(), purpose=API)
    except FeedTokenError as error:
        flash(_token_messages()[error.code], "error")
        return redirect(url_for("api_tokens.api_tokens_page"))
    db.session.commit()
    flash(
        _(
            "The API token “%(label)s” is revoked: programs that use it are refused from now on.",
            label=token.label,
        ),
        "success",
    )
    return redirect(url_for("api_tokens.api_tokens_page"))
