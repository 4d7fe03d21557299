import pytest

from app.auth.models import Role
from app.core.db import db
from app.outbox.models import MailState
from app.outbox.services import queue_mail
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


def _queue(n, *, subject_name="Ane"):
    return queue_mail(
        "password_reset",
        recipient=f"user{n}@example.org",
        locale="en",
        context={
            "user": {"name": subject_name},
            "link": f"http://vertskap.test/r/{n}",
            "minutes": 60,
        },
        idempotency_key=f"k{n}",
        now=NOW,
    )


def test_outbox_lists_mail_with_counts_and_filters_by_state(client, create_user, login):
    admin = create_user(role=Role.admin, locale="en")
    for n in range(3):
        _queue(n)
    _queue(9).state = MailState.failed
    db.session.commit()
    login(admin)

    everything = client.get(
        "/admin/outbox/", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    failed = client.get(
        "/admin/outbox/?state=failed", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)

    assert "All (4)" in everything
    assert "Queued (3)" in everything
    assert "Failed (1)" in everything
    assert everything.count("Choose a new password for Vertskap") == 4
    assert "No SMTP server is configured" in everything
    assert failed.count("Choose a new password for Vertskap") == 1
    assert "user9@example.org" in failed
    assert "user0@example.org" not in failed


def test_outbox_mail_page_shows_the_text_escaped(client, create_user, login):
    admin = create_user(role=Role.admin)
    mail = _queue(1, subject_name="<script>alert(1)</script>")
    db.session.commit()
    login(admin)

    page = client.get(f"/admin/outbox/{mail.id}").get_data(as_text=True)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "http://vertskap.test/r/1" in page


@pytest.mark.parametrize("role", [Role.member, Role.mayors_office])
def test_outbox_is_forbidden_to_everyone_but_admins(client, create_user, login, role):
    login(create_user(role=role))

    assert client.get("/admin/outbox/").status_code == 403


def test_outbox_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/admin/outbox/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fadmin%2Foutbox%2F"
