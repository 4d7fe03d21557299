"""Every route is in the authorisation matrix, and every route that takes a POST in the CSRF list.

The lists are walked against `app.url_map`: a new route without an entry fails
here with where to add it. Then each list is checked against the running app
on the demo data: every GET route is fetched as each role and must admit
exactly the roles of GET_MATRIX, and every POST route is posted to without a
CSRF token, by a logged-in admin, and must be refused unless CSRF_EXEMPT
names it with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.auth.models import Role, User
from app.auth.services import invite_user, request_password_reset
from app.auth.unsubscribe import MailKind, unsubscribe_token
from app.calendar.models import Event, Submission
from app.calendar.submissions import SubmissionData, create_submission
from app.core.db import db
from app.core.security import SECRET_URL_PART
from app.core.visibility import Visibility
from app.delegations.models import (
    ChecklistTask,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Delegation,
    FollowUp,
    Interest,
    Participant,
    ProgrammeItem,
)
from app.directory.models import Initiative, Organisation
from app.feeds.models import AccessPurpose
from app.feeds.tokens import create_feed_token
from app.outbox.models import OutboxMail
from app.outbox.services import queue_mail
from tests.fixtures.builders import NOW
from tests.fixtures.database import IsolatedClient, make_app

pytestmark = pytest.mark.integration

HERE = "tests/security/test_routes.py"
ANONYMOUS, MEMBER, MAYORS_OFFICE, ADMIN = ROLES = (
    "anonymous",
    "member",
    "mayors_office",
    "admin",
)
EVERYONE = frozenset(ROLES)
LOGGED_IN = frozenset({MEMBER, MAYORS_OFFICE, ADMIN})
STAFF = frozenset({MAYORS_OFFICE, ADMIN})
ADMINS = frozenset({ADMIN})

#: Who may GET each endpoint. "Admitted" is any answer but the refusals: a
#: redirect to the log-in page for an anonymous visitor, 403 for a user.
GET_MATRIX: dict[str, frozenset[str]] = {
    "static": EVERYONE,
    "robots_txt": EVERYONE,
    # accounts
    "auth.login": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,  # the link is the credential
    "auth.accept_invitation": EVERYONE,  # the link is the credential
    "auth.list_users_page": ADMINS,
    "auth.invite_user_page": ADMINS,
    "auth.edit_user": ADMINS,
    "notifications.preferences": LOGGED_IN,
    "notifications.unsubscribe": EVERYONE,  # the link is the credential
    "api_tokens.api_tokens_page": LOGGED_IN,
    "subscribe.subscribe_page": EVERYONE,
    # calendar
    "calendar.home": EVERYONE,
    "calendar.show_calendar": EVERYONE,
    "calendar.calendar_entries": EVERYONE,
    "calendar.upcoming": EVERYONE,
    "events.show_event": EVERYONE,
    "events.event_ics": EVERYONE,
    "events.new_event": STAFF,
    "events.edit_event": STAFF,
    "submissions.new_submission": EVERYONE,
    "submissions.submitted": EVERYONE,
    "submissions.confirm_submission": EVERYONE,  # the link is the credential
    "moderation.queue": ADMINS,
    "moderation.show_submission": ADMINS,
    "moderation.edit_submission": ADMINS,
    "exports.export_calendar": EVERYONE,
    # feeds, API, widget
    "feeds.public_feed": EVERYONE,
    "feeds.private_feed": EVERYONE,  # the token is the credential
    "feeds.visit_feed": EVERYONE,  # a public visit's; the visibility rule filters
    "api.openapi_document": EVERYONE,
    "api.list_events": EVERYONE,
    "api.get_event": EVERYONE,
    "api.list_initiatives": EVERYONE,
    "api.get_initiative": EVERYONE,
    "api.list_organisations": EVERYONE,
    "api.get_organisation": EVERYONE,
    "api.list_programme_items": EVERYONE,
    "api.get_programme_item": EVERYONE,
    "api.list_visits": EVERYONE,
    "api.get_visit": EVERYONE,
    "widget.upcoming_widget": EVERYONE,
    # visits (a public one: the visibility rule decides what each role sees of it)
    "delegations.list_delegations": LOGGED_IN,
    "delegations.show_delegation": EVERYONE,
    "delegations.new_delegation": STAFF,
    "delegations.edit_delegation": STAFF,
    "programme.edit_programme": LOGGED_IN,  # members read it; only staff post
    "programme.edit_item": STAFF,
    "programme.confirm_delete_item": STAFF,
    "programme.print_programme": EVERYONE,
    "participants.list_participants": STAFF,
    "participants.new_participant": STAFF,
    "participants.edit_participant": STAFF,
    "participants.erase_participant_page": STAFF,
    "participants.import_participants_page": STAFF,
    "checklists.show_checklist": STAFF,
    "checklists.list_templates": ADMINS,
    "checklists.edit_template": ADMINS,
    "checklists.edit_item": ADMINS,
    "checklists.new_template": ADMINS,
    "followups.list_followups": STAFF,
    "followups.new_followup": STAFF,
    "followups.edit_followup": STAFF,
    "interests.list_interests": LOGGED_IN,
    "planner.show_planner": STAFF,
    "exports.export_visits": LOGGED_IN,
    "exports.export_followups": STAFF,
    "exports.export_participants": STAFF,
    # reports, action programme, outbox
    "annual_report.current_report": EVERYONE,  # of what the reader may see
    "annual_report.show_report": EVERYONE,
    "annual_report.download_report": EVERYONE,
    "action_programme.list_programmes": EVERYONE,
    "action_programme.show_matrix": EVERYONE,
    "action_programme.matrix_download": EVERYONE,
    "action_programme.compare": EVERYONE,
    "action_programme.edit_theme": ADMINS,
    "action_programme.new_theme": ADMINS,
    "outbox.list_mail": ADMINS,
    "outbox.show_mail": ADMINS,
    "outbox.show_mail_html": ADMINS,
    "outbox.download_mail_ics": ADMINS,
}

#: Endpoints that take a POST without a CSRF token, and why that is safe.
CSRF_EXEMPT: dict[str, str] = {
    "notifications.unsubscribe": (
        "RFC 8058 one-click unsubscribe: mail clients post without a form; "
        "the signed link is the credential and it can only stop mail"
    ),
}

#: Every endpoint that takes a POST, PUT, PATCH or DELETE and must refuse one
#: without a CSRF token.
CSRF_PROTECTED: frozenset[str] = frozenset(
    {
        "auth.login",
        "auth.logout",
        "auth.set_language",
        "auth.forgot_password",
        "auth.reset_password",
        "auth.accept_invitation",
        "auth.invite_user_page",
        "auth.edit_user",
        "auth.resend_invitation_page",
        "notifications.preferences",
        "api_tokens.create_api_token",
        "api_tokens.revoke_api_token",
        "subscribe.create_token",
        "subscribe.revoke_token",
        "subscribe.rotate_token",
        "events.new_event",
        "events.edit_event",
        "events.cancel_event",
        "events.reinstate_event",
        "events.cancel_occurrence",
        "events.restore_occurrence",
        "submissions.new_submission",
        "moderation.approve_submission",
        "moderation.edit_submission",
        "moderation.reject_submission",
        "moderation.mark_submission_spam",
        "delegations.new_delegation",
        "delegations.edit_delegation",
        "delegations.change_status",
        "programme.edit_programme",
        "programme.edit_item",
        "programme.delete_item",
        "programme.copy_programme",
        "participants.new_participant",
        "participants.edit_participant",
        "participants.erase_participant_page",
        "participants.import_participants_page",
        "checklists.create_tasks",
        "checklists.add_task",
        "checklists.assign_task",
        "checklists.complete_task",
        "checklists.reopen_task",
        "checklists.edit_template",
        "checklists.new_template",
        "checklists.add_item",
        "checklists.edit_item",
        "checklists.delete_item",
        "checklists.move_item",
        "followups.new_followup",
        "followups.edit_followup",
        "followups.change_followup_status",
        "interests.request_interest_page",
        "interests.decide_interest_page",
        "interests.withdraw_interest_page",
        "action_programme.edit_theme",
        "action_programme.new_theme",
        "outbox.resend_mail",
        "outbox.resend_failed",
    }
)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


def _get_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in _rules(app) if "GET" in (rule.methods or ())}


def _write_endpoints(app: Flask) -> set[str]:
    return {
        rule.endpoint for rule in _rules(app) if WRITE_METHODS & (rule.methods or set())
    }


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """Return an app whose database is never opened: the lists need only its URL map."""
    return make_app(f"sqlite:///{tmp_path_factory.mktemp('routes') / 'unused.db'}")


def test_every_get_route_is_in_the_authorisation_matrix(plain_app):
    endpoints = _get_endpoints(plain_app)

    missing = sorted(endpoints - GET_MATRIX.keys())
    gone = sorted(GET_MATRIX.keys() - endpoints)

    assert missing == [], (
        f"New GET routes: add each to GET_MATRIX in {HERE} with the roles that may "
        f"see it (EVERYONE, LOGGED_IN, STAFF or ADMINS): {missing}"
    )
    assert gone == [], (
        f"Routes no longer exist: remove them from GET_MATRIX in {HERE}: {gone}"
    )


def test_every_post_route_is_in_the_csrf_list(plain_app):
    endpoints = _write_endpoints(plain_app)
    listed = CSRF_PROTECTED | CSRF_EXEMPT.keys()

    missing = sorted(endpoints - listed)
    gone = sorted(listed - endpoints)

    assert CSRF_PROTECTED & CSRF_EXEMPT.keys() == set()
    assert missing == [], (
        f"New routes taking POST: add each to CSRF_PROTECTED in {HERE} (or, with "
        f"the reason, to CSRF_EXEMPT): {missing}"
    )
    assert gone == [], (
        f"Routes no longer take POST: remove them from the CSRF lists in {HERE}: {gone}"
    )


# --- the running app, on the demo data -----------------------------------------------

DEMO_USERS = {
    MEMBER: "medlem@ntnu.example",
    MAYORS_OFFICE: "ordforer@vertskap.example",
    ADMIN: "admin@vertskap.example",
}


def _first(model: Any, *where: Any) -> Any:
    row = db.session.scalars(sa.select(model).where(*where).order_by(model.id)).first()
    assert row is not None, f"the demo data has no {model.__name__}"
    return row


def _mail_token(kind: str) -> str:
    """Return the secret at the end of the one link in the last mail of `kind`."""
    mail = db.session.scalars(
        sa.select(OutboxMail).filter_by(kind=kind).order_by(OutboxMail.id.desc())
    ).first()
    (line,) = [line for line in mail.body_text.splitlines() if "vertskap.test/" in line]
    return line.strip().rsplit("/", 1)[1]


def _demo_user(role: str) -> User:
    return db.session.scalar(sa.select(User).filter_by(email=DEMO_USERS[role]))


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    """E-mailed links are made at NOW and followed at NOW."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def url_values(app: Flask, demo_data: None) -> dict[str, dict[str, Any]]:
    """Return the URL values that reach each endpoint's page, by endpoint."""
    member, admin = _demo_user(MEMBER), _demo_user(ADMIN)
    visit = _first(Delegation, Delegation.visibility == Visibility.public)
    item = _first(ProgrammeItem, ProgrammeItem.visibility == Visibility.public)
    participant = _first(Participant)
    followup = _first(FollowUp)
    interest = _first(Interest)
    task = _first(ChecklistTask)
    template = _first(ChecklistTemplate)
    step = _first(
        ChecklistTemplateItem, ChecklistTemplateItem.template_id == template.id
    )
    event = _first(Event, Event.visibility == Visibility.public)
    initiative = _first(Initiative)
    organisation = _first(Organisation)
    submission = _first(Submission)
    mail = queue_mail(  # a mail with an HTML part and an invitation
        "password_changed",
        recipient=member.email,
        locale="en",
        context={"user": member, "changed": "now", "zone": "UTC", "reset_link": ""},
        idempotency_key="route-test",
        now=NOW,
        ics=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    )
    feed_token, raw_feed_token = create_feed_token(member, label="Phone", now=NOW)
    api_token, _raw = create_feed_token(
        member, label="Script", now=NOW, purpose=AccessPurpose.api
    )
    request_password_reset(member.email, now=NOW)
    invite_user(
        "ny@example.org",
        name="Ny Bruker",
        role=Role.member,
        organisation=None,
        locale="en",
        invited_by=admin,
        now=NOW,
    )
    _submission, confirm_token = create_submission(
        SubmissionData(
            title="Open day",
            description="",
            start_dt=NOW + timedelta(days=3),
            end_dt=NOW + timedelta(days=3, hours=2),
            is_all_day=False,
            timezone="Europe/Oslo",
            location="",
            organiser_id=None,
            organiser_name="A partner",
            initiative_id=None,
            url="",
            submitter_name="Partner",
            submitter_email="partner@example.org",
        ),
        locale="en",
        now=NOW,
    )
    db.session.commit()
    values = {
        "static": {"filename": "css/app.css"},
        "auth.reset_password": {"token": _mail_token("password_reset")},
        "auth.accept_invitation": {"token": _mail_token("invitation")},
        "auth.edit_user": {"user_id": member.id},
        "auth.resend_invitation_page": {"user_id": member.id},
        "notifications.unsubscribe": {
            "token": unsubscribe_token(member, MailKind.digest)
        },
        "api_tokens.revoke_api_token": {"token_id": api_token.id},
        "subscribe.revoke_token": {"token_id": feed_token.id},
        "subscribe.rotate_token": {"token_id": feed_token.id},
        "submissions.confirm_submission": {"token": confirm_token},
        "feeds.private_feed": {"token": raw_feed_token},
        "api.get_event": {"item_id": event.id},
        "api.get_initiative": {"item_id": initiative.id},
        "api.get_organisation": {"item_id": organisation.id},
        "api.get_programme_item": {"item_id": item.id},
        "api.get_visit": {"item_id": visit.id},
        "programme.edit_item": {
            "delegation_id": item.delegation_id,
            "item_id": item.id,
        },
        "programme.confirm_delete_item": {
            "delegation_id": item.delegation_id,
            "item_id": item.id,
        },
        "programme.delete_item": {
            "delegation_id": item.delegation_id,
            "item_id": item.id,
        },
        "checklists.edit_item": {"template_id": template.id, "item_id": step.id},
        "checklists.delete_item": {"template_id": template.id, "item_id": step.id},
        "checklists.move_item": {"template_id": template.id, "item_id": step.id},
        "checklists.new_template": {"level": "youth"},
        "calendar.calendar_entries": {
            "start": NOW.date().isoformat(),
            "end": (NOW + timedelta(days=7)).date().isoformat(),
        },
        "exports.export_participants": {"participants": "1"},
    }
    by_argument = {
        "delegation_id": visit.id,
        "event_id": event.id,
        "submission_id": submission.id,
        "mail_id": mail.id,
        "template_id": template.id,
        "year": NOW.year,
        "fmt": "csv",
        "period": initiative.programme_period,
        "slug": initiative.slug,
        "participant_id": participant.id,
        "followup_id": followup.id,
        "interest_id": interest.id,
        "task_id": task.id,
    }
    owners = {
        "participant_id": participant.delegation_id,
        "followup_id": followup.delegation_id,
        "interest_id": interest.delegation_id,
        "task_id": task.delegation_id,
    }
    for rule in _rules(app):
        if rule.endpoint in values:
            continue
        chosen = {name: by_argument[name] for name in rule.arguments}
        for name, owner in owners.items():
            if name in chosen:  # a visit's record is reached under its own visit
                chosen["delegation_id"] = owner
        values[rule.endpoint] = chosen
    return values


