"""Queue mail in the outbox; every feature sends through `queue_mail`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from app.core.db import db
from app.core.i18n import babel_locale
from app.outbox.mail import (
    MailConfigurationError,
    build_message,
    check_address,
    parse_smtp_url,
    send_message,
    smtp_connection,
)
from app.outbox.models import MailState, OutboxMail

logger = logging.getLogger(__name__)


def _render_part(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """Render one mail template and return (subject, body) from its two blocks."""
    tmpl = current_app.jinja_env.get_template(template)
    ctx = tmpl.new_context(dict(context))
    subject = "".join(tmpl.blocks["subject"](ctx)).strip()
    body = "".join(tmpl.blocks["body"](ctx)).strip() + "\n"
    return " ".join(subject.split()), body


def render_mail(
    kind: str, *, locale: str, context: Mapping[str, Any]
) -> tuple[str, str, str]:
    """Return (subject, text, html) of mail `kind` in `locale`; html is empty without a template."""
    with force_locale(babel_locale(locale)):
        subject, text = _render_part(f"email/{kind}.txt", context)
        try:
            html = render_template(f"email/{kind}.html", **context)
        except TemplateNotFound:
            html = ""
    return subject, text, html


def queue_mail(
    kind: str,
    *,
    recipient: str,
    locale: str,
    context: Mapping[str, Any],
    idempotency_key: str,
    now: datetime,
    due_dt: datetime | None = None,
    recipient_user_id: int | None = None,
    ics: bytes | None = None,
) -> OutboxMail:
    """Add a mail to the outbox in the caller's transaction and return it.

    A second call with the same `idempotency_key` returns the first row and adds
    nothing, so a retried request or job never mails twice.
    """
    existing = db.session.scalar(
        sa.select(OutboxMail).filter_by(idempotency_key=idempotency_key)
    )
    if existing is not None:
        return existing
    subject, text, html = render_mail(kind, locale=locale, context=context)
    domain = current_app.config["UID_DOMAIN"]
    mail = OutboxMail(
        kind=kind,
        recipient=recipient,
        recipient_user_id=recipient_user_id,
        locale=locale,
        subject=subject,
        body_text=text,
        body_html=html,
        ics=ics,
        idempotency_key=idempotency_key,
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        state=MailState.queued,
        created_dt=now,
        due_dt=due_dt or now,
    )
    db.session.add(mail)
    db.session.flush()
    logger.info("queued %s mail %s", kind, mail.id)
    return mail


def list_outbox(
    *, state: MailState | None, page: int, per_page: int
) -> tuple[list[OutboxMail], int]:
    """Return one page of outbox mail, newest first, and the total count."""
    query = sa.select(OutboxMail)
    if state is not None:
        query = query.where(OutboxMail.state == state)
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    )
    rows = db.session.scalars(
        query.order_by(OutboxMail.created_dt.desc(), OutboxMail.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def count_outbox_by_state() -> dict[MailState, int]:
    """Return how many mails are in each state."""
    rows = db.session.execute(
        sa.select(OutboxMail.state, sa.func.count()).group_by(OutboxMail.state)
    ).all()
    counts = dict.fromkeys(MailState, 0)
    counts.update({row[0]: row[1] for row in rows})
    return counts


def send_test_mail(address: str, *, now: datetime) -> str:
    """Send one test message directly to SMTP_URL (not through the outbox); return the server's answer."""
    config = current_app.config
    if not config["SMTP_URL"]:
        raise MailConfigurationError("SMTP_URL is not set; mail stays in the outbox")
    settings = parse_smtp_url(config["SMTP_URL"])
    subject, text, html = render_mail(
        "test", locale=config["DEFAULT_LOCALE"], context={"now": now}
    )
    mail = OutboxMail(
        kind="test",
        recipient=check_address(address.strip()),
        locale=config["DEFAULT_LOCALE"],
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=f"<{uuid.uuid4().hex}@{config['UID_DOMAIN']}>",
        created_dt=now,
    )
    with smtp_connection(settings) as client:
        return send_message(client, build_message(mail, sender=config["MAIL_FROM"]))
