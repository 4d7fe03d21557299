"""Build e-mail messages from outbox rows and hand them to the SMTP relay in SMTP_URL."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import unquote, urlsplit

from app.outbox.headers import (
    SEND_POLICY,
    is_unsafe_char,
    serialise_checked,
    set_link_header,
    set_text_header,
)
from app.outbox.models import OutboxMail

#: Seconds to wait for the SMTP server before giving up on a connection or command.
SMTP_TIMEOUT = 20


class MailConfigurationError(ValueError):
    """SMTP_URL or an address cannot be used."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the relay."""

    host: str
    port: int
    use_tls: bool  # smtps://: TLS from the first byte
    username: str
    password: str
    timeout: float = SMTP_TIMEOUT


def parse_smtp_url(url: str) -> SmtpSettings:
    """Return the settings of `smtp://[user:password@]host[:port]` or `smtps://...`.

    smtp:// upgrades with STARTTLS whenever the server offers it, and insists on
    it before sending credentials.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise MailConfigurationError(
            "SMTP_URL must look like smtp://host:587 or smtps://host:465"
        )
    use_tls = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if use_tls else 587),
        use_tls=use_tls,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def check_address(address: str) -> str:
    """Return `address` if it is a single plain address; refuse line breaks and display names.

    smtplib passes CR/LF inside envelope addresses straight to the server
    (FACTS.md, web and mail), so no control character may reach it. An
    encoded word (`=?`) is refused too: base64 is valid in a local part, and
    the header parser would decode it, line breaks included.
    """
    if (
        any(is_unsafe_char(ch) for ch in address)
        or "=?" in address
        or parseaddr(address)[1] != address
        or "@" not in address
    ):
        raise MailConfigurationError(f"not a plain e-mail address: {address!r}")
    return address


def build_message(mail: OutboxMail, *, sender: str) -> EmailMessage:
    """Return the MIME message of an outbox row: text, optional HTML, optional .ics."""
    message = _addressed(mail, sender=sender)
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    if mail.ics:
        message.add_attachment(
            mail.ics, maintype="text", subtype="calendar", filename="invite.ics"
        )
    # After the parts: setting the content drops every Content-* header.
    set_text_header(message, "Content-Language", mail.locale)
    return message


def build_header_block(mail: OutboxMail, *, sender: str) -> EmailMessage:
    """Return a message with the headers of an outbox row and no parts.

    Cheaper to check than the whole message when a mail is queued: every
    value that came from outside is in these headers.
    """
    message = _addressed(mail, sender=sender)
    set_text_header(message, "Content-Language", mail.locale)
    return message


def _addressed(mail: OutboxMail, *, sender: str) -> EmailMessage:
    """Return a message with every header of `mail` but Content-Language, and no parts.

    Addresses must be plain (`check_address`); every other header value is
    made safe by `set_text_header` or `set_link_header`, here and nowhere
    else, whoever wrote the row.
    """
    message = EmailMessage(policy=SEND_POLICY)
    # Plain checked addresses, written as they are: no display name, nothing
    # for the header parser to decode.
    message.set_raw("From", check_address(sender))
    message.set_raw("To", check_address(mail.recipient))
    set_text_header(message, "Subject", mail.subject)
    set_text_header(message, "Message-ID", mail.message_id)
    set_text_header(message, "Date", format_datetime(mail.created_dt))
    set_text_header(message, "Auto-Submitted", "auto-generated")
    if mail.list_unsubscribe:
        # RFC 8058: a mail program may offer "unsubscribe" and POST to the link.
        set_link_header(message, "List-Unsubscribe", mail.list_unsubscribe)
        set_text_header(message, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    return message


@contextmanager
def smtp_connection(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """Open one authenticated connection to the relay, for a whole batch of messages."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.use_tls:
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.ehlo()
        if not settings.use_tls and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        elif not settings.use_tls and settings.username:
            raise MailConfigurationError(
                "the SMTP server offers no STARTTLS; refusing to send the password in clear"
            )
        if settings.username:
            client.login(settings.username, settings.password)
        yield client
    finally:
        try:
            client.quit()
        except smtplib.SMTPException:
            client.close()


def send_message(client: smtplib.SMTP, message: EmailMessage) -> str:
    """Send one message on an open connection and return the server's answer to its DATA.

    The conversation is spelled out (MAIL, RCPT, DATA) rather than using
    `send_message`, because the answer to DATA is what proves the server took
    the mail, and smtplib's shortcut drops it. The bytes sent are the ones
    `serialise_checked` read back, so nothing the generator adds slips through.
    """
    sender, recipient = (
        check_address(str(message["From"])),
        check_address(str(message["To"])),
    )
    raw = serialise_checked(message)
    client.ehlo_or_helo_if_needed()
    code, answer = client.mail(sender)
    if code != 250:
        client.rset()
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    code, answer = client.rcpt(recipient)
    if code not in (250, 251):
        client.rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
    code, answer = client.data(raw)
    if code != 250:
        client.rset()
        raise smtplib.SMTPDataError(code, answer)
    return f"{code} {answer.decode('utf-8', 'replace')}"
