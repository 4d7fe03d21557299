"""The admins' outbox pages: filters, counts, one mail shown safely, and sending failed mail again."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.outbox.models import MailState, OutboxMail
from app.outbox.services import queue_mail
from tests.auth.helpers import read_page
from tests.fixtures.builders import NOW, PASSWORD
from tests.fixtures.queries import count_statements

pytestmark = pytest.mark.integration

EN = {"Accept-Language": "en"}
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Vertskap//test//EN\r\nEND:VCALENDAR\r\n"
_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _queue(n: int, *, kind: str = "password_reset", **kwargs: Any) -> OutboxMail:
    """Queue mail number `n` through the real path, `n` minutes after NOW."""
    context: dict[str, Any] = {"now": NOW}
    if kind == "password_reset":
        context = {
            "user": {"name": "Ane"},
            "link": f"http://vertskap.test/r/{n}",
            "minutes": 60,
        }
    return queue_mail(
        kind,
        recipient=kwargs.pop("recipient", f"user{n}@example.org"),
        locale="en",
        context=context,
        idempotency_key=f"k{n}",
        now=NOW + timedelta(minutes=n),
        **kwargs,
    )


def _fail(
    mail: OutboxMail, *, attempts: int = 9, answer: str = "550 5.1.1 no such user"
) -> OutboxMail:
    """Put `mail` where delivery leaves a permanently refused one."""
    mail.state = MailState.failed
    mail.attempts = attempts
    mail.last_response = answer
    return mail


class _Tables(HTMLParser):
    """Read the state tabs, the body rows of the table, and the facts list of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tabs: list[str] = []
        self.rows: list[list[str]] = []
        self.facts: dict[str, str] = {}
        self._in: str | None = None
        self._text: list[str] = []
        self._in_tabs = self._in_body = False
        self._dt = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ul" and ("class", "tabs") in attrs:
            self._in_tabs = True
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        if tag in {"li", "td", "dt", "dd"}:
            self._in, self._text = tag, []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text).split())
        if tag == "li" and self._in_tabs:
            self.tabs.append(text)
        elif tag == "td" and self._in_body:
            self.rows[-1].append(text)
        elif tag == "dt":
            self._dt = text
        elif tag == "dd":
            self.facts[self._dt] = text
        elif tag == "ul":
            self._in_tabs = False
        elif tag == "tbody":
            self._in_body = False
        if tag == self._in:
            self._in = None


def _token(client: Any, path: str) -> str:
    """Return the CSRF token of the forms on the page at `path`."""
    (token, *_) = _TOKEN.findall(client.get(path).get_data(as_text=True))
    return token


def _read(response: Any) -> _Tables:
    assert response.status_code == 200, response.status_code
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture
def admin(create_user):
    return create_user(role=Role.admin, locale="en", name="Ada Admin")


@pytest.fixture
def outbox(app):
    """Five mails: three password resets (one failed), a test mail, and a failed test mail."""
    mails = {
        "reset_a": _queue(1, recipient="ane@example.org"),
        "reset_b": _queue(2, recipient="bo@partner.example"),
        "reset_failed": _fail(_queue(3, recipient="Cai@Partner.example")),
        "test": _queue(4, kind="test", recipient="dag@example.org"),
        "test_failed": _fail(
            _queue(5, kind="test", recipient="eli@example.org"), answer="552 too big"
        ),
    }
    mails["reset_a"].state = MailState.sent
    mails["reset_a"].sent_dt = NOW + timedelta(minutes=1)
    mails["reset_a"].last_response = "250 OK"
    db.session.commit()
    return mails


def test_outbox_list_shows_counts_and_columns(client, admin, login, outbox):
    login(admin)

    page = _read(client.get("/admin/outbox/", headers=EN))

    assert page.tabs == [
        "All (5)",
        "Queued (2)",
        "Sending (0)",
        "Sent (1)",
        "Failed (2)",
    ]
    # Newest first; a due time only for mail still to go, the answer for mail not sent.
    assert [row[1:] for row in page.rows] == [
        [
            "eli@example.org",
            "Test mail",
            "Failed",
            "26/11/2026, 10:05",
            "",
            "9",
            "552 too big",
        ],
        [
            "dag@example.org",
            "Test mail",
            "Queued",
            "26/11/2026, 10:04",
            "26/11/2026, 10:04",
            "0",
            "",
        ],
        [
            "Cai@Partner.example",
            "Password reset",
            "Failed",
            "26/11/2026, 10:03",
            "",
            "9",
            "550 5.1.1 no such user",
        ],
        [
            "bo@partner.example",
            "Password reset",
            "Queued",
            "26/11/2026, 10:02",
            "26/11/2026, 10:02",
            "0",
            "",
        ],
        [
            "ane@example.org",
            "Password reset",
            "Sent",
            "26/11/2026, 10:01",
            "",
            "0",
            "",
        ],
    ]


