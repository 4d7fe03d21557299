"""The moderation pages: queue, submission page, edit and the three decision forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calendar.models import Event, Submission, SubmissionState
from app.calendar.moderation import approve
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.outbox.models import OutboxMail
from tests.calendar.test_moderation import START, make_submission
from tests.fixtures.builders import NOW, PASSWORD

pytestmark = pytest.mark.integration

#: Markup a hostile submitter might type; every one must arrive as text.
PAYLOADS = [
    "<script>alert('t')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
]


@pytest.fixture
def admin(create_user, login):
    user = create_user(role=Role.admin, locale="en", name="Ada Admin")
    login(user)
    return user


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_queue_shows_pending_with_counts_and_a_similar_event_marker(
    app, client, admin, create_event
):
    create_event("Christmas market for newcomers", start=START)
    make_submission(created=NOW - timedelta(hours=2))
    make_submission(
        "Language café", start=START + timedelta(days=3), organiser_name="Café Global"
    )
    make_submission("Old spam", state=SubmissionState.spam)

    page = _html(client.get("/admin/submissions"))

    assert "Waiting for a decision (2)" in page
    assert "Spam (1)" in page
    assert page.index("Christmas market for newcomers") < page.index("Language café")
    assert page.count("Similar event exists") == 1
    assert "Café Global" in page
    assert "Old spam" not in page
    spam_tab = _html(client.get("/admin/submissions?state=spam"))
    assert "Old spam" in spam_tab
    assert "Language café" not in spam_tab
    everything = _html(client.get("/admin/submissions?state=all"))
    assert "Old spam" in everything
    assert "Language café" in everything


@pytest.mark.parametrize("state", ["bogus", "unconfirmed", "PENDING"])
def test_queue_refuses_a_state_it_does_not_have(client, admin, state):
    make_submission("Language café")

    response = client.get(f"/admin/submissions?state={state}")

    assert response.status_code == 400
    assert (
        f"<p>“state={state}” is not a state of the queue: use pending, approved, "
        "rejected, spam, all.</p>"
    ) in _html(response)
    assert "Language café" not in _html(response)


def test_queue_pages_through_many_submissions(app, client, admin):
    app.config["PAGE_SIZE"] = 2
    for n in range(3):
        make_submission(f"Proposal {n}", created=NOW - timedelta(hours=5 - n))

    first = _html(client.get("/admin/submissions"))
    second = _html(client.get("/admin/submissions?state=pending&page=2"))

    assert "Proposal 0" in first
    assert "Proposal 2" not in first
    assert "Page 1 of 2" in first
    assert "Proposal 2" in second
    assert "Proposal 0" not in second


def test_submission_page_shows_every_detail_and_the_similar_event(
    app, client, admin, create_event
):
    event = create_event("Christmas Market for newcomers", start=START)
    submission = make_submission(
        description="Hot **drinks**, [program](https://example.org/p)",
        url="https://partner.example/market",
    )

    page = _html(client.get(f"/admin/submissions/{submission.id}"))

    assert "Something similar is already there" in page
    assert f'href="/events/{event.id}"' in page
    assert "<strong>drinks</strong>" in page
    assert "siri@partner.example" in page
    assert "Siri Submitter" in page
    assert "Torvet, Trondheim" in page
    assert 'href="https://partner.example/market"' in page
    assert page.count('method="post"') >= 3
    assert 'selected value="public"' in page


def test_submitted_markup_renders_inert_on_both_pages(app, client, admin):
    for payload in PAYLOADS:
        make_submission(
            payload,
            description=payload,
            location=payload,
            organiser_name=payload,
            submitter_name=payload,
            url=payload,
        )

    ids = db.session.scalars(sa.select(Submission.id)).all()
    pages = [
        _html(client.get("/admin/submissions")),
        *(_html(client.get(f"/admin/submissions/{i}")) for i in ids),
    ]

    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<svg/onload" not in page
        assert 'href="javascript:' not in page


def test_approve_publishes_with_the_chosen_visibility(app, client, admin):
    submission = make_submission()

    response = client.post(
        f"/admin/submissions/{submission.id}/approve", data={"visibility": "forum"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/submissions"
    event = db.session.scalars(sa.select(Event)).one()
    assert event.visibility is Visibility.forum
    assert db.session.get(Submission, submission.id).event_id == event.id
    queue = _html(client.get("/admin/submissions"))
    assert "is approved and published" in queue
    assert f'<a href="/events/{event.id}">Open the event</a>' in queue


def test_reject_with_a_stock_reason_and_a_note(app, client, admin):
    submission = make_submission(locale="en")

    response = client.post(
        f"/admin/submissions/{submission.id}/reject",
        data={"reason": "duplicate", "note": "See the city's own listing."},
        follow_redirects=True,
    )

    assert "the submitter will get the reason by e-mail" in _html(response)
    saved = db.session.get(Submission, submission.id)
    assert saved.state is SubmissionState.rejected
    assert saved.reject_reason == (
        "The event duplicates one already in the calendar.\n\nSee the city's own listing."
    )
    mail = db.session.scalars(sa.select(OutboxMail)).one()
    assert "See the city's own listing." in mail.body_text


def test_reject_other_without_a_note_keeps_the_form_and_changes_nothing(
    app, client, admin
):
    submission = make_submission()

    response = client.post(
        f"/admin/submissions/{submission.id}/reject",
        data={"reason": "other", "note": ""},
    )

    assert response.status_code == 422
    assert "Explain the reason “Other” in a note." in _html(response)
    assert 'selected value="other"' in _html(response)
    assert db.session.get(Submission, submission.id).state is SubmissionState.pending
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0


def test_spam_sends_nothing(app, client, admin):
    submission = make_submission()

    response = client.post(f"/admin/submissions/{submission.id}/spam")

    assert response.status_code == 302
    assert db.session.get(Submission, submission.id).state is SubmissionState.spam
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0


def test_a_decision_already_taken_is_reported_and_shown(
    app, client, admin, create_user
):
    other = create_user(role=Role.admin, name="Bo Boss")
    submission = make_submission()
    approve(submission.id, visibility=Visibility.public, actor_id=other.id, now=NOW)
    db.session.commit()

    response = client.post(
        f"/admin/submissions/{submission.id}/reject",
        data={"reason": "duplicate"},
        follow_redirects=True,
    )

    page = _html(response)
    assert "This submission was already decided: approved by Bo Boss" in page
    assert "See the published event" in page
    assert db.session.get(Submission, submission.id).state is SubmissionState.approved
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1


def test_edit_a_pending_submission(app, client, admin, create_organisation):
    org = create_organisation("NTNU")
    submission = make_submission()

    form = _html(client.get(f"/admin/submissions/{submission.id}/edit"))
    response = client.post(
        f"/admin/submissions/{submission.id}/edit",
        data={
            "title": "Christmas market",
            "description": "Now with *music*",
            "start": "2026-12-08T18:30",
            "end": "2026-12-08T21:00",
            "timezone": "Europe/Oslo",
            "location": "Torvet",
            "organiser_id": str(org.id),
            "organiser_name": "",
            "initiative_id": "0",
            "url": "https://example.org/x",
        },
    )

    assert 'value="2026-12-08T18:00"' in form
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Submission, submission.id)
    assert (saved.title, saved.organiser_id, saved.location) == (
        "Christmas market",
        org.id,
        "Torvet",
    )
    assert saved.start_dt == START + timedelta(minutes=30)
    assert db.session.scalars(sa.select(AuditEntry.action)).all() == ["edited"]


def test_edit_an_all_day_submission(app, client, admin):
    submission = make_submission()

    client.post(
        f"/admin/submissions/{submission.id}/edit",
        data={
            "title": "Market days",
            "start": "2026-12-08T00:00",
            "end": "2026-12-09T00:00",
            "is_all_day": "y",
            "timezone": "Europe/Oslo",
            "organiser_id": "0",
            "initiative_id": "0",
        },
    )

    db.session.expire_all()
    saved = db.session.get(Submission, submission.id)
    assert saved.is_all_day
    assert saved.start_dt.isoformat() == "2026-12-07T23:00:00+00:00"
    assert saved.end_dt.isoformat() == "2026-12-09T23:00:00+00:00"
    form = _html(client.get(f"/admin/submissions/{submission.id}/edit"))
    assert 'value="2026-12-09T00:00"' in form


def test_edit_with_bad_input_keeps_what_was_typed(app, client, admin):
    submission = make_submission()

    response = client.post(
        f"/admin/submissions/{submission.id}/edit",
        data={
            "title": "Kept title",
            "start": "2026-12-08T18:00",
            "end": "2026-12-08T17:00",
            "timezone": "Europe/Oslo",
            "organiser_id": "0",
            "initiative_id": "0",
            "url": "javascript:alert(1)",
        },
    )

    page = _html(response)
    assert response.status_code == 422
    assert 'value="Kept title"' in page
    assert "Use a web address that starts with http:// or https://" in page
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).title == (
        "Christmas market for newcomers"
    )


def test_a_decided_submission_cannot_be_edited(app, client, admin):
    submission = make_submission(state=SubmissionState.spam)

    response = client.get(
        f"/admin/submissions/{submission.id}/edit", follow_redirects=True
    )

    assert "This submission was already decided" in _html(response)
    assert "Edit the proposal" not in _html(response).split("</h1>", 1)[1]


def test_unknown_submission_is_404(app, client, admin):
    assert client.get("/admin/submissions/999").status_code == 404
    assert client.post("/admin/submissions/999/spam").status_code == 404


_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class TestWithCsrf:
    @pytest.fixture
    def app_settings(self):
        return {"WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def admin(self, client, create_user):
        user = create_user(role=Role.admin, locale="en")
        token = _TOKEN.findall(_html(client.get("/login")))[0]
        response = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        return user

    def test_decisions_need_the_csrf_token_each_form_carries(self, app, client, admin):
        submission = make_submission()
        page = _html(client.get(f"/admin/submissions/{submission.id}"))

        refused = [
            client.post(
                f"/admin/submissions/{submission.id}/{action}",
                data={"visibility": "public", "reason": "duplicate"},
            ).status_code
            for action in ("approve", "reject", "spam")
        ]
        state_after_refusal = db.session.get(Submission, submission.id).state
        accepted = client.post(
            f"/admin/submissions/{submission.id}/spam",
            data={"csrf_token": _TOKEN.findall(page)[0]},
        )

        assert len(_TOKEN.findall(page)) >= 3
        assert all(code in {400, 422} for code in refused)
        assert state_after_refusal is SubmissionState.pending
        assert accepted.status_code == 302
        db.session.expire_all()
        assert db.session.get(Submission, submission.id).state is SubmissionState.spam
