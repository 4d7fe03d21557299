"""Delivering the outbox to a real SMTP server on 127.0.0.1: once, on time, whatever fails."""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.core.db import db
from app.outbox.delivery import (
    CLAIM_FOR,
    MAX_ATTEMPTS,
    claim_due_mail,
    deliver_due_mail,
    resend,
    retry_delay,
)
from app.outbox.mail import parse_smtp_url
from app.outbox.models import MailState, OutboxMail
from app.outbox.services import queue_mail
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

SENDER = "vertskap@vertskap.test"


def _queue(n: int, *, due: Any = NOW, recipient: str = "") -> list[OutboxMail]:
    mails = [
        queue_mail(
            "test",
            recipient=recipient or f"kontakt{k}@ntnu.example",
            locale="nb",
            context={"now": NOW},
            idempotency_key=f"delivery-test-{recipient}-{k}",
            now=NOW,
            due_dt=due,
        )
        for k in range(n)
    ]
    db.session.commit()
    return mails


def _states() -> dict[MailState, int]:
    rows = db.session.execute(
        sa.select(OutboxMail.state, sa.func.count()).group_by(OutboxMail.state)
    ).all()
    return {state: count for state, count in rows}  # noqa: C416 - Row pairs


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_due_mails_arrive_once_with_their_message_ids(
    app: Any, smtp_server: Any, smtp_url: str
) -> None:
    mails = _queue(3)
    later = _queue(1, due=NOW + timedelta(hours=1), recipient="later@ntnu.example")

    report = deliver_due_mail(parse_smtp_url(smtp_url), sender=SENDER, now=NOW)
    again = deliver_due_mail(parse_smtp_url(smtp_url), sender=SENDER, now=NOW)

    received = {str(m["Message-ID"]) for m in smtp_server.outbox}
    assert (report.claimed, report.sent, again.claimed) == (3, 3, 0)
    assert received == {mail.message_id for mail in mails}
    db.session.expire_all()
    assert all(
        m.state is MailState.sent and m.last_response.startswith("250") for m in mails
    )
    assert later[0].state is MailState.queued


def test_a_refused_connection_retries_later_and_then_delivers_exactly_once(
    app: Any, smtp_server: Any, smtp_url: str
) -> None:
    mails = _queue(2)
    down = parse_smtp_url(f"smtp://127.0.0.1:{_closed_port()}")

    failed = deliver_due_mail(down, sender=SENDER, now=NOW)
    db.session.expire_all()
    waiting = deliver_due_mail(parse_smtp_url(smtp_url), sender=SENDER, now=NOW)
    back = deliver_due_mail(
        parse_smtp_url(smtp_url), sender=SENDER, now=NOW + retry_delay(1)
    )

    assert (failed.retrying, waiting.claimed, back.sent) == (2, 0, 2)
    assert len(smtp_server.outbox) == 2
    db.session.expire_all()
    assert {m.attempts for m in mails} == {2}


def test_a_sender_that_died_leaves_its_claim_to_expire(
    app: Any, smtp_server: Any, smtp_url: str
) -> None:
    _queue(2)
    claimed = claim_due_mail(now=NOW, limit=10)  # then the sender was killed

    meanwhile = deliver_due_mail(parse_smtp_url(smtp_url), sender=SENDER, now=NOW)
    after = deliver_due_mail(
        parse_smtp_url(smtp_url),
        sender=SENDER,
        now=NOW + CLAIM_FOR + timedelta(seconds=1),
    )

    assert (len(claimed), meanwhile.claimed, after.sent) == (2, 0, 2)
    assert len(smtp_server.outbox) == 2