def test_outbox_filters_narrow_the_list_and_the_counts(client, admin, login, outbox):
    login(admin)

    by_kind = _read(client.get("/admin/outbox/?kind=test", headers=EN))
    by_recipient = _read(client.get("/admin/outbox/?recipient=PARTNER.ex", headers=EN))
    all_three = _read(
        client.get(
            "/admin/outbox/?state=failed&kind=password_reset&recipient=partner",
            headers=EN,
        )
    )
    literal = _read(client.get("/admin/outbox/?recipient=%25", headers=EN))
    unknown_kind = client.get("/admin/outbox/?kind=nope", headers=EN)
    unknown_state = client.get("/admin/outbox/?state=lost", headers=EN)
    known_but_none = _read(client.get("/admin/outbox/?kind=weekly_digest", headers=EN))

    assert ([r[1] for r in by_kind.rows], by_kind.tabs[0]) == (
        ["eli@example.org", "dag@example.org"],
        "All (2)",
    )
    assert [r[1] for r in by_recipient.rows] == [
        "Cai@Partner.example",
        "bo@partner.example",
    ]
    assert by_recipient.tabs == [
        "All (2)",
        "Queued (1)",
        "Sending (0)",
        "Sent (0)",
        "Failed (1)",
    ]
    assert [r[1] for r in all_three.rows] == ["Cai@Partner.example"]
    assert literal.rows == [["No mail."]]
    # A kind or state the outbox does not know is refused, never read as "any".
    assert unknown_kind.status_code == unknown_state.status_code == 400
    assert "<p>“kind=nope” is not a kind of mail Vertskap sends.</p>" in (
        unknown_kind.get_data(as_text=True)
    )
    assert (
        "<p>“state=lost” is not a state of a mail: use queued, sending, sent, "
        "failed.</p>"
    ) in unknown_state.get_data(as_text=True)
    assert known_but_none.rows == [["No mail."]]


def test_outbox_names_each_kind_of_mail_in_words(client, admin, login, outbox):
    login(admin)

    html = client.get("/admin/outbox/", headers=EN).get_data(as_text=True)
    page = _read(client.get("/admin/outbox/", headers=EN))

    assert sorted({row[2] for row in page.rows}) == ["Password reset", "Test mail"]
    assert "password_reset</td>" not in html
    assert '<option value="password_reset" >Password reset</option>' in html


def test_outbox_filter_form_and_pages_keep_the_filters(
    client, admin, login, outbox, app
):
    app.config["PAGE_SIZE"] = 1
    login(admin)

    response = client.get(
        "/admin/outbox/?state=queued&kind=password_reset&recipient=bo", headers=EN
    )
    html = response.get_data(as_text=True)
    form = read_page(response)

    assert form.values == {
        "state": "queued",
        "kind": "password_reset",
        "recipient": "bo",
    }
    assert '<option value="password_reset" selected>' in html
    assert [f.method for f in form.forms if "kind" in f.names] == ["get"]
    # Two matching mails make two pages, and the link to the next keeps the filters.
    wide = client.get(
        "/admin/outbox/?kind=test&recipient=example", headers=EN
    ).get_data(as_text=True)
    assert 'href="/admin/outbox/?page=2&amp;kind=test&amp;recipient=example"' in wide
    second = _read(
        client.get("/admin/outbox/?page=2&kind=test&recipient=example", headers=EN)
    )
    assert [r[1] for r in second.rows] == ["dag@example.org"]


def test_outbox_mail_page_shows_every_fact(client, admin, login, app):
    mail = _queue(7, ics=ICS, list_unsubscribe="http://vertskap.test/unsubscribe/tok")
    # Waiting for its fifth try after the server asked it to come back later.
    mail.attempts, mail.last_response = 4, "421 try later"
    mail.due_dt = NOW + timedelta(hours=1)
    db.session.commit()
    login(admin)

    page = _read(client.get(f"/admin/outbox/{mail.id}", headers=EN))

    assert page.facts == {
        "State": "Queued",
        "To": "user7@example.org",
        "Kind": "Password reset",
        "Language": "en",
        "Message-ID": mail.message_id,
        "Created": "26 Nov 2026, 10:07:00",
        "To be sent": "26 Nov 2026, 11:00:00",
        "Attempts": "4",
        "Last answer": "421 try later",
        "Unsubscribe link": "http://vertskap.test/unsubscribe/tok",
        "Attachment": "Download the calendar file (.ics)",
    }


