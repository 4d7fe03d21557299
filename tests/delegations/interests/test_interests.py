"""Interest: members ask to join or meet a visit; staff accept or decline; mail and access."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.delegations.interests.services import (
    InterestError,
    decide_interest,
    request_interest,
)
from app.delegations.models import Direction, Interest, InterestKind, InterestState
from app.outbox.models import OutboxMail
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration


@pytest.fixture
def staff(create_user):
    return create_user(role=Role.mayors_office, locale="en", name="Kari Host")


@pytest.fixture
def member(create_user):
    return create_user(role=Role.member, locale="en", name="Ola Member")


@pytest.fixture
def visit(create_delegation):
    return create_delegation("Delegation from Hamburg", visibility=Visibility.forum)


def _interests():
    return db.session.scalars(sa.select(Interest).order_by(Interest.id)).all()


def _ask(visit, member, message=""):
    interest = request_interest(visit, user=member, message=message, now=NOW)
    db.session.commit()
    return interest


def _mails():
    return db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()


@pytest.mark.parametrize(
    ("direction", "kind", "heading"),
    [
        (Direction.incoming, InterestKind.meet_delegation, "Meet the delegation"),
        (Direction.outgoing, InterestKind.join_visit, "Join the visit"),
    ],
)
def test_member_requests_interest_kind_follows_direction(
    client, login, member, create_delegation, direction, kind, heading
):
    visit = create_delegation(direction=direction, visibility=Visibility.forum)
    login(member)
    form = client.get(f"/visits/{visit.id}/interest").get_data(as_text=True)

    response = client.post(
        f"/visits/{visit.id}/interest", data={"message": "NTNU would like to come."}
    )

    assert f"<h2>{heading}</h2>" in form
    assert response.status_code == 302
    interest = _interests()[0]
    assert (
        interest.user_id,
        interest.kind,
        interest.state,
        interest.message,
        interest.decided_dt,
    ) == (member.id, kind, InterestState.pending, "NTNU would like to come.", None)
    page = client.get(response.location).get_data(as_text=True)
    assert (
        re.search(r"Your request: <strong class=\"badge\">(.*?)</strong>", page).group(
            1
        )
        == "Waiting for an answer"
    )


def test_member_second_request_is_refused(client, login, member, visit):
    _ask(visit, member)
    login(member)

    response = client.post(f"/visits/{visit.id}/interest", data={"message": "again"})

    assert response.status_code == 302
    assert len(_interests()) == 1
    page = client.get(response.location).get_data(as_text=True)
    assert "You have already sent a request about this visit." in page


def test_member_request_too_long_message_keeps_form(client, login, member, visit):
    login(member)

    response = client.post(f"/visits/{visit.id}/interest", data={"message": "x" * 2001})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.findall(r'<p class="error" id="(\w+)-error">(.*?)</p>', html) == [
        ("message", "Use at most 2000 characters.")
    ]
    assert _interests() == []


def test_member_withdraws_pending_request(client, login, member, visit):
    interest = _ask(visit, member)
    interest_id = interest.id
    login(member)

    response = client.post(f"/visits/{visit.id}/interest/withdraw")

    assert response.status_code == 302
    assert _interests() == []
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .filter_by(object_type="interests", object_id=interest_id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["requested", "withdrawn"]


def test_member_cannot_withdraw_decided_request(client, login, member, staff, visit):
    interest = _ask(visit, member)
    decide_interest(interest, state=InterestState.accepted, actor=staff, now=NOW)
    db.session.commit()
    login(member)

    response = client.post(f"/visits/{visit.id}/interest/withdraw")

    assert response.status_code == 302
    db.session.refresh(interest)
    assert interest.state is InterestState.accepted
    page = client.get(response.location).get_data(as_text=True)
    assert "The host has already answered this request." in page
    assert "Withdraw my request" not in page


@pytest.mark.parametrize(
    ("answer", "state", "subject"),
    [
        (
            "accepted",
            InterestState.accepted,
            "Your request is accepted: Delegation from Hamburg",
        ),
        (
            "declined",
            InterestState.declined,
            "Your request is declined: Delegation from Hamburg",
        ),
    ],
)
def test_staff_decides_interest_sets_state_audits_and_queues_mail(
    client, login, member, staff, visit, answer, state, subject
):
    interest = _ask(visit, member)
    login(staff)

    response = client.post(
        f"/visits/{visit.id}/interest/{interest.id}/decide", data={"state": answer}
    )

    assert response.status_code == 302
    db.session.refresh(interest)
    assert (interest.state, interest.decided_by_id) == (state, staff.id)
    assert interest.decided_dt is not None
    entry = db.session.scalars(
        sa.select(AuditEntry).filter_by(object_id=interest.id, action="decided")
    ).one()
    assert (entry.actor_id, entry.changes) == (staff.id, {"state": ["pending", answer]})
    [mail] = _mails()
    assert (
        mail.kind,
        mail.recipient,
        mail.recipient_user_id,
        mail.locale,
        mail.subject,
        mail.idempotency_key,
    ) == (
        "interest_decided",
        member.email,
        member.id,
        "en",
        subject,
        f"interest:{interest.id}:{answer}",
    )
    assert f"/visits/{visit.id}/interest" in mail.body_text
    client.post("/logout")
    login(member)
    member_page = client.get(f"/visits/{visit.id}/interest").get_data(as_text=True)
    assert (
        re.search(
            r'Your request: <strong class="badge">(.*?)</strong>', member_page
        ).group(1)
        == answer.capitalize()
    )


def test_decision_mail_goes_out_in_member_language(app, create_user, staff, visit):
    member_nb = create_user(role=Role.member, locale="nb")
    interest = _ask(visit, member_nb)

    decide_interest(interest, state=InterestState.declined, actor=staff, now=NOW)

    [mail] = _mails()
    assert (mail.locale, mail.recipient) == ("nb", member_nb.email)
    assert '<html lang="nb">' in mail.body_html
    assert "Kari Host" not in mail.body_text


def test_decide_interest_same_answer_twice_is_refused(app, member, staff, visit):
    interest = _ask(visit, member)
    decide_interest(interest, state=InterestState.accepted, actor=staff, now=NOW)

    with pytest.raises(InterestError) as caught:
        decide_interest(interest, state=InterestState.accepted, actor=staff, now=NOW)

    assert caught.value.code == "invalid_transition"
    assert len(_mails()) == 1


def test_staff_sees_all_requests_with_buttons(
    client, login, member, create_user, staff, visit
):
    _ask(visit, member, message="We would like to meet.")
    _ask(visit, create_user(role=Role.member, name="Siri Second"))
    login(staff)

    html = client.get(f"/visits/{visit.id}/interest").get_data(as_text=True)

    assert re.findall(r'<th scope="row">(.*?)</th>', html) == [
        "Ola Member",
        "Siri Second",
    ]
    assert html.count('name="state" value="accepted"') == 2
    assert html.count('name="state" value="declined"') == 2


def test_member_cannot_decide_requests(client, login, member, create_user, visit):
    other = _ask(visit, create_user(role=Role.member))
    login(member)

    response = client.post(
        f"/visits/{visit.id}/interest/{other.id}/decide", data={"state": "accepted"}
    )

    assert response.status_code == 403
    db.session.refresh(other)
    assert other.state is InterestState.pending


def test_member_page_does_not_show_other_members_requests(
    client, login, member, create_user, visit
):
    _ask(visit, create_user(role=Role.member, name="Siri Second"), message="secret")
    login(member)

    html = client.get(f"/visits/{visit.id}/interest").get_data(as_text=True)

    assert ("Siri Second" in html, "secret" in html, "Send request" in html) == (
        False,
        False,
        True,
    )


def test_staff_cannot_request_interest(client, login, staff, visit):
    login(staff)

    response = client.post(f"/visits/{visit.id}/interest", data={"message": ""})

    assert response.status_code == 403
    assert _interests() == []


def test_internal_visit_interest_page_is_not_found_for_members(
    client, login, member, create_delegation
):
    internal = create_delegation(visibility=Visibility.internal)
    login(member)

    responses = [
        client.get(f"/visits/{internal.id}/interest").status_code,
        client.post(f"/visits/{internal.id}/interest", data={}).status_code,
    ]

    assert responses == [404, 404]
    assert _interests() == []


def test_interest_page_sends_anonymous_to_login(client, visit):
    response = client.get(f"/visits/{visit.id}/interest")

    assert (response.status_code, response.location.split("?")[0]) == (302, "/login")


def test_decision_mail_text_tells_only_the_answer(
    app, member, staff, create_delegation
):
    visit = create_delegation(
        "Study trip to Kyiv",
        direction=Direction.outgoing,
        visibility=Visibility.forum,
        notes="Internal: budget not approved yet",
    )
    interest = _ask(visit, member)

    decide_interest(interest, state=InterestState.accepted, actor=staff, now=NOW)

    [mail] = _mails()
    assert mail.body_text == (
        "Hello Ola Member,\n\n"
        "The host has accepted your request to join the visit “Study trip to Kyiv”."
        " They will be in touch with the details.\n\n"
        "See your request:\n"
        f"http://vertskap.test/visits/{visit.id}/interest\n"
    )
