"""Header values stay one header, and a message whose bytes hold more is never sent.

These need no database: the values here never came through a form, and the
header safety must hold for them all the same.
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote

import pytest

from app.outbox.headers import (
    SEND_POLICY,
    UnsafeMessageError,
    header_text,
    serialise_checked,
)
from app.outbox.mail import (
    MailConfigurationError,
    build_message,
    check_address,
    parse_smtp_url,
    send_message,
    smtp_connection,
)
from app.outbox.models import OutboxMail
from tests.outbox.header_payloads import PAYLOADS, QP_BCC

SENDER = "vertskap@vertskap.test"
#: The headers of a mail with text and HTML, in the order we set them.
OUR_HEADERS = [
    "From",
    "To",
    "Subject",
    "Message-ID",
    "Date",
    "Auto-Submitted",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
    "Content-Language",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (QP_BCC, "= ?UTF-8?Q?Hei=0D=0ABcc:_x@example.org?="),
        (
            PAYLOADS["b64-reply-to"],
            "= ?UTF-8?B?SGVpDQpSZXBseS1UbzogZXZpbEBleGFtcGxlLm9yZw== ?=",
        ),
        (PAYLOADS["inside-a-word"], "Hei= ?utf-8?q?=0A?=Bcc:_x@example.org"),
        (PAYLOADS["raw-crlf"], "Hei Bcc: x@example.org"),
        (PAYLOADS["raw-lf"], "Hei Reply-To: evil@example.org"),
        (PAYLOADS["raw-cr"], "Hei Bcc: x@example.org"),
        (PAYLOADS["line-separator"], "Hei Bcc: x@example.org"),
        (PAYLOADS["paragraph-separator"], "Hei Bcc: x@example.org"),
        (PAYLOADS["next-line"], "Hei Bcc: x@example.org"),
        (PAYLOADS["nul"], "Hei Bcc: x@example.org"),
        ("Hei\x1b[31m\x7f \t\x0b\x0c du", "Hei [31m du"),
        ("==??=?=?", "== ??= ?= ?"),
        ("  Møte\u00a0i   Trondheim  ", "Møte i Trondheim"),
        ("Kulturnatt: 2 + 2 = 4? Ja!", "Kulturnatt: 2 + 2 = 4? Ja!"),
    ],
)
def test_header_text_neutralises_line_breaks_controls_and_encoded_words(
    value, expected
):
    assert header_text(value) == expected


def test_header_text_is_the_same_when_applied_twice():
    once = {name: header_text(value) for name, value in PAYLOADS.items()}

    assert {name: header_text(value) for name, value in once.items()} == once


def test_header_text_cuts_what_is_longer_than_the_limit_with_an_ellipsis():
    assert header_text("ø" * 400, max_length=300) == "ø" * 299 + "…"
    assert header_text("ab " * 150, max_length=300) == "ab " * 99 + "ab…"
    assert header_text("kort", max_length=300) == "kort"


def _mail(value: str) -> OutboxMail:
    return OutboxMail(
        kind="test",
        recipient="hanna@example.org",
        locale="en",
        subject=value,
        body_text=f"{value}\n",
        body_html=f"<p>{value}</p>",
        list_unsubscribe=f"http://vertskap.test/unsubscribe/{value}",
        message_id="<abc@vertskap.test>",
        created_dt=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_a_payload_in_every_header_value_serialises_to_exactly_our_headers(name):
    value = PAYLOADS[name]

    raw = serialise_checked(build_message(_mail(value), sender=SENDER))

    received = email.message_from_bytes(raw, policy=email.policy.SMTP)
    assert received.keys() == OUR_HEADERS
    assert [part.get_content_type() for part in received.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert str(received["Subject"]) == header_text(value)
    link = str(received["List-Unsubscribe"])
    assert unquote(link) == f"<http://vertskap.test/unsubscribe/{header_text(value)}>"
    assert (link.isascii(), link.split()) == (True, [link])  # one link, no spaces


@pytest.mark.parametrize(
    "address",
    [
        "a\u2028@example.org",
        "a@example.org\x85",
        "a\x0b@example.org",
        "a@exa\x00mple.org",
        "=?UTF-8?B?eA0KQmNjOiBldmlsQHgub3JnDQo=?=@example.org",
    ],
)
def test_check_address_refuses_control_characters_and_encoded_words(address):
    with pytest.raises(MailConfigurationError):
        check_address(address)


def _plain_message(raw_subject: str = "") -> EmailMessage:
    """Return a one-part message; `raw_subject` is stored as it is, unchecked."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = "hanna@example.org"
    if raw_subject:
        message.set_raw("Subject", raw_subject)
    else:
        message["Subject"] = "Hei"
    message.set_content("Hei\n")
    return message


def test_serialise_checked_returns_the_bytes_of_a_sound_message():
    message = _plain_message()

    raw = serialise_checked(message)

    assert raw == message.as_bytes(policy=SEND_POLICY)


# Python 3.11.7 writes these raw values as they are; an interpreter with
# CVE-2024-6923 fixed refuses to write them (HeaderWriteError), which
# serialise_checked reports as "the message cannot be serialised".
@pytest.mark.parametrize(
    ("raw_subject", "reason"),
    [
        (
            "Hei\r\nBcc: x@example.org",
            "its serialised header block holds headers we did not set: bcc",
        ),
        (
            "Hei\r\nTo: evil@example.org",
            "its serialised header block repeats headers we set: to",
        ),
        (
            "Hei\r\nContent-Type: text/html\r\n\r\n<p>Betal her</p>",
            "headers we set are missing once serialised: "
            "content-transfer-encoding, mime-version",
        ),
        (
            "Hei\r\n\r\n<p>Betal her</p>",
            "headers we set are missing once serialised: "
            "content-transfer-encoding, content-type, mime-version",
        ),
    ],
)
def test_serialise_checked_refuses_a_hand_made_message_with_more_than_we_set(
    raw_subject, reason
):
    message = _plain_message(raw_subject)

    with pytest.raises(UnsafeMessageError) as refused:
        serialise_checked(message)

    assert str(refused.value) == f"unsafe message refused: {reason}"


def test_send_message_refuses_an_unsafe_message_before_talking_to_the_server(
    smtp_server: Any, smtp_url: str
):
    message = _plain_message()
    message.set_raw("Reply-To", "x@example.org\r\nBcc: x@example.org")

    with (
        smtp_connection(parse_smtp_url(smtp_url)) as client,
        pytest.raises(UnsafeMessageError),
    ):
        send_message(client, message)

    assert smtp_server.outbox == []