def test_outbox_mail_page_escapes_a_hostile_mail_and_frames_its_html(
    client, admin, login, app
):
    mail = _queue(1)
    mail.subject = HOSTILE
    mail.body_text = HOSTILE
    mail.body_html = f"<p>Hello</p>{HOSTILE}"
    db.session.commit()
    login(admin)

    html = client.get(f"/admin/outbox/{mail.id}", headers=EN).get_data(as_text=True)

    assert HOSTILE not in html
    assert "<script>" not in html
    assert (
        html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 4
    )  # title, h1, text, source
    assert (
        f'<iframe class="mail-html" src="/admin/outbox/{mail.id}/html" sandbox="" '
        'referrerpolicy="no-referrer" width="100%" height="480" '
        'title="HTML version of the mail"></iframe>'
    ) in html


def test_outbox_html_body_is_served_sandboxed(client, admin, login, app):
    mail = _queue(1)
    mail.body_html = f"<p>Hello</p>{HOSTILE}"
    plain = _queue(2, kind="test")
    db.session.commit()
    login(admin)

    response = client.get(f"/admin/outbox/{mail.id}/html")
    missing = client.get(f"/admin/outbox/{plain.id}/html")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == f"<p>Hello</p>{HOSTILE}"
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'self'"
    )
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Cache-Control"] == "no-store"
    assert missing.status_code == 404


def test_outbox_ics_attachment_downloads(client, admin, login, app):
    with_ics = _queue(1, ics=ICS)
    without = _queue(2)
    db.session.commit()
    login(admin)

    response = client.get(f"/admin/outbox/{with_ics.id}/invite.ics")
    missing = client.get(f"/admin/outbox/{without.id}/invite.ics")
    page = client.get(f"/admin/outbox/{without.id}", headers=EN).get_data(as_text=True)

    assert (response.status_code, response.data) == (200, ICS)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == f"attachment; filename=mail-{with_ics.id}.ics"
    )
    assert missing.status_code == 404
    assert "invite.ics" not in page


def test_outbox_resend_queues_a_failed_mail_again(
    client, admin, login, outbox, time_machine
):
    mail = outbox["reset_failed"]
    login(admin)
    resent_at = NOW + timedelta(hours=1)  # the mail was due at NOW + 3 minutes
    time_machine.move_to(resent_at, tick=False)

    response = client.post(f"/admin/outbox/{mail.id}/resend", headers=EN)
    page = read_page(client.get(response.headers["Location"], headers=EN))

    assert (response.status_code, response.headers["Location"]) == (
        302,
        f"/admin/outbox/{mail.id}",
    )
    assert page.flashes == [
        "The mail to Cai@Partner.example is queued to be sent again."
    ]
    db.session.refresh(mail)
    assert (mail.state, mail.attempts, mail.last_response, mail.sent_dt) == (
        MailState.queued,
        0,
        "",
        None,
    )
    assert mail.due_dt == resent_at  # due now, not at its old time
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (
        entry.object_type,
        entry.object_id,
        entry.action,
        entry.actor_id,
        entry.changes,
    ) == (
        "outbox_mails",
        mail.id,
        "resent",
        admin.id,
        {"state": ["failed", "queued"], "attempts": [9, 0]},
    )


@pytest.mark.parametrize("name", ["reset_a", "reset_b"])
def test_outbox_resend_refuses_mail_that_has_not_failed(
    client, admin, login, outbox, name
):
    mail = outbox[name]
    before = (mail.state, mail.attempts, mail.due_dt, mail.last_response)
    login(admin)

    response = client.post(f"/admin/outbox/{mail.id}/resend", headers=EN)
    page = read_page(client.get(response.headers["Location"], headers=EN))

    assert page.flashes == ["Only failed mail can be sent again."]
    db.session.refresh(mail)
    assert (mail.state, mail.attempts, mail.due_dt, mail.last_response) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_outbox_resend_button_shows_on_failed_mail_only(client, admin, login, outbox):
    login(admin)

    forms = {
        name: [
            f.action
            for f in read_page(client.get(f"/admin/outbox/{mail.id}")).forms
            if f.method == "post"
        ]
        for name, mail in outbox.items()
    }

    failed, failed_test = outbox["reset_failed"].id, outbox["test_failed"].id
    assert forms == {
        "reset_a": ["/language", "/logout"],
        "reset_b": ["/language", "/logout"],
        "reset_failed": ["/language", "/logout", f"/admin/outbox/{failed}/resend"],
        "test": ["/language", "/logout"],
        "test_failed": ["/language", "/logout", f"/admin/outbox/{failed_test}/resend"],
    }


