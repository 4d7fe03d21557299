"""The admins' outbox: every queued, sent and failed mail."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from app.core.access import admin_required
from app.core.db import db
from app.outbox.models import MailState, OutboxMail
from app.outbox.services import count_outbox_by_state, list_outbox

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")


@bp.route("/")
@admin_required
def list_mail():
    raw_state = request.args.get("state", "")
    state = MailState(raw_state) if raw_state in MailState.__members__ else None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = current_app.config["PAGE_SIZE"]
    mails, total = list_outbox(state=state, page=page, per_page=per_page)
    return render_template(
        "outbox/list.html",
        mails=mails,
        total=total,
        state=state,
        counts=count_outbox_by_state(),
        page=page,
        pages=max((total + per_page - 1) // per_page, 1),
        smtp_configured=bool(current_app.config["SMTP_URL"]),
    )


@bp.route("/<int:mail_id>")
@admin_required
def show_mail(mail_id: int):
    mail = db.session.get(OutboxMail, mail_id) or abort(404)
    return render_template("outbox/mail.html", mail=mail)


@bp.context_processor
def inject_labels() -> dict[str, object]:
    return {
        "state_labels": {
            MailState.queued.value: _("Queued"),
            MailState.sending.value: _("Sending"),
            MailState.sent.value: _("Sent"),
            MailState.failed.value: _("Failed"),
        }
    }