def _path(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    return app.url_map.bind("localhost").build(endpoint, values)


@pytest.fixture
def visitor(app: Flask) -> Callable[[str | None], FlaskClient]:
    """Return a maker of clients: anonymous, or logged in as a demo user of a role."""

    def _browser(role: str | None) -> FlaskClient:
        client = IsolatedClient(app, app.response_class, use_cookies=True)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        if role and role != ANONYMOUS:
            user = _demo_user(role)
            user.locale = "en"  # pages, and the CSRF refusal, in English
            db.session.commit()
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        return client

    return _browser


def _outcome(role: str, response: Any) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if role == ANONYMOUS and status == 302 and location.startswith("/login?next="):
        return "refused"
    if role != ANONYMOUS and status == 403:
        return "refused"
    if status in {200, 302}:
        return "admitted"
    return f"HTTP {status}"


@pytest.fixture
def fetch_all(
    app: Flask, url_values: dict[str, dict[str, Any]], visitor: Any
) -> Callable[[str], Iterator[tuple[str, Any]]]:
    """Return a function that GETs every GET route as a role and yields (endpoint, response)."""

    def _fetch(role: str) -> Iterator[tuple[str, Any]]:
        client = visitor(role)
        for endpoint in sorted(_get_endpoints(app)):
            with client.get(_path(app, endpoint, url_values[endpoint])) as response:
                yield endpoint, response

    return _fetch


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_admits_exactly_the_roles_of_the_matrix(fetch_all, role):
    outcomes = {
        endpoint: _outcome(role, response) for endpoint, response in fetch_all(role)
    }

    expected = {
        endpoint: "admitted" if role in roles else "refused"
        for endpoint, roles in GET_MATRIX.items()
    }
    assert outcomes == expected


@pytest.mark.parametrize("role", [MEMBER, ADMIN])
def test_every_page_for_a_logged_in_user_is_not_stored(fetch_all, role):
    kept = {
        endpoint: response.headers.get("Cache-Control")
        for endpoint, response in fetch_all(role)
        if response.headers.get("Cache-Control") != "no-store"
    }

    assert set(kept) == {
        endpoint
        for endpoint in GET_MATRIX
        if endpoint.split(".")[0] in {"static", "robots_txt", "api", "feeds", "widget"}
    }


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """CSRF protection on, as in production; English pages."""
    return {"WTF_CSRF_ENABLED": True, "DEFAULT_LOCALE": "en"}


def test_every_post_without_a_csrf_token_is_refused(app, url_values, visitor):
    admin = visitor(ADMIN)
    mails_before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail))

    answers = {}
    for endpoint in sorted(_write_endpoints(app)):
        response = admin.post(_path(app, endpoint, url_values[endpoint]), data={})
        page = response.get_data(as_text=True)
        answers[endpoint] = (
            "refused"
            if response.status_code == 400 and "The form expired" in page
            else f"HTTP {response.status_code}"
        )

    assert {
        endpoint for endpoint, answer in answers.items() if answer != "refused"
    } == set(CSRF_EXEMPT)
    assert answers.keys() - CSRF_EXEMPT.keys() == CSRF_PROTECTED
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail))
        == mails_before
    )


