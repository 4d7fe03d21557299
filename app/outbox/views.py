"""The admins' outbox: every queued, sent and failed mail, and sending failed ones again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.core.access import admin_required
from app.core.db import db, utcnow
from app.core.errors import bad_request_page
from app.outbox.models import MailState, OutboxMail
from app.outbox.services import (
    OutboxFilters,
    count_outbox_by_state,
    list_outbox,
    list_outbox_kinds,
    resend_failed_mail,
    resend_failed_outbox,
)

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")


def mail_kind_labels() -> dict[str, str]:
    """Return what each kind of mail is, in words, in the reader's language."""
    return {
        "event_changed": _("Event changed"),
        "interest_decided": _("Answer to an interest in a visit"),
        "invitation": _("Invitation"),
        "password_changed": _("Password changed"),
        "password_reset": _("Password reset"),
        "submission_confirm": _("Confirm a proposed event"),
        "submission_decided": _("Decision on a proposed event"),
        "submission_received": _("Proposed event received"),
        "submissions_waiting": _("Proposals waiting for moderation"),
        "task_reminder": _("Checklist task reminder"),
        "test": _("Test mail"),
        "visit_changed": _("Visit changed"),
        "visit_reminder": _("Visit reminder"),
        "weekly_digest": _("Weekly digest"),
    }


#: Pages beyond this are refused as page 1 would be: no real outbox is that long.
MAX_PAGE = 100_000
#: Policy of a stored HTML body shown in our page's <iframe>: no script, no
#: plugin, no request to anyone (remote images would tell senders the mail was
#: read), its own opaque origin, and framing by our pages only.
HTML_BODY_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'"
)


@bp.before_request
def keep_mail_out_of_caches() -> None:
    # Mails carry password-reset and invitation links: no cache may keep them.
    g.no_store = True


@bp.route("/")
@admin_required
def list_mail() -> str | tuple[str, int]:
    kinds = list_outbox_kinds()
    filters = _read_filters(request.args, kinds)
    if isinstance(filters, str):
        return bad_request_page(filters)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    per_page = current_app.config["PAGE_SIZE"]
    mails, total = list_outbox(filters, page=page, per_page=per_page)
    counts = count_outbox_by_state(filters)
    return render_template(
        "outbox/list.html",
        mails=mails,
        total=total,
        filters=filters,
        kinds=kinds,
        counts=counts,
        failed_count=counts[MailState.failed],
        page=page,
        pages=max((total + per_page - 1) // per_page, 1),
        kept=_kept(filters),
        smtp_configured=bool(current_app.config["SMTP_URL"]),
    )


@bp.route("/<int:mail_id>")
@admin_required
def show_mail(mail_id: int) -> str:
    mail = db.session.get(OutboxMail, mail_id) or abort(404)
    return render_template("outbox/mail.html", mail=mail)


@bp.route("/<int:mail_id>/html")
@admin_required
def show_mail_html(mail_id: int) -> Response:
    """Answer the stored HTML body alone, sandboxed, for the <iframe> of the mail page."""
    mail = db.session.get(OutboxMail, mail_id) or abort(404)
    if not mail.body_html:
        abort(404)
    response = Response(mail.body_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = HTML_BODY_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/<int:mail_id>/invite.ics")
@admin_required
def download_mail_ics(mail_id: int) -> Response:
    mail = db.session.get(OutboxMail, mail_id) or abort(404)
    if mail.ics is None:
        abort(404)
    return Response(
        mail.ics,
        mimetype="text/calendar",
        headers={"Content-Disposition": f"attachment; filename=mail-{mail.id}.ics"},
    )


@bp.route("/<int:mail_id>/resend", methods=["POST"])
@admin_required
def resend_mail(mail_id: int) -> BaseResponse:
    mail = db.session.get(OutboxMail, mail_id) or abort(404)
    if resend_failed_mail([mail], actor_id=current_user.id, now=utcnow()):
        db.session.commit()
        flash(
            _(
                "The mail to %(email)s is queued to be sent again.",
                email=mail.recipient,
            ),
            "success",
        )
    else:
        flash(_("Only failed mail can be sent again."), "error")
    return redirect(url_for("outbox.show_mail", mail_id=mail.id))


@bp.route("/resend-failed", methods=["POST"])
@admin_required
def resend_failed() -> BaseResponse | tuple[str, int]:
    """Queue again every failed mail of the kind and recipient the list was filtered on."""
    filters = _read_filters(request.form, list_outbox_kinds())
    if isinstance(filters, str):
        return bad_request_page(filters)
    count = resend_failed_outbox(filters, actor_id=current_user.id, now=utcnow())
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)d failed mail is queued to be sent again.",
                "%(num)d failed mails are queued to be sent again.",
                count,
            ),
            "success",
        )
    else:
        flash(_("No failed mail to send again."), "error")
    return redirect(url_for("outbox.list_mail", **_kept(filters)))


def _read_filters(args: Mapping[str, str], kinds: list[str]) -> OutboxFilters | str:
    """Return the filters asked for (empty means any), or what is wrong in words.

    A state or kind the outbox does not know is refused, never read as "any";
    a known kind with no mail at the moment lists nothing.
    """
    raw_state = args.get("state", "")
    raw_kind = args.get("kind", "")
    if raw_state and raw_state not in MailState.__members__:
        return _(
            "“state=%(value)s” is not a state of a mail: use %(choices)s.",
            value=raw_state[:40],
            choices=", ".join(MailState.__members__),
        )
    if raw_kind and raw_kind not in kinds and raw_kind not in mail_kind_labels():
        return _(
            "“kind=%(value)s” is not a kind of mail Vertskap sends.",
            value=raw_kind[:40],
        )
    return OutboxFilters(
        state=MailState(raw_state) if raw_state else None,
        kind=raw_kind or None,
        recipient=" ".join(args.get("recipient", "").split())[:254],
    )


def _kept(filters: OutboxFilters) -> dict[str, Any]:
    """Return the query parameters that keep `filters` on the next page or after a POST."""
    kept = {
        "state": filters.state.value if filters.state else "",
        "kind": filters.kind or "",
        "recipient": filters.recipient,
    }
    return {key: value for key, value in kept.items() if value}


@bp.context_processor
def inject_labels() -> dict[str, object]:
    return {
        "kind_label": lambda kind: mail_kind_labels().get(kind, kind),
        "state_labels": {
            MailState.queued.value: _("Queued"),
            MailState.sending.value: _("Sending"),
            MailState.sent.value: _("Sent"),
            MailState.failed.value: _("Failed"),
        },
    }
