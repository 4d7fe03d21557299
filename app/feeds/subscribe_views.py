"""The subscribe page: one-click links, help per calendar app, personal links, filters.

A new or rotated personal link is shown in the answer to the POST that made
it (never flashed, logged or put in a redirect). Its owner sees it again on
this page, folded until asked for: the secret is kept encrypted at rest
(`app.feeds.sealing`), and opened only for its owner. Every answer showing a
personal link is sent with `Cache-Control: no-store`.

Each link is shown with the name the calendar app will list it under
(`app.feeds.names`) and a QR code for phones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from app.auth.services import public_link
from app.calendar.filters import FilterError, filter_args, kind_labels, parse_filters
from app.calendar.services import CalendarFilters, EntryKind, list_filter_choices
from app.core.db import db, utcnow
from app.core.errors import bad_request_page
from app.core.i18n import select_language
from app.core.visibility import Audience, audience_for
from app.extensions import limiter
from app.feeds.forms import FeedTokenActionForm, FeedTokenForm
from app.feeds.models import FeedToken
from app.feeds.names import feed_name
from app.feeds.qr import qr_svg
from app.feeds.tokens import (
    MAX_ACTIVE_TOKENS,
    MAX_LABEL_LENGTH,
    FeedTokenError,
    KeptLink,
    KeptState,
    create_feed_token,
    get_own_feed_token,
    list_feed_tokens,
    list_kept_links,
    list_revoked_feed_tokens,
    revoke_feed_token,
    rotate_feed_token,
)

bp = Blueprint("subscribe", __name__)

GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r?cid="
#: Outlook on the web: Outlook.com (personal accounts), and Microsoft 365 (work
#: or school accounts), which lives at another address.
OUTLOOK_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb?url="
OUTLOOK_WORK_SUBSCRIBE = "https://outlook.office.com/calendar/0/addfromweb?url="


def _token_messages() -> dict[str, str]:
    return {
        "label_empty": _("This field is required."),
        "label_too_long": _(
            "Use at most %(limit)d characters.", limit=MAX_LABEL_LENGTH
        ),
        "label_taken": _(
            "You already have a personal link with this name. Choose another name."
        ),
        "too_many": _(
            "You already have %(count)d personal links. Revoke one you no longer use first.",
            count=MAX_ACTIVE_TOKENS,
        ),
        "already_revoked": _("This link is already revoked."),
        "not_owner": _("This link is not yours."),
    }


@dataclass(frozen=True)
class FeedLinks:
    """One feed's address, its calendar name and the links that subscribe an app to it."""

    url: str
    name: str
    webcal: str
    google: str
    outlook: str
    outlook_work: str

    @cached_property
    def qr(self) -> Markup:
        """Return the QR code of the webcal link: a phone that scans it offers to subscribe."""
        return qr_svg(self.webcal)


def feed_links(url: str, *, name: str) -> FeedLinks:
    """Return the subscribe links of a feed at `url` (http or https), named `name`.

    `name` is the one the feed itself carries (`app.feeds.names`); Outlook on
    the web takes it as the calendar's name.
    """
    webcal = "webcal://" + url.split("://", 1)[1]
    outlook_args = quote(url, safe="") + "&name=" + quote(name, safe="")
    return FeedLinks(
        url=url,
        name=name,
        webcal=webcal,
        google=GOOGLE_SUBSCRIBE + quote(webcal, safe=""),
        outlook=OUTLOOK_SUBSCRIBE + outlook_args,
        outlook_work=OUTLOOK_WORK_SUBSCRIBE + outlook_args,
    )


def _feed_filters(args: MultiDict[str, str]) -> CalendarFilters:
    # Feeds know the calendar's filters except its free-text search.
    return replace(parse_filters(args), q="")


def _query(filters: CalendarFilters) -> str:
    args = filter_args(filters)
    return "?" + urlencode(args, doseq=True) if args else ""


def public_feed_url(filters: CalendarFilters, *, language: str) -> str:
    """Return the absolute address of the public feed with these filters, in `language`.

    The language is in the link: a calendar app asks in its own language, or
    in none, and the reader should get the names the page showed them.
    """
    args = {**filter_args(filters), "lang": language}
    return public_link("feeds.public_feed") + "?" + urlencode(args, doseq=True)


def private_feed_url(raw: str, filters: CalendarFilters) -> str:
    """Return the absolute address of a private feed with these filters."""
    return public_link("feeds.private_feed", token=raw) + _query(filters)


@dataclass(frozen=True)
class PersonalLink:
    """A member's feed link as the page shows it: its links when it can be shown again."""

    kept: KeptLink
    links: FeedLinks | None


def _personal_name(filters: CalendarFilters) -> str:
    """Return the name the current member's private feeds carry with `filters`."""
    # The feed speaks its owner's language and shows their audience's calendar.
    return feed_name(
        audience_for(current_user), filters, language=str(current_user.locale)
    )


