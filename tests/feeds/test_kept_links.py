"""Personal feed links kept encrypted at rest: shown again to their owner, and only to them.

The secret is sealed under a key derived from SECRET_KEY (`app.feeds.sealing`);
the hash alone still authenticates, so a changed key, a link made before the
migration, or a sealed value moved to another row never stops a feed, only
the showing again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from app.auth.models import Role
from app.core.db import db
from app.core.security import new_token
from app.feeds.models import AccessPurpose, FeedToken
from app.feeds.sealing import open_secret, seal_secret
from app.feeds.tokens import (
    FeedTokenError,
    KeptState,
    create_feed_token,
    list_kept_links,
    resolve_feed_token,
    reveal_feed_token,
    revoke_feed_token,
    rotate_feed_token,
)
from tests.fixtures.builders import NOW
from tests.fixtures.database import BACKENDS, make_app
from tests.fixtures.postgres import RUN_TAG

pytestmark = pytest.mark.integration

OTHER_KEY = "another-secret-key-after-a-rotation-9876543210"
_counter = itertools.count()


@pytest.fixture
def member(create_user):
    return create_user("mats@example.org", name="Mats Member")


def test_owner_sees_their_link_again(member):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    db.session.expire_all()

    kept = reveal_feed_token(db.session.get(FeedToken, token.id), owner=member)

    assert (kept.state, kept.raw) == (KeptState.shown, raw)


def test_the_sealed_secret_is_not_the_secret_and_opens_only_with_the_sites_key(
    member, app, monkeypatch
):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    sealed = token.secret_sealed

    opened = open_secret(sealed)
    monkeypatch.setitem(app.config, "SECRET_KEY", OTHER_KEY)
    opened_with_another_key = open_secret(sealed)

    assert raw not in sealed
    assert opened == raw
    assert opened_with_another_key is None


@pytest.mark.parametrize("role", [Role.member, Role.admin])
def test_nobody_else_sees_a_link_admins_included(member, create_user, role):
    token, _raw = create_feed_token(member, label="Phone", now=NOW)
    other = create_user(role=role)

    with pytest.raises(FeedTokenError) as raised:
        reveal_feed_token(token, owner=other)

    assert raised.value.code == "not_owner"


def test_an_api_token_is_never_kept_nor_shown(member):
    token, _raw = create_feed_token(
        member, label="Script", now=NOW, purpose=AccessPurpose.api
    )

    with pytest.raises(FeedTokenError) as raised:
        reveal_feed_token(token, owner=member)

    assert token.secret_sealed is None
    assert raised.value.code == "wrong_purpose"


def test_revoking_deletes_the_sealed_secret(member):
    token, raw = create_feed_token(member, label="Phone", now=NOW)

    revoke_feed_token(token, actor=member, now=NOW)
    db.session.commit()

    with pytest.raises(FeedTokenError) as raised:
        reveal_feed_token(token, owner=member)
    assert token.secret_sealed is None
    assert raised.value.code == "already_revoked"
    assert resolve_feed_token(raw, now=NOW) is None


def test_rotating_seals_the_successor_and_forgets_the_old_secret(member):
    old, _old_raw = create_feed_token(member, label="Phone", now=NOW)

    new, new_raw = rotate_feed_token(old, actor=member, now=NOW)
    db.session.commit()

    assert old.secret_sealed is None
    assert [(k.token.id, k.state, k.raw) for k in list_kept_links(member)] == [
        (new.id, KeptState.shown, new_raw)
    ]


def test_after_a_key_change_the_link_still_works_and_its_owner_is_told(
    member, app, monkeypatch
):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()

    monkeypatch.setitem(app.config, "SECRET_KEY", OTHER_KEY)
    kept = reveal_feed_token(token, owner=member)

    assert (kept.state, kept.raw) == (KeptState.unreadable, None)
    assert resolve_feed_token(raw, now=NOW) is member


def test_the_previous_key_in_secret_key_fallbacks_still_opens_links(
    member, app, monkeypatch
):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()
    old_key = app.config["SECRET_KEY"]

    monkeypatch.setitem(app.config, "SECRET_KEY", OTHER_KEY)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    kept = reveal_feed_token(token, owner=member)
    successor, successor_raw = create_feed_token(member, label="Laptop", now=NOW)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    new_key_only = reveal_feed_token(successor, owner=member)

    assert (kept.state, kept.raw) == (KeptState.shown, raw)
    assert (new_key_only.state, new_key_only.raw) == (KeptState.shown, successor_raw)


def test_a_sealed_secret_moved_to_another_row_opens_nothing(member):
    first, _first_raw = create_feed_token(member, label="Phone", now=NOW)
    second, second_raw = create_feed_token(member, label="Laptop", now=NOW)

    first.secret_sealed = second.secret_sealed
    db.session.commit()
    kept = reveal_feed_token(first, owner=member)

    assert (kept.state, kept.raw) == (KeptState.unreadable, None)
    assert resolve_feed_token(second_raw, now=NOW) is member


def test_a_link_made_before_links_were_kept_works_and_is_marked_not_kept(member):
    raw, digest = new_token()
    db.session.add(
        FeedToken(
            user_id=member.id, label="Old phone", token_hash=digest, created_dt=NOW
        )
    )
    db.session.commit()

    (kept,) = list_kept_links(member)

    assert (kept.token.label, kept.state, kept.raw) == (
        "Old phone",
        KeptState.not_kept,
        None,
    )
    assert resolve_feed_token(raw, now=NOW) is member


def test_seal_secret_gives_a_new_ciphertext_each_time(app):
    first = seal_secret("the same secret", now=NOW)
    second = seal_secret("the same secret", now=NOW)

    assert first != second
    assert open_secret(first) == open_secret(second) == "the same secret"


@pytest.mark.parametrize("garbage", ["", "not fernet", "gAAAAA" + "x" * 100, "é"])
def test_open_secret_refuses_garbage(app, garbage):
    assert open_secret(garbage) is None


# ---- the migration -----------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def empty_app(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Flask]:
    """Return an app on a fresh, empty database (no migrations run), inside an app context."""
    server, name = None, f"vertskap_kept_links_{RUN_TAG}_{next(_counter)}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(name)
    application = make_app(url)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    if server is not None:
        server.drop_database(name)


@pytest.mark.usefixtures("empty_app")
def test_links_made_before_the_migration_keep_working_and_new_ones_are_kept() -> None:
    """39d88fdbe258 adds the sealed secret; a token that exists keeps only its hash."""
    upgrade(revision="a6d95cd14e04")
    raw, digest = new_token()
    at = datetime(2026, 11, 26, 9, tzinfo=UTC).replace(tzinfo=None)
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (email, name, role, locale, timezone, is_active,"
                " session_version, reminder_days, wants_task_reminders,"
                " wants_change_notices, wants_digest, created_dt)"
                " VALUES ('ane@ntnu.no', 'Ane Berg', 'member', 'nb', 'Europe/Oslo',"
                " :yes, 1, '14,3,1', :yes, :yes, :no, :at)"
            ),
            {"yes": True, "no": False, "at": at},
        )
        connection.execute(
            sa.text(
                "INSERT INTO feed_tokens (user_id, label, token_hash, created_dt, purpose)"
                " SELECT id, 'Telefon', :digest, :at, 'feed' FROM users"
            ),
            {"digest": digest, "at": at},
        )

    upgrade()

    owner = resolve_feed_token(raw, now=NOW)
    assert owner is not None
    assert owner.email == "ane@ntnu.no"
    (kept,) = list_kept_links(owner)
    assert (kept.state, kept.raw) == (KeptState.not_kept, None)
    _token, new_raw = create_feed_token(owner, label="Nettbrett", now=NOW)
    assert [(k.token.label, k.state, k.raw) for k in list_kept_links(owner)] == [
        ("Nettbrett", KeptState.shown, new_raw),
        ("Telefon", KeptState.not_kept, None),
    ]
