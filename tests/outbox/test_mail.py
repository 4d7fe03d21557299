import email
import email.policy

import pytest

from app.auth.models import Role
from app.core.db import db
from app.outbox.mail import (
    MailConfigurationError,
    SmtpSettings,
    build_message,
    check_address,
    parse_smtp_url,
    send_message,
    smtp_connection,
)
from app.outbox.models import MailState, OutboxMail
from app.outbox.services import queue_mail
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://relay.example.org",
            SmtpSettings("relay.example.org", 587, False, "", ""),
        ),
        ("smtp://127.0.0.1:2525", SmtpSettings("127.0.0.1", 2525, False, "", "")),
        (
            "smtps://u%40x:p%3Aw@relay.example.org",
            SmtpSettings("relay.example.org", 465, True, "u@x", "p:w"),
        ),
    ],
)
def test_parse_smtp_url_reads_scheme_port_and_credentials(url, expected):
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url", ["", "http://relay.example.org", "smtp://", "relay.example.org:25"]
)
def test_parse_smtp_url_refuses_what_is_not_smtp(url):
    with pytest.raises(MailConfigurationError):
        parse_smtp_url(url)


@pytest.mark.parametrize(
    "address",
    [
        "a@example.org\r\nRCPT TO:<x@evil.example>",
        "a@example.org\n",
        "Ane <a@example.org>",
        "no-at-sign",
        "",
    ],
)
def test_check_address_refuses_line_breaks_and_display_names(address):
    with pytest.raises(MailConfigurationError):
        check_address(address)


def _queued_invitation(create_user):
    admin = create_user("admin@example.org", role=Role.admin, name="Ada Admin")
    member = create_user("ane@example.org", name="Ane Berg", locale="en")
    mail = queue_mail(
        "invitation",
        recipient=member.email,
        recipient_user_id=member.id,
        locale="en",
        context={
            "user": member,
            "link": "http://vertskap.test/invitation/abc",
            "invited_by": admin.name,
            "days": 7,
        },
        idempotency_key="invitation:test",
        now=NOW,
    )
    db.session.commit()
    return mail


def test_queue_mail_twice_with_one_key_adds_one_row(app, create_user):
    first = _queued_invitation(create_user)

    again = queue_mail(
        "invitation",
        recipient="someone@example.org",
        locale="en",
        context={"user": first, "link": "x", "invited_by": "x", "days": 1},
        idempotency_key="invitation:test",
        now=NOW,
    )

    assert again.id == first.id
    assert db.session.query(OutboxMail).count() == 1
    assert first.state is MailState.queued
    assert first.subject == "You are invited to Vertskap"


def test_outbox_mail_reaches_a_real_smtp_server_intact(
    app, create_user, smtp_server, smtp_url
):
    mail = _queued_invitation(create_user)

    with smtp_connection(parse_smtp_url(smtp_url)) as client:
        answer = send_message(
            client, build_message(mail, sender="vertskap@vertskap.test")
        )

    assert answer.startswith("250 ")
    assert len(smtp_server.outbox) == 1
    received = email.message_from_bytes(
        smtp_server.outbox[0].as_bytes(), policy=email.policy.default
    )
    assert received["Subject"] == "You are invited to Vertskap"
    assert received["To"] == "ane@example.org"
    assert received["Message-ID"] == mail.message_id
    assert [part.get_content_type() for part in received.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    text = received.get_body(("plain",)).get_content()
    assert "http://vertskap.test/invitation/abc" in text
    assert text.startswith("Hello Ane Berg,")


def test_mail_test_command_sends_through_smtp_url(app, smtp_server, smtp_url):
    app.config["SMTP_URL"] = smtp_url

    result = app.test_cli_runner().invoke(args=["mail", "test", "ops@example.org"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("sent; the server answered: 250")
    assert [m["To"] for m in smtp_server.outbox] == ["ops@example.org"]


def test_mail_test_command_without_smtp_url_explains(app):
    result = app.test_cli_runner().invoke(args=["mail", "test", "ops@example.org"])

    assert result.exit_code == 1
    assert "SMTP_URL is not set" in result.output
