"""Delivering the outbox: claim due mails, send them on one connection, record each answer.

The database holds the truth; the scheduler only ticks (STYLE.md section 7).
A sender claims due rows for a while (`claimed_until_dt`), so several sender
processes never send the same row, and rows held by a sender that died are
claimed again once the claim has expired. On PostgreSQL the claim is
`SELECT ... FOR UPDATE SKIP LOCKED`; SQLite has no such thing (SQLAlchemy
drops it silently, FACTS.md), so there one UPDATE picks and takes the rows,
which SQLite runs one writer at a time.

Each mail is recorded as sent in its own commit right after the server took
it. A sender killed between the two sends that mail again later, with the same
Message-ID, so the receiving side can tell it is the same mail.

A claim lasts OUTBOX_CLAIM_SECONDS. A sender starts no new mail once half of
its claim has passed and gives the rest back untouched, so a slow relay never
lets a claim run out under a mail another sender could then take as well.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.db import db
from app.outbox.headers import UnsafeMessageError
from app.outbox.mail import (
    MailConfigurationError,
    SmtpSettings,
    build_message,
    send_message,
    smtp_connection,
)
from app.outbox.models import MailState, OutboxMail
from config import Config

logger = logging.getLogger(__name__)

#: How long a sender holds the mails it claimed before others may take them,
#: unless the app's OUTBOX_CLAIM_SECONDS says otherwise.
CLAIM_FOR = timedelta(seconds=Config.OUTBOX_CLAIM_SECONDS)
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
    #: Claimed but given back unsent, because half the claim had passed.
    released: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        """Return the counts of both runs together."""
        return DeliveryReport(
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in fields(self)
            }
        )

    def describe(self) -> str:
        """Return the counts as one line for logs and the command line."""
        return (
            f"claimed {self.claimed}, sent {self.sent}, retrying {self.retrying}, "
            f"failed {self.failed}, released {self.released}"
        )


def claim_period() -> timedelta:
    """Return how long a claim lasts: OUTBOX_CLAIM_SECONDS of the current app."""
    return timedelta(
        seconds=float(
            current_app.config.get("OUTBOX_CLAIM_SECONDS", CLAIM_FOR.total_seconds())
        )
    )


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(OutboxMail.state == MailState.queued, OutboxMail.due_dt <= now),
        sa.and_(
            OutboxMail.state == MailState.sending, OutboxMail.claimed_until_dt < now
        ),
    )


def claim_due_mail(
    *, now: datetime, limit: int, claim_for: timedelta | None = None
) -> list[int]:
    """Claim up to `limit` due mails for this sender and commit; return their ids.

    :param claim_for: how long the claim lasts; OUTBOX_CLAIM_SECONDS when None.
    """
    candidates = (
        sa.select(OutboxMail.id)
        .where(_due(now))
        .order_by(OutboxMail.due_dt, OutboxMail.id)
        .limit(limit)
    )
    take = sa.update(OutboxMail).values(
        state=MailState.sending,
        claimed_until_dt=now + (claim_for or claim_period()),
        attempts=OutboxMail.attempts + 1,
    )
    # The commit below expires what the session holds: no need to update it.
    unsynchronised = {"synchronize_session": False}
    if db.session.get_bind().dialect.name == "postgresql":
        # Two statements: inside an UPDATE, PostgreSQL may run the locking
        # subquery again and again, each time skipping the rows just taken,
        # so LIMIT would not hold.
        ids = list(
            db.session.scalars(candidates.with_for_update(skip_locked=True)).all()
        )
        if ids:
            db.session.execute(
                take.where(OutboxMail.id.in_(ids)), execution_options=unsynchronised
            )
    else:
        # SQLite runs one statement holding the write lock from its first
        # step, so no other sender reads between the pick and the take.
        taken = db.session.execute(
            take.where(
                OutboxMail.id.in_(candidates.scalar_subquery()), _due(now)
            ).returning(OutboxMail.id),
            execution_options=unsynchronised,
        )
        ids = sorted(taken.scalars().all())
    db.session.commit()
    return ids


def deliver_due_mail(
    settings: SmtpSettings, *, sender: str, now: datetime, limit: int = 200
) -> DeliveryReport:
    """Send the due mails over one connection; retry temporary failures later."""
    claim_for = claim_period()
    ids = claim_due_mail(now=now, limit=limit, claim_for=claim_for)
    if not ids:
        return DeliveryReport()
    mails = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.id.in_(ids)).order_by(OutboxMail.id)
    ).all()
    # Stop starting new mails at half the claim, measured on a clock that no
    # adjustment of the wall clock can move.
    stop_at = time.monotonic() + claim_for.total_seconds() / 2
    counts = dict.fromkeys(("sent", "retrying", "failed", "released"), 0)
    pending = deque(mails)
    with _kept_loaded():
        try:
            with smtp_connection(settings) as client:
                # At least one mail per claim, however slow the relay, so a
                # sender always makes progress.
                while pending and (
                    len(pending) == len(mails) or time.monotonic() < stop_at
                ):
                    counts[_send_one(client, pending[0], sender=sender, now=now)] += 1
                    db.session.commit()
                    pending.popleft()
            for mail in pending:
                _release(mail)
            counts["released"] = len(pending)
        except (OSError, smtplib.SMTPException, MailConfigurationError) as error:
            # The connection failed or broke, or the relay would not take our
            # credentials safely: what is left goes back to the queue.
            for mail in pending:
                counts[_give_back(mail, now, f"{type(error).__name__}: {error}")] += 1
            logger.warning("SMTP delivery stopped: %s", error)
        db.session.commit()
    report = DeliveryReport(claimed=len(ids), **counts)
    logger.info("outbox delivery: %s", report.describe())
    return report


@contextmanager
def _kept_loaded() -> Iterator[None]:
    """Keep loaded rows loaded across commits while a batch is sent.

    Each mail is committed on its own; by default every commit would expire
    the whole batch and reload each row with a query of its own, which cost
    about a third of the sending time. The sender changes these rows itself
    and holds their claims, so what it has loaded stays true.
    """
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


def _send_one(
    client: smtplib.SMTP, mail: OutboxMail, *, sender: str, now: datetime
) -> str:
    """Send `mail` and record the answer on it; return which count it joins."""
    try:
        answer = send_message(client, build_message(mail, sender=sender))
    except MailConfigurationError as error:
        # An address no server would take: trying again cannot help.
        return _give_back(mail, now, str(error), permanent=True)
    except UnsafeMessageError as error:
        # The serialised message holds what we never set (headers.py): it
        # would be the same next time, so it is never sent.
        logger.error("outbox mail %s not sent: %s", mail.id, error)
        return _give_back(mail, now, str(error), permanent=True)
    except smtplib.SMTPServerDisconnected:
        raise
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
        code, text = _refusal(error)
        return _give_back(mail, now, f"{code} {text}", permanent=code >= 500)
    _mark_sent(mail, now, answer)
    return "sent"


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


def _release(mail: OutboxMail) -> None:
    """Put a claimed mail back as it was, unsent and not counted as an attempt."""
    mail.state = MailState.queued
    mail.claimed_until_dt = None
    mail.attempts -= 1


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