def test_pages_at_secret_urls_are_not_stored_and_send_no_referrer(app, fetch_all):
    headers = {
        endpoint: (
            response.headers.get("Referrer-Policy"),
            response.headers.get("Cache-Control"),
        )
        for endpoint, response in fetch_all(ANONYMOUS)
        if endpoint != "static"
    }

    secret = {
        rule.endpoint for rule in _rules(app) if SECRET_URL_PART in rule.arguments
    }
    assert secret == {
        "auth.reset_password",
        "auth.accept_invitation",
        "notifications.unsubscribe",
        "submissions.confirm_submission",
        "feeds.private_feed",
    }
    assert {endpoint: headers[endpoint] for endpoint in secret} == {
        "auth.reset_password": ("no-referrer", "no-store"),
        "auth.accept_invitation": ("no-referrer", "no-store"),
        "notifications.unsubscribe": ("no-referrer", "no-store"),
        "submissions.confirm_submission": ("no-referrer", "no-store"),
        # A feed keeps its own caching: private, for the token's holder.
        "feeds.private_feed": ("no-referrer", "private, max-age=900"),
    }
    assert {
        endpoint
        for endpoint, (policy, _cache) in headers.items()
        if policy != "same-origin"
    } == secret


# --- robots.txt -----------------------------------------------------------------------