def test_outbox_resend_all_queues_every_failed_mail(client, admin, login, outbox):
    login(admin)
    button = client.get("/admin/outbox/", headers=EN).get_data(as_text=True)

    response = client.post(
        "/admin/outbox/resend-failed", data={"state": "failed"}, headers=EN
    )
    page = read_page(client.get(response.headers["Location"], headers=EN))
    again = client.post("/admin/outbox/resend-failed", headers=EN)

    assert "Send all 2 failed mails again" in button
    assert response.headers["Location"] == "/admin/outbox/?state=failed"
    assert page.flashes == ["2 failed mails are queued to be sent again."]
    states = db.session.execute(
        sa.select(OutboxMail.recipient, OutboxMail.state, OutboxMail.attempts).order_by(
            OutboxMail.id
        )
    ).all()
    assert [tuple(row) for row in states] == [
        ("ane@example.org", MailState.sent, 0),
        ("bo@partner.example", MailState.queued, 0),
        ("Cai@Partner.example", MailState.queued, 0),
        ("dag@example.org", MailState.queued, 0),
        ("eli@example.org", MailState.queued, 0),
    ]
    assert read_page(client.get(again.headers["Location"], headers=EN)).flashes == [
        "No failed mail to send again."
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 2


def test_outbox_resend_all_keeps_to_the_filters(client, admin, login, outbox):
    login(admin)
    listed = client.get("/admin/outbox/?kind=test", headers=EN).get_data(as_text=True)

    response = client.post(
        "/admin/outbox/resend-failed", data={"kind": "test"}, headers=EN
    )

    assert "Send 1 failed mail again" in listed
    assert response.headers["Location"] == "/admin/outbox/?kind=test"
    db.session.expire_all()
    assert (outbox["test_failed"].state, outbox["reset_failed"].state) == (
        MailState.queued,
        MailState.failed,
    )


@pytest.mark.parametrize("role", [Role.member, Role.mayors_office])
def test_outbox_pages_are_forbidden_to_all_but_admins(
    client, create_user, login, outbox, role
):
    mail = outbox["reset_failed"]
    login(create_user(role=role))

    answers = {
        path: client.get(path).status_code
        for path in (
            "/admin/outbox/",
            f"/admin/outbox/{mail.id}",
            f"/admin/outbox/{mail.id}/html",
            f"/admin/outbox/{mail.id}/invite.ics",
        )
    }
    answers.update(
        {
            path: client.post(path).status_code
            for path in (
                f"/admin/outbox/{mail.id}/resend",
                "/admin/outbox/resend-failed",
            )
        }
    )

    assert set(answers.values()) == {403}
    assert len(answers) == 6
    db.session.refresh(mail)
    assert mail.state is MailState.failed


def test_outbox_pages_send_anonymous_visitors_to_log_in(client, outbox):
    mail = outbox["reset_failed"]

    get = client.get(f"/admin/outbox/{mail.id}/html")
    post = client.post(f"/admin/outbox/{mail.id}/resend")

    assert (get.status_code, get.headers["Location"]) == (
        302,
        f"/login?next=%2Fadmin%2Foutbox%2F{mail.id}%2Fhtml",
    )
    assert post.status_code == 302
    assert post.headers["Location"].startswith("/login?next=")
    db.session.refresh(mail)
    assert mail.state is MailState.failed


@pytest.mark.parametrize("app_settings", [{"WTF_CSRF_ENABLED": True}])
def test_outbox_resend_needs_the_csrf_token(client, admin, outbox, app_settings):
    mail = outbox["reset_failed"]
    token = _token(client, "/login")
    client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
    )

    refused = client.post(f"/admin/outbox/{mail.id}/resend")
    db.session.refresh(mail)
    state_after_refusal = mail.state
    accepted = client.post(
        f"/admin/outbox/{mail.id}/resend",
        data={"csrf_token": _token(client, f"/admin/outbox/{mail.id}")},
    )

    assert (refused.status_code, state_after_refusal) == (400, MailState.failed)
    assert accepted.status_code == 302
    db.session.refresh(mail)
    assert mail.state is MailState.queued


def test_outbox_list_query_count_does_not_grow_with_mail(client, admin, login, app):
    _fail(_queue(1))
    db.session.commit()
    login(admin)
    with count_statements() as one:
        client.get("/admin/outbox/?recipient=example")
    for n in (2, 3):
        _fail(_queue(n, kind="test"))
    db.session.commit()

    with count_statements() as three:
        client.get("/admin/outbox/?recipient=example")

    assert len(three) == len(one)
