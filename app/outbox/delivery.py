"""Delivering the outbox: claim due mails, send them on one connection, record each answer.

The database holds the truth; the scheduler only ticks (STYLE.md section 7).
A sender claims due rows for a while (`claimed_until_dt`), so several sender
processes never send the same row, and rows held by a sender that died are
claimed again once the claim has expired. On PostgreSQL the claim is
`SELECT ... FOR UPDATE SKIP LOCKED`; SQLite has no such thing (SQLAlchemy
drops it silently, FACTS.md), so there each row is taken by a conditional
UPDATE, which SQLite runs one writer at a time.

Each mail is recorded as sent in its own commit right after the server took
it. A sender killed between the two sends that mail again later, with the same
Message-ID, so the receiving side can tell it is the same mail.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.core.db import db
from app.outbox.mail import SmtpSettings, build_message, send_message, smtp_connection
from app.outbox.models import MailState, OutboxMail

logger = logging.getLogger(__name__)

#: How long a sender holds the mails it claimed before others may take them.
CLAIM_FOR = timedelta(minutes=5)
#: Wait before the first retry of a temporary failure; it doubles each time.
FIRST_RETRY = timedelta(minutes=1)
#: Attempts before a temporary failure counts as permanent (about 4 hours in all).
MAX_ATTEMPTS = 9


@dataclass(frozen=True)
class DeliveryReport:
    """What one run of the sender did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(OutboxMail.state == MailState.queued, OutboxMail.due_dt <= now),
        sa.and_(
            OutboxMail.state == MailState.sending, OutboxMail.claimed_until_dt < now
        ),
    )


def claim_due_mail(*, now: datetime, limit: int) -> list[int]:
    """Claim up to `limit` due mails for this sender and commit; return their ids."""
    candidates = (
        sa.select(OutboxMail.id)
        .where(_due(now))
        .order_by(OutboxMail.due_dt, OutboxMail.id)
        .limit(limit)
    )
    claim = {
        "state": MailState.sending,
        "claimed_until_dt": now + CLAIM_FOR,
        "attempts": OutboxMail.attempts + 1,
    }
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(
            db.session.scalars(candidates.with_for_update(skip_locked=True)).all()
        )
        if ids:
            db.session.execute(
                sa.update(OutboxMail).where(OutboxMail.id.in_(ids)).values(**claim)
            )
    else:
        ids = []
        for mail_id in db.session.scalars(candidates).all():
            taken = db.session.execute(
                sa.update(OutboxMail)
                .where(OutboxMail.id == mail_id, _due(now))
                .values(**claim)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                ids.append(mail_id)
    db.session.commit()
    return ids


def deliver_due_mail(
    settings: SmtpSettings, *, sender: str, now: datetime, limit: int = 200
) -> DeliveryReport:
    """Send the due mails over one connection; retry temporary failures later."""
    ids = claim_due_mail(now=now, limit=limit)
    if not ids:
        return DeliveryReport()
    mails = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.id.in_(ids)).order_by(OutboxMail.id)
    ).all()
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    pending = list(mails)
    try:
        with smtp_connection(settings) as client:
            while pending:
                mail = pending[0]
                try:
                    answer = send_message(client, build_message(mail, sender=sender))
                except smtplib.SMTPServerDisconnected:
                    raise
                except (
                    smtplib.SMTPResponseException,
                    smtplib.SMTPRecipientsRefused,
                ) as error:
                    code, text = _refusal(error)
                    counts[
                        _give_back(mail, now, f"{code} {text}", permanent=code >= 500)
                    ] += 1
                else:
                    _mark_sent(mail, now, answer)
                    counts["sent"] += 1
                db.session.commit()
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:
        # The connection failed or broke: what is left goes back to the queue.
        for mail in pending:
            counts[_give_back(mail, now, f"{type(error).__name__}: {error}")] += 1
        db.session.commit()
        logger.warning("SMTP delivery stopped: %s", error)
    report = DeliveryReport(claimed=len(ids), **counts)
    logger.info("outbox delivery: %s", report)
    return report


def _refusal(error: smtplib.SMTPException) -> tuple[int, str]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
    else:
        code, text = error.smtp_code, error.smtp_error  # type: ignore[attr-defined]
    return int(code), text.decode("utf-8", "replace") if isinstance(
        text, bytes
    ) else str(text)


def _mark_sent(mail: OutboxMail, now: datetime, answer: str) -> None:
    mail.state = MailState.sent
    mail.sent_dt = now
    mail.claimed_until_dt = None
    mail.last_response = answer[:1000]


def _give_back(
    mail: OutboxMail, now: datetime, reason: str, *, permanent: bool = False
) -> str:
    """Queue `mail` again after a backoff, or fail it; return which count it joins."""
    mail.claimed_until_dt = None
    mail.last_response = reason[:1000]
    if permanent or mail.attempts >= MAX_ATTEMPTS:
        mail.state = MailState.failed
        return "failed"
    mail.state = MailState.queued
    mail.due_dt = now + retry_delay(mail.attempts)
    return "retrying"


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after the `attempts`-th failed try: 1, 2, 4, ... minutes."""
    return FIRST_RETRY * 2 ** max(attempts - 1, 0)


def resend(mails: Sequence[OutboxMail], *, now: datetime) -> None:
    """Queue failed mails again, from a first attempt (an admin's decision)."""
    for mail in mails:
        if mail.state is MailState.failed:
            mail.state = MailState.queued
            mail.due_dt = now
            mail.attempts = 0
            mail.last_response = ""