class _Refusing:
    """An SMTP handler that refuses one recipient for good (550)."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        self.received.append(envelope.content)
        return "250 Message accepted"


def test_a_permanent_refusal_fails_that_mail_only_and_an_admin_may_resend_it(
    app: Any,
) -> None:
    handler = _Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=_closed_port())
    controller.start()
    try:
        url = parse_smtp_url(f"smtp://127.0.0.1:{controller.port}")
        [refused] = _queue(1, recipient="nobody@ntnu.example")
        good = _queue(2)

        report = deliver_due_mail(url, sender=SENDER, now=NOW)
    finally:
        controller.stop()

    db.session.expire_all()
    assert (report.sent, report.failed) == (2, 1)
    assert refused.state is MailState.failed
    assert refused.last_response.startswith("550")
    assert all(m.state is MailState.sent for m in good)
    assert len(handler.received) == 2
    resend([refused], now=NOW)
    db.session.commit()
    assert (refused.state, refused.attempts) == (MailState.queued, 0)


def test_temporary_failures_give_up_after_the_last_attempt(app: Any) -> None:
    [mail] = _queue(1)
    down = parse_smtp_url(f"smtp://127.0.0.1:{_closed_port()}")
    now = NOW
    for _ in range(MAX_ATTEMPTS):
        deliver_due_mail(down, sender=SENDER, now=now)
        db.session.expire_all()
        now = now + retry_delay(mail.attempts)

    assert mail.state is MailState.failed
    assert mail.attempts == MAX_ATTEMPTS
    assert retry_delay(1) == timedelta(minutes=1)
    assert retry_delay(4) == timedelta(minutes=8)


def test_two_senders_never_claim_the_same_mail(app: Any) -> None:
    _queue(60)
    claims: list[list[int]] = []
    barrier = threading.Barrier(2)

    def sender() -> None:
        with app.app_context():
            barrier.wait()
            mine: list[int] = []
            while batch := claim_due_mail(now=NOW, limit=7):
                mine.extend(batch)
            claims.append(mine)
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    every = claims[0] + claims[1]
    assert len(every) == len(set(every)) == 60
    assert _states() == {MailState.sending: 60}


class _Slow(_Refusing):
    """An SMTP handler that takes `delay` seconds to accept each mail."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("app_settings", [{"OUTBOX_CLAIM_SECONDS": 1}])
def test_a_sender_gives_back_untouched_what_half_its_claim_did_not_cover(
    app: Any,
) -> None:
    mails = _queue(10)
    handler = _Slow(delay=0.2)
    controller = Controller(handler, hostname="127.0.0.1", port=_closed_port())
    controller.start()
    try:
        url = parse_smtp_url(f"smtp://127.0.0.1:{controller.port}")
        report = deliver_due_mail(url, sender=SENDER, now=NOW)
    finally:
        controller.stop()

    db.session.expire_all()
    left = [m for m in mails if m.state is not MailState.sent]
    assert report.sent == len(handler.received) == 10 - report.released
    assert 1 <= report.sent <= 4
    assert report.claimed == 10
    assert {(m.state, m.attempts, m.claimed_until_dt, m.due_dt) for m in left} == {
        (MailState.queued, 0, None, NOW)
    }


def test_an_address_no_server_takes_fails_at_once_and_the_batch_goes_on(
    app: Any, smtp_server: Any, smtp_url: str
) -> None:
    [broken] = _queue(1, recipient="two@ntnu.example, three@ntnu.example")
    good = _queue(1)

    report = deliver_due_mail(parse_smtp_url(smtp_url), sender=SENDER, now=NOW)

    db.session.expire_all()
    assert (report.sent, report.failed) == (1, 1)
    assert (broken.state, broken.last_response) == (
        MailState.failed,
        "not a plain e-mail address: 'two@ntnu.example, three@ntnu.example'",
    )
    assert [str(m["Message-ID"]) for m in smtp_server.outbox] == [good[0].message_id]


def test_the_deliver_command_sends_until_nothing_is_due_and_reports(
    app: Any, smtp_server: Any, smtp_url: str
) -> None:
    _queue(5)
    app.config.update(SMTP_URL=smtp_url, OUTBOX_BATCH=2)

    once = app.test_cli_runner().invoke(args=["mail", "deliver"])
    rest = app.test_cli_runner().invoke(args=["mail", "deliver", "--until-empty"])

    assert (once.exit_code, once.output) == (0, "sent 2, retrying later 0, failed 0\n")
    assert (rest.exit_code, rest.output) == (0, "sent 3, retrying later 0, failed 0\n")
    assert len(smtp_server.outbox) == 5


def test_the_deliver_command_refuses_without_smtp_url(app: Any) -> None:
    _queue(1)

    result = app.test_cli_runner().invoke(args=["mail", "deliver"])

    assert result.exit_code == 1
    assert result.output == "Error: SMTP_URL is not set; mail stays in the outbox\n"
    assert _states() == {MailState.queued: 1}
