"""Personal API tokens: their own kind of token, never a feed link, and the page that makes them.

Issue 7 asks for a read API opened by "a personal API token". A feed URL is
often pasted into a calendar app shared with others, so a feed token must not
open the API, and an API token must not work as a feed URL.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.visibility import Visibility
from app.feeds.models import AccessPurpose, FeedToken
from app.feeds.tokens import (
    MAX_ACTIVE_TOKENS,
    FeedTokenError,
    create_feed_token,
    get_own_feed_token,
    list_feed_tokens,
    list_revoked_feed_tokens,
    resolve_feed_token,
    revoke_feed_token,
    rotate_feed_token,
)
from tests.fixtures.builders import NOW
from tests.fixtures.database import IsolatedClient

pytestmark = pytest.mark.integration

API = AccessPurpose.api
FEED = AccessPurpose.feed
BASE = "http://vertskap.test"
_SHOWN = re.compile(
    r'<code id="api-token-new" class="api-token">([A-Za-z0-9_-]{43})</code>'
)
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
_LABELS = re.compile(r'<th scope="row" class="feed-token__label">([^<]*)</th>')


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"DEFAULT_LOCALE": "en"}


@pytest.fixture
def client(app: Flask) -> IsolatedClient:
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def member(create_user):
    return create_user("mats@example.org", name="Mats Member", locale="en")


@pytest.fixture
def member_client(client, member, login):
    login(member)
    return client


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def _html(response: Any, status: int = 200) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:2000]
    return html


def _tokens() -> list[tuple[str, str, bool]]:
    rows = db.session.scalars(sa.select(FeedToken).order_by(FeedToken.id))
    return [(t.label, t.purpose.value, t.revoked_dt is not None) for t in rows]


# ---- one kind never stands in for the other -----------------------------------


def test_a_feed_token_is_refused_by_the_api(client, create_user, create_event):
    create_event("Public")
    user = create_user(role=Role.mayors_office)
    token, raw = create_feed_token(user, label="Phone", now=NOW)
    db.session.commit()

    response = client.get("/api/v1/events", headers=_bearer(raw))

    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # A refused use is no use: the feed token's "last used" stays empty.
    db.session.refresh(token)
    assert token.last_used_dt is None


def test_an_api_token_is_as_unknown_as_any_other_in_a_feed_url(client, create_user):
    user = create_user()
    _row, api_raw = create_feed_token(user, label="Script", now=NOW, purpose=API)
    _row, feed_raw = create_feed_token(user, label="Phone", now=NOW)
    db.session.commit()

    as_feed = client.get(f"/feeds/{api_raw}.ics")
    unknown = client.get(f"/feeds/{'x' * 43}.ics")
    real_feed = client.get(f"/feeds/{feed_raw}.ics")

    assert (as_feed.status_code, as_feed.get_data()) == (404, b"Not found\n")
    assert (unknown.status_code, unknown.get_data()) == (404, b"Not found\n")
    assert real_feed.status_code == 200


def test_an_api_token_opens_the_owners_view(client, create_user, create_event):
    create_event("Internal", visibility=Visibility.internal)
    _row, raw = create_feed_token(
        create_user(role=Role.mayors_office), label="Script", now=NOW, purpose=API
    )
    db.session.commit()

    response = client.get(
        "/api/v1/events",
        query_string={"from": "2026-11-26", "to": "2027-01-31"},
        headers=_bearer(raw),
    )

    assert response.status_code == 200
    assert [e["title"] for e in response.get_json()["data"]] == ["Internal"]


def test_resolve_accepts_only_the_purpose_asked_for(member):
    _feed, feed_raw = create_feed_token(member, label="Phone", now=NOW)
    _api, api_raw = create_feed_token(member, label="Phone", now=NOW, purpose=API)

    assert resolve_feed_token(feed_raw, now=NOW) is member
    assert resolve_feed_token(feed_raw, now=NOW, purpose=API) is None
    assert resolve_feed_token(api_raw, now=NOW, purpose=API) is member
    assert resolve_feed_token(api_raw, now=NOW) is None


def test_revoking_an_api_token_ends_api_access(client, member):
    token, raw = create_feed_token(member, label="Script", now=NOW, purpose=API)
    db.session.commit()
    before = client.get("/api/v1/events", headers=_bearer(raw)).status_code

    revoke_feed_token(token, actor=member, now=NOW, purpose=API)
    db.session.commit()
    after = client.get("/api/v1/events", headers=_bearer(raw)).status_code

    assert (before, after) == (200, 401)


# ---- lists, caps and labels are per purpose -------------------------------------


def test_each_purpose_has_its_own_cap_and_labels(member):
    for n in range(MAX_ACTIVE_TOKENS):
        create_feed_token(member, label=f"Device {n}", now=NOW)

    with pytest.raises(FeedTokenError) as feed_full:
        create_feed_token(member, label="One too many", now=NOW)
    # The feed cap is reached; API tokens are counted apart, and may reuse a feed label.
    for n in range(MAX_ACTIVE_TOKENS):
        create_feed_token(member, label=f"Device {n}", now=NOW, purpose=API)
    with pytest.raises(FeedTokenError) as api_full:
        create_feed_token(member, label="One too many", now=NOW, purpose=API)

    assert (feed_full.value.code, api_full.value.code) == ("too_many", "too_many")
    assert len(list_feed_tokens(member)) == MAX_ACTIVE_TOKENS
    assert len(list_feed_tokens(member, purpose=API)) == MAX_ACTIVE_TOKENS


def test_a_label_is_taken_only_within_its_purpose(member):
    create_feed_token(member, label="Phone", now=NOW, purpose=API)

    with pytest.raises(FeedTokenError) as taken:
        create_feed_token(member, label="PHONE", now=NOW, purpose=API)
    create_feed_token(member, label="Phone", now=NOW)

    assert taken.value.code == "label_taken"
    assert _tokens() == [("Phone", "api", False), ("Phone", "feed", False)]


def test_lists_and_lookups_see_only_their_purpose(member):
    feed, _raw = create_feed_token(member, label="Phone", now=NOW)
    api, _raw = create_feed_token(member, label="Script", now=NOW, purpose=API)
    old, _raw = create_feed_token(member, label="Old", now=NOW, purpose=API)
    revoke_feed_token(old, actor=member, now=NOW, purpose=API)

    assert list_feed_tokens(member) == [feed]
    assert list_feed_tokens(member, purpose=API) == [api]
    assert list_revoked_feed_tokens(member) == []
    assert list_revoked_feed_tokens(member, purpose=API) == [old]
    assert get_own_feed_token(member, api.id) is None
    assert get_own_feed_token(member, api.id, purpose=API) is api
    assert get_own_feed_token(member, feed.id, purpose=API) is None


@pytest.mark.parametrize("action", [revoke_feed_token, rotate_feed_token])
def test_revoke_and_rotate_refuse_a_token_of_the_other_purpose(member, action):
    token, _raw = create_feed_token(member, label="Script", now=NOW, purpose=API)

    with pytest.raises(FeedTokenError) as raised:
        action(token, actor=member, now=NOW)

    assert raised.value.code == "wrong_purpose"
    assert token.revoked_dt is None


def test_rotating_an_api_token_gives_an_api_token(member):
    old, old_raw = create_feed_token(member, label="Script", now=NOW, purpose=API)

    new, new_raw = rotate_feed_token(old, actor=member, now=NOW, purpose=API)

    assert new.purpose is API
    assert resolve_feed_token(new_raw, now=NOW, purpose=API) is member
    assert resolve_feed_token(new_raw, now=NOW) is None
    assert resolve_feed_token(old_raw, now=NOW, purpose=API) is None


def test_audit_entries_say_which_kind_of_token(member):
    feed, _raw = create_feed_token(member, label="Phone", now=NOW)
    api, _raw = create_feed_token(member, label="Script", now=NOW, purpose=API)
    revoke_feed_token(api, actor=member, now=NOW, purpose=API)
    db.session.commit()

    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
    seen = [
        (e.object_id, e.action, e.comment, e.changes.get("purpose")) for e in entries
    ]

    assert seen == [
        (feed.id, "created", "feed token", [None, "feed"]),
        (api.id, "created", "api token", [None, "api"]),
        (api.id, "revoked", "api token", None),
    ]


def test_existing_tokens_default_to_feed_in_the_database(member):
    # A row written without a purpose, as every row before this change was.
    db.session.execute(
        sa.text(
            "INSERT INTO feed_tokens (user_id, label, token_hash, created_dt)"
            " VALUES (:user, 'Old phone', :hash, :now)"
        ),
        {"user": member.id, "hash": "0" * 64, "now": NOW.replace(tzinfo=None)},
    )
    db.session.commit()

    assert _tokens() == [("Old phone", "feed", False)]


# ---- the command line --------------------------------------------------------------


def test_feeds_token_api_prints_a_bare_api_token(app, create_user):
    user = create_user("kari@example.org")

    result = app.test_cli_runner().invoke(
        args=["feeds", "token", "kari@example.org", "--label", "Script", "--api"]
    )

    assert result.exit_code == 0, result.output
    (raw,) = result.output.splitlines()
    assert resolve_feed_token(raw, now=NOW, purpose=API) is user
    assert resolve_feed_token(raw, now=NOW) is None
    assert _tokens() == [("Script", "api", False)]


# ---- the page -------------------------------------------------------------------------


def test_the_page_needs_a_login(client):
    page = client.get("/api-tokens")
    post = client.post("/api-tokens", data={"label": "Script"})

    assert page.status_code == post.status_code == 302
    assert urlsplit(page.location).path == "/login"
    assert _tokens() == []


@pytest.mark.parametrize("role", [Role.member, Role.mayors_office, Role.admin])
def test_every_role_may_use_the_page(client, create_user, login, role):
    login(create_user(role=role))

    assert client.get("/api-tokens").status_code == 200


def test_member_creates_a_token_shown_once_with_a_curl_example(member_client, member):
    response = member_client.post("/api-tokens", data={"label": "Script"})
    html = _html(response)
    again = _html(member_client.get("/api-tokens"))

    (raw,) = _SHOWN.findall(html)
    assert response.headers["Cache-Control"] == "no-store"
    assert f'curl -H "Authorization: Bearer {raw}" {BASE}/api/v1/events' in unescape(
        html
    )
    assert resolve_feed_token(raw, now=NOW, purpose=API) is member
    assert raw not in again
    assert _LABELS.findall(again) == ["Script"]
    assert _tokens() == [("Script", "api", False)]


def test_a_token_from_the_page_reads_the_api(member_client):
    html = _html(member_client.post("/api-tokens", data={"label": "Script"}))
    (raw,) = _SHOWN.findall(html)

    response = member_client.get("/api/v1/events", headers=_bearer(raw))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_revoke_asks_first_then_ends_api_access(member_client, member):
    token, raw = create_feed_token(member, label="Script", now=NOW, purpose=API)
    db.session.commit()
    path = f"/api-tokens/{token.id}/revoke"

    ask = _html(member_client.post(path))
    asked = _tokens()
    done = member_client.post(path, data={"confirm": "yes"})
    after = _html(member_client.get("/api-tokens"))

    assert "Revoke the API token “Script”?" in ask
    assert asked == [("Script", "api", False)]
    assert (done.status_code, done.location) == (302, "/api-tokens")
    assert _tokens() == [("Script", "api", True)]
    assert member_client.get("/api/v1/events", headers=_bearer(raw)).status_code == 401
    assert "The API token “Script” is revoked" in after
    assert _LABELS.findall(after) == []
    assert "Recently revoked" in after


def test_revoking_twice_says_so(member_client, member):
    token, _raw = create_feed_token(member, label="Script", now=NOW, purpose=API)
    db.session.commit()
    path = f"/api-tokens/{token.id}/revoke"
    member_client.post(path, data={"confirm": "yes"})

    again = member_client.post(path, data={"confirm": "yes"})

    assert again.status_code == 302
    assert "This token is already revoked." in _html(member_client.get("/api-tokens"))


def test_another_users_token_and_an_own_feed_token_are_404(
    member_client, member, create_user
):
    theirs, their_raw = create_feed_token(
        create_user("other@example.org"), label="Theirs", now=NOW, purpose=API
    )
    feed, _raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()

    answers = [
        member_client.post(f"/api-tokens/{token_id}/revoke", data={"confirm": "yes"})
        for token_id in (theirs.id, feed.id, 999_999)
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert _tokens() == [("Theirs", "api", False), ("Phone", "feed", False)]
    assert resolve_feed_token(their_raw, now=NOW, purpose=API) is not None


def test_each_page_lists_only_its_own_kind(member_client, member, create_user):
    create_feed_token(member, label="Phone", now=NOW)
    create_feed_token(member, label="Script", now=NOW, purpose=API)
    create_feed_token(create_user(), label="Theirs", now=NOW, purpose=API)
    db.session.commit()

    api_page = _html(member_client.get("/api-tokens"))
    subscribe_page = _html(member_client.get("/subscribe"))

    assert _LABELS.findall(api_page) == ["Script"]
    assert _LABELS.findall(subscribe_page) == ["Phone"]


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("   ", "This field is required."),
        ("x" * 101, "Use at most 100 characters."),
        (
            "script",
            "You already have an API token with this name. Choose another name.",
        ),
    ],
)
def test_bad_labels_are_refused_and_the_typed_label_kept(
    member_client, member, label, message
):
    create_feed_token(member, label="Script", now=NOW, purpose=API)
    db.session.commit()

    html = _html(member_client.post("/api-tokens", data={"label": label}), status=422)

    assert f'<p class="error" id="label-error">{message}</p>' in html
    assert f'value="{label.strip()}"' in html
    assert _SHOWN.search(html) is None
    assert _tokens() == [("Script", "api", False)]


def test_errors_are_in_the_users_language_and_keep_the_typed_label(
    client, create_user, login
):
    login(create_user("nora@example.org", locale="nb"))

    html = _html(client.post("/api-tokens", data={"label": "y" * 101}), status=422)

    assert '<p class="error" id="label-error">Bruk høyst 100 tegn.</p>' in html
    assert f'value="{"y" * 101}"' in html
    assert '<html lang="nb"' in html


def test_at_the_cap_the_form_gives_way_to_advice(member_client, member):
    for n in range(MAX_ACTIVE_TOKENS):
        create_feed_token(member, label=f"Script {n}", now=NOW, purpose=API)
    db.session.commit()

    page = _html(member_client.get("/api-tokens"))
    refused = _html(
        member_client.post("/api-tokens", data={"label": "Eleven"}), status=422
    )

    assert 'action="/api-tokens#new-token"' not in page
    assert "You have 10 API tokens, the most allowed." in page
    assert 'class="feed-tokens-cap error" id="new-token" role="alert"' in refused
    assert len(_tokens()) == MAX_ACTIVE_TOKENS


def test_preferences_and_the_api_description_point_to_the_page(member_client):
    preferences = _html(member_client.get("/preferences"))
    document = member_client.get("/api/v1/openapi.json").get_json()

    assert 'href="/api-tokens"' in preferences
    assert "/api-tokens" in document["info"]["description"]
    scheme = document["components"]["securitySchemes"]["personalToken"]
    assert "/api-tokens" in scheme["description"]
    assert "subscribe page" not in scheme["description"]


def test_a_new_token_never_reaches_the_log(member_client, caplog):
    caplog.set_level("DEBUG")

    html = _html(member_client.post("/api-tokens", data={"label": "Script"}))

    (raw,) = _SHOWN.findall(html)
    assert raw not in caplog.text


# ---- CSRF ---------------------------------------------------------------------------


class TestWithCsrf:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {"DEFAULT_LOCALE": "en", "WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def member_client(self, client, member):
        with client.session_transaction() as session:
            session["_user_id"] = member.get_id()
            session["_fresh"] = True
        return client

    def test_posts_without_a_csrf_token_are_refused(self, member_client, member):
        token, _raw = create_feed_token(member, label="Script", now=NOW, purpose=API)
        db.session.commit()

        refused = [
            member_client.post(path, data=data).status_code
            for path, data in (
                ("/api-tokens", {"label": "Laptop"}),
                (f"/api-tokens/{token.id}/revoke", {"confirm": "yes"}),
            )
        ]

        assert refused == [400, 400]
        assert _tokens() == [("Script", "api", False)]

    def test_posts_with_the_pages_csrf_token_work(self, member_client, member):
        token, _raw = create_feed_token(member, label="Script", now=NOW, purpose=API)
        db.session.commit()
        csrf = _CSRF.findall(_html(member_client.get("/api-tokens")))[-1]

        created = member_client.post(
            "/api-tokens", data={"label": "Laptop", "csrf_token": csrf}
        )
        revoked = member_client.post(
            f"/api-tokens/{token.id}/revoke",
            data={"confirm": "yes", "csrf_token": csrf},
        )

        assert (created.status_code, revoked.status_code) == (200, 302)
        assert _tokens() == [("Script", "api", True), ("Laptop", "api", False)]