def _personal_links(raw: str, filters: CalendarFilters, *, name: str) -> FeedLinks:
    """Return the links of the current member's private feed `raw`."""
    return feed_links(private_feed_url(raw, filters), name=name)


def _kept_links(filters: CalendarFilters) -> list[PersonalLink]:
    kept_links = list_kept_links(current_user)
    # One name for all of them: the same queries whatever the number of links.
    name = _personal_name(filters) if kept_links else ""
    return [
        PersonalLink(
            kept,
            _personal_links(kept.raw, filters, name=name)
            if kept.state is KeptState.shown and kept.raw is not None
            else None,
        )
        for kept in kept_links
    ]


def _render(
    filters: CalendarFilters,
    *,
    form: FeedTokenForm | None = None,
    revealed: tuple[FeedToken, str] | None = None,
    status: int = 200,
) -> Any:
    member = current_user if current_user.is_authenticated else None
    language = select_language()
    context: dict[str, Any] = {
        "filters": filters,
        "filter_query": _query(filters),
        "filter_args": filter_args(filters),
        "choices": list_filter_choices(),
        "all_kinds": list(EntryKind),
        "kind_labels": kind_labels(),
        "public": feed_links(
            public_feed_url(filters, language=language),
            name=feed_name(Audience.public, filters, language=language),
        ),
        "member": member,
        "max_tokens": MAX_ACTIVE_TOKENS,
    }
    if member is not None:
        tokens = list_feed_tokens(member)
        personal = _kept_links(filters)
        if personal:
            # Personal links are on this page: no cache and no history may keep it.
            g.no_store = True
        context.update(
            tokens=tokens,
            personal=personal,
            revoked=list_revoked_feed_tokens(member),
            form=form or FeedTokenForm(formdata=None),
            action_form=FeedTokenActionForm(formdata=None),
            cap_reached=len(tokens) >= MAX_ACTIVE_TOKENS,
        )
    if revealed is not None:
        token, raw = revealed
        # The secret is on this page only: no cache and no history may keep it.
        g.no_store = True
        context["revealed"] = token
        context["revealed_links"] = _personal_links(
            raw, filters, name=_personal_name(filters)
        )
    return render_template("feeds/subscribe.html", **context), status


@bp.errorhandler(FilterError)
def _unknown_filter(error: FilterError) -> Any:
    """Say which filter value names nothing rather than offer a feed of everything."""
    return bad_request_page(str(error))


@bp.route("/subscribe")
def subscribe_page() -> Any:
    return _render(_feed_filters(request.args))


@bp.route("/subscribe/tokens", methods=["POST"])
@login_required
@limiter.limit("30 per hour")
def create_token() -> Any:
    filters = _feed_filters(request.form)
    form = FeedTokenForm()
    if not form.validate_on_submit():
        return _render(filters, form=form, status=422)
    try:
        token, raw = create_feed_token(
            current_user, label=form.label.data, now=utcnow()
        )
    except FeedTokenError as error:
        form.label.errors = [_token_messages()[error.code]]
        return _render(filters, form=form, status=422)
    db.session.commit()
    return _render(filters, revealed=(token, raw))


def _own_token(token_id: int) -> FeedToken:
    token = get_own_feed_token(current_user, token_id)
    if token is None:
        abort(404)
    return token


def _confirm_page(token: FeedToken, action: str, filters: CalendarFilters) -> Any:
    return render_template(
        "feeds/subscribe_confirm.html",
        token=token,
        action=action,
        form=FeedTokenActionForm(formdata=None),
        filter_args=filter_args(filters),
    )


def _refused(error: FeedTokenError) -> Any:
    flash(_token_messages()[error.code], "error")
    return redirect(url_for("subscribe.subscribe_page", _anchor="personal-feeds"))


@bp.route("/subscribe/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Any:
    token = _own_token(token_id)
    form = FeedTokenActionForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.is_confirmed and token.revoked_dt is None:
        return _confirm_page(token, "revoke", _feed_filters(request.form))
    try:
        revoke_feed_token(token, actor=current_user, now=utcnow())
    except FeedTokenError as error:
        return _refused(error)
    db.session.commit()
    flash(
        _(
            "The link “%(label)s” is revoked: calendars that use it get no more updates.",
            label=token.label,
        ),
        "success",
    )
    return redirect(url_for("subscribe.subscribe_page", _anchor="personal-feeds"))


@bp.route("/subscribe/tokens/<int:token_id>/rotate", methods=["POST"])
@login_required
@limiter.limit("30 per hour")
def rotate_token(token_id: int) -> Any:
    token = _own_token(token_id)
    form = FeedTokenActionForm()
    filters = _feed_filters(request.form)
    if not form.validate_on_submit():
        abort(400)
    if not form.is_confirmed and token.revoked_dt is None:
        return _confirm_page(token, "rotate", filters)
    try:
        successor, raw = rotate_feed_token(token, actor=current_user, now=utcnow())
    except FeedTokenError as error:
        return _refused(error)
    db.session.commit()
    return _render(filters, revealed=(successor, raw))
