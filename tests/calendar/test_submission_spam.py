"""Spam and limits of the public form: fill time, resent proposals, links, length, duration."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Submission, SubmissionState
from app.calendar.moderation import RejectReason, reject
from app.core.db import db
from app.outbox.models import OutboxMail
from tests.calendar.test_submission_form import _LINK, TITLE, _error, _form
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

ENGLISH = {"DEFAULT_LOCALE": "en"}
TIMED = {**ENGLISH, "SUBMISSION_MIN_FILL_SECONDS": 3}
_OPENED = re.compile(r'<input id="opened" name="opened" type="hidden" value="([^"]+)">')
_NOTICE = re.compile(
    r'<div class="error-summary" id="error-summary" tabindex="-1" autofocus>\s*'
    r'<div role="alert">\s*<h2>([^<]*)</h2>\s*<p>([^<]*)</p>'
)


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return dict(ENGLISH)


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _submissions() -> list[Submission]:
    return list(db.session.scalars(sa.select(Submission).order_by(Submission.id)))


def _mails() -> list[tuple[str, str]]:
    rows = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id))
    return [(mail.kind, mail.recipient) for mail in rows]


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _opened(html: str) -> str:
    (value,) = _OPENED.findall(html)
    return value


def _notice(html: str) -> tuple[str, str]:
    match = _NOTICE.search(html)
    assert match is not None, "no notice above the form"
    return unescape(match.group(1)), unescape(match.group(2))


# --- minimum fill time ------------------------------------------------------------

TOO_QUICK = (
    "Please send the form again",
    "The form was sent very soon after it opened, as spam robots do. Check that all "
    "is right and send it again: everything you typed is kept.",
)
TOO_OLD = (
    "Please send the form again",
    "The form was open for a long time, so we could not accept it as it was. Check "
    "that all is right and send it again: everything you typed is kept.",
)


@pytest.mark.parametrize("app_settings", [TIMED], ids=["min_3s"])
def test_form_sent_too_soon_is_shown_again_with_all_typed_and_goes_through_later(
    client, time_machine
):
    opened = _opened(_text(client.get("/submit")))
    time_machine.move_to(NOW + timedelta(seconds=2), tick=False)

    quick = client.post(
        "/submit", data=_form(opened=opened, description="Keep <this> & that")
    )
    html = _text(quick)
    time_machine.move_to(NOW + timedelta(seconds=4), tick=False)
    again = client.post("/submit", data=_form(opened=_opened(html)))

    assert quick.status_code == 200
    assert _notice(html) == TOO_QUICK
    assert _opened(html) == opened  # the same start: sending again soon works
    assert f'value="{TITLE}"' in html
    assert 'value="hanna@example.org"' in html
    assert 'value="2026-12-10T08:00"' in html
    assert "Keep &lt;this&gt; &amp; that</textarea>" in html
    assert again.status_code == 302
    assert [s.title for s in _submissions()] == [TITLE]


@pytest.mark.parametrize("app_settings", [TIMED], ids=["min_3s"])
def test_form_sent_after_the_minimum_is_accepted_at_once(client, time_machine):
    opened = _opened(_text(client.get("/submit")))
    time_machine.move_to(NOW + timedelta(seconds=3), tick=False)

    response = client.post("/submit", data=_form(opened=opened))

    assert response.status_code == 302
    assert len(_submissions()) == 1


def _forged(opened: str) -> str:
    payload, _dot, signature = opened.rpartition(".")
    return f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize("app_settings", [TIMED], ids=["min_3s"])
@pytest.mark.parametrize("kind", ["missing", "forged", "garbage", "huge"])
def test_form_without_a_good_opening_time_is_refused_with_a_fresh_one(
    client, time_machine, kind
):
    good = _opened(_text(client.get("/submit")))
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    opened = {
        "missing": "",
        "forged": _forged(good),
        "garbage": "1764147600.0",
        "huge": "x" * 10_000,
    }[kind]

    refused = client.post("/submit", data=_form(opened=opened))
    html = _text(refused)
    time_machine.move_to(NOW + timedelta(minutes=5, seconds=3), tick=False)
    again = client.post("/submit", data=_form(opened=_opened(html)))

    assert refused.status_code == 200
    assert _notice(html) == TOO_OLD
    assert _opened(html) not in {good, opened}
    assert f'value="{TITLE}"' in html
    assert again.status_code == 302
    assert len(_submissions()) == 1


@pytest.mark.parametrize("app_settings", [TIMED], ids=["min_3s"])
def test_form_open_longer_than_its_lifetime_is_refused(client, time_machine):
    opened = _opened(_text(client.get("/submit")))
    time_machine.move_to(NOW + timedelta(hours=12, seconds=1), tick=False)

    response = client.post("/submit", data=_form(opened=opened))

    assert _notice(_text(response)) == TOO_OLD
    assert _submissions() == []


@pytest.mark.parametrize(
    "app_settings", [{**TIMED, "SECRET_KEY": "another-secret-key-0123456789abcdef"}]
)
def test_opening_time_signed_with_another_key_is_refused(client, time_machine, app):
    app.config["SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
    other = _opened(_text(client.get("/submit")))
    app.config["SECRET_KEY"] = "another-secret-key-0123456789abcdef"
    time_machine.move_to(NOW + timedelta(seconds=30), tick=False)

    response = client.post("/submit", data=_form(opened=other))

    assert _notice(_text(response)) == TOO_OLD


@pytest.mark.parametrize("app_settings", [{**TIMED, "DEFAULT_LOCALE": "nb"}])
def test_too_quick_notice_is_in_norwegian(client, time_machine):
    opened = _opened(_text(client.get("/submit")))

    response = client.post("/submit", data=_form(opened=opened))

    assert _notice(_text(response)) == (
        "Send skjemaet på nytt",
        "Skjemaet ble sendt svært kort tid etter at det ble åpnet, slik "
        "spamroboter gjør. Sjekk at alt stemmer, og send det igjen: alt du skrev, "
        "er tatt vare på.",
    )


@pytest.mark.parametrize("app_settings", [TIMED], ids=["min_3s"])
def test_form_with_errors_and_too_quick_shows_the_errors_only(client):
    opened = _opened(_text(client.get("/submit")))

    response = client.post("/submit", data=_form(opened=opened, title=""))
    html = _text(response)

    assert _error(html, "title") == "This field is required."
    assert "Please send the form again" not in html


# --- the same proposal sent again --------------------------------------------------


def test_same_proposal_sent_again_is_folded_into_the_first(client):
    first = client.post("/submit", data=_form())
    second = client.post(
        "/submit",
        data=_form(
            title="  hamburg   BUSINESS breakfast ", submitter_email="Hanna@Example.org"
        ),
    )

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert second.headers["Location"] == "/submit/thanks?outcome=unconfirmed"
    assert [s.title for s in _submissions()] == [TITLE]
    assert _mails() == [("submission_confirm", "hanna@example.org")]


def test_resent_proposal_after_confirmation_gets_the_queue_receipt_again(client):
    client.post("/submit", data=_form())
    (path,) = _LINK.findall(db.session.scalars(sa.select(OutboxMail)).one().body_text)
    client.get(path)

    again = client.post("/submit", data=_form())

    assert again.headers["Location"] == "/submit/thanks?outcome=pending"
    assert [s.state for s in _submissions()] == [SubmissionState.pending]
    assert _mails() == [
        ("submission_confirm", "hanna@example.org"),
        ("submission_received", "hanna@example.org"),
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"start": "2026-12-10T09:00", "end": "2026-12-10T10:00"},
        {"title": "Hamburg business lunch"},
        {"submitter_email": "hans@example.org"},
    ],
    ids=["other_start", "other_title", "other_address"],
)
def test_proposal_differing_in_start_title_or_address_is_new(client, changes):
    client.post("/submit", data=_form())

    client.post("/submit", data=_form(**changes))

    assert len(_submissions()) == 2
    assert len(_mails()) == 2


def test_proposal_sent_again_after_a_day_is_new(client, time_machine):
    client.post("/submit", data=_form())
    time_machine.move_to(NOW + timedelta(hours=24, seconds=1), tick=False)

    client.post("/submit", data=_form())

    assert len(_submissions()) == 2


def test_proposal_sent_again_after_a_decision_is_new(client, create_user):
    client.post("/submit", data=_form())
    (path,) = _LINK.findall(db.session.scalars(sa.select(OutboxMail)).one().body_text)
    client.get(path)
    (submission,) = _submissions()
    admin = create_user(role=Role.admin, locale="en")
    reject(submission.id, reason=RejectReason.unrelated, actor_id=admin.id, now=NOW)
    db.session.commit()

    response = client.post("/submit", data=_form())

    assert response.headers["Location"] == "/submit/thanks?outcome=unconfirmed"
    assert [s.state for s in _submissions()] == [
        SubmissionState.rejected,
        SubmissionState.unconfirmed,
    ]


def test_member_sending_the_same_proposal_twice_gets_one_receipt(
    client, login, create_user
):
    login(create_user("mats@example.org", locale="en"))

    for _n in range(2):
        response = client.post(
            "/submit", data=_form(submitter_name="", submitter_email="")
        )
        assert response.headers["Location"] == "/submit/thanks?outcome=pending"

    assert len(_submissions()) == 1
    assert _mails() == [("submission_received", "mats@example.org")]


# --- links, length, duration -------------------------------------------------------


def _links(n: int) -> str:
    kinds = ["https://a.example/{}", "http://b.example/{}", "www.c.example/{}"]
    return "\n".join(
        f"- [page {i}]({kinds[i % 3].format(i)})"
        if i % 3 != 2
        else f"- {kinds[2].format(i)}"
        for i in range(n)
    )


def test_description_with_five_links_is_accepted(client):
    response = client.post("/submit", data=_form(description=_links(5)))

    assert response.status_code == 302


def test_description_with_six_links_is_refused_and_kept(client):
    description = _links(6) + "\nAlso https://www.d.example/ and WWW.E.EXAMPLE."

    response = client.post("/submit", data=_form(description=description))
    html = _text(response)

    assert _error(html, "description") == (
        "Use at most 5 web links in the description; it has 8."
    )
    assert "- www.c.example/5\n" in unescape(html)
    assert _submissions() == []


def test_overlong_description_is_refused_whole_not_cut(client):
    description = "Ø" * 4990 + "0123456789x"

    page = _text(client.get("/submit"))
    response = client.post("/submit", data=_form(description=description))
    html = _text(response)

    assert re.search(r"<textarea[^>]*maxlength", page) is None  # no silent cut
    assert _error(html, "description") == (
        "Use at most 5000 characters; this has 5001."
    )
    assert f">\r\n{description}</textarea>" in html
    assert _submissions() == []


@pytest.mark.parametrize(
    ("changes", "accepted"),
    [
        ({"start": "2026-12-10T08:00", "end": "2027-03-12T08:00"}, True),  # 92 days
        ({"start": "2026-12-10T08:00", "end": "2027-03-12T08:01"}, False),
        ({"start": "2027-03-01T08:00", "end": "2027-06-01T08:00"}, True),  # across DST
        (
            {"is_all_day": "y", "start": "2026-12-10T00:00", "end": "2027-03-11T00:00"},
            True,  # 92 days, both included
        ),
        (
            {"is_all_day": "y", "start": "2026-12-10T00:00", "end": "2027-03-12T00:00"},
            False,
        ),
        ({"start": "2027-01-01T08:00", "end": "2100-01-01T08:00"}, False),
    ],
    ids=["92_days", "92_days_1_min", "dst", "all_day_92", "all_day_93", "to_2100"],
)
def test_public_form_refuses_events_longer_than_the_maximum(client, changes, accepted):
    response = client.post("/submit", data=_form(**changes))

    if accepted:
        assert response.status_code == 302
        assert len(_submissions()) == 1
    else:
        assert _error(_text(response), "end") == (
            "An event can last at most 92 days. Check the end, or enter a longer "
            "activity as a repeating event."
        )
        assert _submissions() == []


# --- rate limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    "app_settings",
    [{**ENGLISH, "RATELIMIT_ENABLED": True, "SUBMISSION_RATE_LIMIT": "2 per hour"}],
    ids=["limit_2"],
)
def test_refused_posts_do_not_count_against_the_submission_limit(client):
    first = client.post("/submit", data=_form())
    typos = [client.post("/submit", data=_form(title="")).status_code for _ in range(6)]
    second = client.post("/submit", data=_form(title="Second proposal"))
    third = client.post("/submit", data=_form(title="One too many"))

    assert (first.status_code, typos, second.status_code) == (302, [200] * 6, 302)
    assert third.status_code == 429
    assert [s.title for s in _submissions()] == [TITLE, "Second proposal"]


@pytest.mark.parametrize(
    "app_settings",
    [
        {
            **ENGLISH,
            "RATELIMIT_ENABLED": True,
            "SUBMISSION_ATTEMPT_RATE_LIMIT": "3 per hour",
        }
    ],
    ids=["attempts_3"],
)
def test_every_post_counts_against_the_attempt_limit(client):
    codes = [client.post("/submit", data=_form(title="")).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
