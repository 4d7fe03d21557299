"""Queue mail in the outbox; every feature sends through `queue_mail`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from app.core.audit import log_audit
from app.core.db import db
from app.core.i18n import babel_locale
from app.outbox.delivery import resend
from app.outbox.headers import UnsafeMessageError, header_text, serialise_checked
from app.outbox.mail import (
    MailConfigurationError,
    build_header_block,
    build_message,
    check_address,
    parse_smtp_url,
    send_message,
    smtp_connection,
)
from app.outbox.models import MailState, OutboxMail

logger = logging.getLogger(__name__)

#: The longest subject the outbox keeps (its column's length).
_SUBJECT_LENGTH = 300


def _render_part(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """Render one mail template and return (subject, body) from its two blocks."""
    tmpl = current_app.jinja_env.get_template(template)
    ctx = tmpl.new_context(dict(context))
    subject = "".join(tmpl.blocks["subject"](ctx)).strip()
    body = "".join(tmpl.blocks["body"](ctx)).strip() + "\n"
    return header_text(subject, max_length=_SUBJECT_LENGTH), body


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
    list_unsubscribe: str = "",
) -> OutboxMail:
    """Add a mail to the outbox in the caller's transaction and return it.

    A second call with the same `idempotency_key` returns the first row and adds
    nothing, so a retried request or job never mails twice. `list_unsubscribe`
    is the one-click unsubscribe link of mail the recipient may stop; the
    templates get it as `unsubscribe_link` for their footer.
    """
    existing = db.session.scalar(
        sa.select(OutboxMail).filter_by(idempotency_key=idempotency_key)
    )
    if existing is not None:
        return existing
    subject, text, html = render_mail(
        kind,
        locale=locale,
        context={**context, "unsubscribe_link": list_unsubscribe},
    )
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
        list_unsubscribe=list_unsubscribe,
        idempotency_key=idempotency_key,
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        state=MailState.queued,
        created_dt=now,
        due_dt=due_dt or now,
    )
    refusal = _refusal(mail)
    if refusal:
        # Stored, so an admin sees it in the outbox, but never sent.
        mail.state = MailState.failed
        mail.last_response = refusal[:1000]
    db.session.add(mail)
    db.session.flush()
    if refusal:
        logger.error("refused %s mail %s: %s", kind, mail.id, refusal)
    else:
        logger.info("queued %s mail %s", kind, mail.id)
    return mail


def _refusal(mail: OutboxMail) -> str:
    """Return why the headers of `mail` would be refused as unsafe, or "" if they would not.

    Only the header block is checked here, where every value from outside
    is; delivery checks the whole message again. An address that cannot be
    used is left to delivery, which fails the mail with its own reason.
    """
    try:
        serialise_checked(
            build_header_block(mail, sender=current_app.config["MAIL_FROM"])
        )
    except UnsafeMessageError as error:
        return str(error)
    except MailConfigurationError:
        pass
    return ""


def list_outbox(
    filters: OutboxFilters, *, page: int, per_page: int
) -> tuple[list[OutboxMail], int]:
    """Return one page of the outbox mail matching `filters`, newest first, and their count."""
    query = _narrowed(sa.select(OutboxMail), filters)
    if filters.state is not None:
        query = query.where(OutboxMail.state == filters.state)
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    )
    rows = db.session.scalars(
        query.order_by(OutboxMail.created_dt.desc(), OutboxMail.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def count_outbox_by_state(filters: OutboxFilters | None = None) -> dict[MailState, int]:
    """Return how many mails are in each state, among those of the kind and recipient filtered on.

    The state filter is ignored: the counts are what each state's tab would list.
    """
    query = sa.select(OutboxMail.state, sa.func.count()).group_by(OutboxMail.state)
    if filters is not None:
        query = _narrowed(query, filters)
    counts = dict.fromkeys(MailState, 0)
    counts.update({row[0]: row[1] for row in db.session.execute(query).all()})
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


#: The columns of a query `_narrowed` narrows, whatever they are.
_Row = TypeVarTuple("_Row")


@dataclass(frozen=True)
class OutboxFilters:
    """What the admins' outbox list is narrowed to; an empty value means any."""

    state: MailState | None = None
    kind: str | None = None
    #: Part of the recipient's address, matched without regard to case.
    recipient: str = ""


def _narrowed(query: sa.Select[*_Row], filters: OutboxFilters) -> sa.Select[*_Row]:
    """Return `query` limited to the kind and recipient of `filters` (not the state)."""
    if filters.kind:
        query = query.where(OutboxMail.kind == filters.kind)
    if filters.recipient:
        # A literal search: % and _ typed by an admin match themselves.
        pattern = (
            filters.recipient.replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_")
        )
        query = query.where(OutboxMail.recipient.ilike(f"%{pattern}%", escape="\\"))
    return query


def list_outbox_kinds() -> list[str]:
    """Return the kinds of mail present in the outbox, sorted, for the kind filter."""
    return list(
        db.session.scalars(
            sa.select(OutboxMail.kind).distinct().order_by(OutboxMail.kind)
        ).all()
    )


def resend_failed_mail(
    mails: Sequence[OutboxMail], *, actor_id: int | None, now: datetime
) -> int:
    """Queue the failed ones of `mails` again from a first attempt; return how many.

    Effects: each failed mail becomes queued, due at `now`, with its attempts
    and last answer cleared (`delivery.resend`), and gets an audit entry
    "resent" by `actor_id`. Mail in any other state is left alone: a queued
    or sending mail is on its way, and a sent one was accepted by the server.
    """
    failed = [mail for mail in mails if mail.state is MailState.failed]
    attempts = {mail.id: mail.attempts for mail in failed}
    resend(failed, now=now)
    requeued = [mail for mail in failed if mail.state is MailState.queued]
    for mail in requeued:
        log_audit(
            mail,
            action="resent",
            actor_id=actor_id,
            now=now,
            changes={
                "state": [MailState.failed.value, MailState.queued.value],
                "attempts": [attempts[mail.id], mail.attempts],
            },
        )
    db.session.flush()
    logger.info("admin %s queued %d failed mails again", actor_id, len(requeued))
    return len(requeued)


def resend_failed_outbox(
    filters: OutboxFilters, *, actor_id: int | None, now: datetime
) -> int:
    """Queue again every failed mail of the kind and recipient filtered on; return how many."""
    query = _narrowed(
        sa.select(OutboxMail).where(OutboxMail.state == MailState.failed), filters
    )
    mails = db.session.scalars(query.order_by(OutboxMail.id)).all()
    return resend_failed_mail(mails, actor_id=actor_id, now=now)