#: GET routes crawlers may read: the public calendar, its events, a visit's own
#: page, the published action programme, the annual report, the widget and the
#: log-in page. Every other route is disallowed in ROBOTS_TXT
#: (app/core/security.py); a page no anonymous visitor may see, or whose URL
#: holds a secret, must never be here.
CRAWLABLE = frozenset(
    {
        "static",
        "robots_txt",
        "calendar.home",
        "calendar.show_calendar",
        "calendar.upcoming",
        "events.show_event",
        "events.event_ics",
        "feeds.public_feed",
        "submissions.new_submission",
        "subscribe.subscribe_page",
        "action_programme.list_programmes",
        "action_programme.show_matrix",
        "action_programme.matrix_download",
        "action_programme.compare",
        "delegations.show_delegation",
        "annual_report.current_report",
        "annual_report.show_report",
        "widget.upcoming_widget",
        "auth.login",
    }
)
SAMPLE_VALUES = {
    "filename": "css/app.css",
    "token": "a-secret",
    "fmt": "csv",
    "period": "2011-2012",
    "slug": "india-2011",
    "level": "youth",
    "year": 2026,
}


def _robots_allows(robots: str, path: str) -> bool:
    """Return whether `path` may be crawled, as RFC 9309 reads `robots` (one group for all).

    The longest matching pattern decides, Allow winning a tie; "*" matches
    any characters and a final "$" the end of the path.
    """
    best: tuple[int, bool] | None = None
    for line in robots.splitlines():
        key, _, value = (part.strip() for part in line.partition(":"))
        if key.lower() not in {"allow", "disallow"} or not value:
            continue
        pattern = re.escape(value).replace(r"\*", ".*")
        pattern = pattern[:-2] + "$" if pattern.endswith(r"\$") else pattern
        if re.match(pattern, path):
            candidate = (len(value), key.lower() == "allow")
            best = candidate if best is None else max(best, candidate)
    return best is None or best[1]


def test_robots_txt_lets_crawlers_read_only_the_public_calendar(plain_app):
    response = plain_app.test_client().get("/robots.txt")
    robots = response.get_data(as_text=True)

    allowed = set()
    for rule in _rules(plain_app):
        if "GET" not in (rule.methods or ()):
            continue
        values = {name: SAMPLE_VALUES.get(name, 1) for name in rule.arguments}
        path = _path(plain_app, rule.endpoint, values)
        if _robots_allows(robots, path):
            allowed.add(rule.endpoint)

    assert (response.status_code, response.mimetype) == (200, "text/plain")
    assert robots.startswith("User-agent: *\n")
    assert sorted(allowed - CRAWLABLE) == [], (
        f"Crawlers may read these routes: disallow them in ROBOTS_TXT "
        f"(app/core/security.py), or add them to CRAWLABLE in {HERE}"
    )
    assert allowed == CRAWLABLE
    private = {
        rule.endpoint
        for rule in _rules(plain_app)
        if ANONYMOUS not in GET_MATRIX.get(rule.endpoint, EVERYONE)
        or SECRET_URL_PART in rule.arguments
    }
    assert CRAWLABLE & private == set()
