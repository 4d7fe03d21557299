"""Feed token services: secrets stored hashed (and sealed), labels, the cap, revoke, rotate, resolve."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEntry
from app.core.db import db
from app.core.security import hash_token
from app.feeds.models import FeedToken
from app.feeds.sealing import open_secret
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

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)


@pytest.fixture
def member(create_user):
    return create_user("mats@example.org", name="Mats Member")


def _audit() -> list[tuple[str, int, str, int | None]]:
    rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
    return [(e.object_type, e.object_id, e.action, e.actor_id) for e in rows]


def test_create_feed_token_stores_the_hash_and_the_sealed_secret_of_256_random_bits(
    member,
):
    token, raw = create_feed_token(member, label="  Phone \t calendar ", now=NOW)
    db.session.commit()

    stored = db.session.scalars(sa.select(FeedToken)).one()
    assert len(base64.urlsafe_b64decode(raw + "=")) * 8 == 256
    assert (stored.label, stored.user_id, stored.created_dt) == (
        "Phone calendar",
        member.id,
        NOW,
    )
    assert stored.token_hash == hash_token(raw)
    assert raw not in (stored.token_hash, stored.label, stored.secret_sealed)
    assert open_secret(stored.secret_sealed) == raw
    assert _audit() == [("feed_tokens", token.id, "created", member.id)]


def test_create_feed_token_gives_a_new_secret_each_time(member):
    _first, raw1 = create_feed_token(member, label="One", now=NOW)
    _second, raw2 = create_feed_token(member, label="Two", now=NOW)

    assert raw1 != raw2


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("", "label_empty"),
        (" \t\n ", "label_empty"),
        ("\x00\x1b", "label_empty"),
        ("x" * 101, "label_too_long"),
    ],
)
def test_create_feed_token_refuses_bad_labels(member, label, code):
    with pytest.raises(FeedTokenError) as raised:
        create_feed_token(member, label=label, now=NOW)

    assert raised.value.code == code
    assert db.session.scalars(sa.select(FeedToken)).all() == []


def test_create_feed_token_accepts_a_label_of_100_characters(member):
    token, _raw = create_feed_token(member, label="æ" * 100, now=NOW)

    assert token.label == "æ" * 100


def test_create_feed_token_refuses_a_second_active_link_with_the_same_label(member):
    create_feed_token(member, label="Phone", now=NOW)

    with pytest.raises(FeedTokenError) as raised:
        create_feed_token(member, label="PHONE", now=NOW)

    assert raised.value.code == "label_taken"


def test_create_feed_token_stops_at_the_cap_until_one_is_revoked(member):
    tokens = [
        create_feed_token(member, label=f"Device {n}", now=NOW)[0]
        for n in range(MAX_ACTIVE_TOKENS)
    ]

    with pytest.raises(FeedTokenError) as raised:
        create_feed_token(member, label="One too many", now=NOW)
    revoke_feed_token(tokens[0], actor=member, now=NOW)
    token, _raw = create_feed_token(member, label="One too many", now=NOW)

    assert raised.value.code == "too_many"
    assert len(list_feed_tokens(member)) == MAX_ACTIVE_TOKENS
    assert token.label == "One too many"


def test_list_feed_tokens_shows_own_active_ones_newest_first(member, create_user):
    other = create_user()
    create_feed_token(other, label="Not mine", now=NOW)
    create_feed_token(member, label="Old", now=NOW - HOUR)
    gone, _raw = create_feed_token(member, label="Gone", now=NOW)
    create_feed_token(member, label="New", now=NOW + HOUR)
    revoke_feed_token(gone, actor=member, now=NOW + 2 * HOUR)

    assert [t.label for t in list_feed_tokens(member)] == ["New", "Old"]
    assert [t.label for t in list_revoked_feed_tokens(member)] == ["Gone"]
    assert get_own_feed_token(member, gone.id) is gone
    assert get_own_feed_token(other, gone.id) is None


def test_resolve_feed_token_returns_the_owner_and_marks_the_use(member):
    _token, raw = create_feed_token(member, label="Phone", now=NOW)
    db.session.commit()

    owner = resolve_feed_token(raw, now=NOW + HOUR)
    db.session.commit()

    assert owner is member
    assert db.session.scalars(sa.select(FeedToken.last_used_dt)).one() == NOW + HOUR


def test_resolve_feed_token_writes_last_used_at_most_hourly(member):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    seen = []
    for minutes in (0, 30, 59, 60, 61, 125):
        resolve_feed_token(raw, now=NOW + timedelta(minutes=minutes))
        seen.append(token.last_used_dt - NOW)

    assert seen == [timedelta(minutes=m) for m in (0, 0, 0, 60, 60, 125)]


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not-a-token",
        "A" * 43,
        "A" * 10_000,
        "../../etc/passwd",
        "\x00" * 43,
    ],
)
def test_resolve_feed_token_refuses_unknown_and_malformed_tokens(member, raw):
    create_feed_token(member, label="Phone", now=NOW)

    assert resolve_feed_token(raw, now=NOW) is None


def test_resolve_feed_token_refuses_the_hash_itself(member):
    token, _raw = create_feed_token(member, label="Phone", now=NOW)

    assert resolve_feed_token(token.token_hash, now=NOW) is None


def test_resolve_feed_token_refuses_a_revoked_token(member):
    token, raw = create_feed_token(member, label="Phone", now=NOW)
    revoke_feed_token(token, actor=member, now=NOW + HOUR)
    db.session.commit()

    assert resolve_feed_token(raw, now=NOW + 2 * HOUR) is None
    assert token.last_used_dt is None


def test_resolve_feed_token_refuses_a_deactivated_owner_at_once(member):
    _token, raw = create_feed_token(member, label="Phone", now=NOW)
    before = resolve_feed_token(raw, now=NOW)
    member.is_active = False
    db.session.commit()

    assert before is member
    assert resolve_feed_token(raw, now=NOW) is None


def test_resolve_feed_token_returns_the_owner_with_the_role_of_now(member):
    _token, raw = create_feed_token(member, label="Phone", now=NOW)
    member.role = Role.mayors_office
    db.session.commit()

    owner = resolve_feed_token(raw, now=NOW)

    assert owner is not None
    assert owner.is_staff is True


def test_revoke_feed_token_stamps_and_audits(member):
    token, _raw = create_feed_token(member, label="Phone", now=NOW)

    revoke_feed_token(token, actor=member, now=NOW + HOUR)

    assert token.revoked_dt == NOW + HOUR
    assert _audit()[-1] == ("feed_tokens", token.id, "revoked", member.id)


def test_revoke_feed_token_refuses_twice_and_other_members(member, create_user):
    token, _raw = create_feed_token(member, label="Phone", now=NOW)
    stranger = create_user()

    with pytest.raises(FeedTokenError) as not_owner:
        revoke_feed_token(token, actor=stranger, now=NOW)
    revoke_feed_token(token, actor=member, now=NOW)
    with pytest.raises(FeedTokenError) as twice:
        revoke_feed_token(token, actor=member, now=NOW + HOUR)

    assert (not_owner.value.code, twice.value.code) == ("not_owner", "already_revoked")
    assert token.revoked_dt == NOW


def test_revoke_feed_token_is_allowed_to_an_admin(member, create_user):
    token, _raw = create_feed_token(member, label="Phone", now=NOW)
    admin = create_user(role=Role.admin)

    revoke_feed_token(token, actor=admin, now=NOW)

    assert token.revoked_dt == NOW
    assert _audit()[-1] == ("feed_tokens", token.id, "revoked", admin.id)


def test_rotate_feed_token_replaces_the_secret_and_keeps_the_label(member):
    old, old_raw = create_feed_token(member, label="Phone", now=NOW)

    new, new_raw = rotate_feed_token(old, actor=member, now=NOW + HOUR)
    db.session.commit()

    assert (new.label, new.user_id, new.created_dt) == ("Phone", member.id, NOW + HOUR)
    assert old.revoked_dt == NOW + HOUR
    assert new_raw != old_raw
    assert resolve_feed_token(old_raw, now=NOW + HOUR) is None
    assert resolve_feed_token(new_raw, now=NOW + HOUR) is member
    assert _audit() == [
        ("feed_tokens", old.id, "created", member.id),
        ("feed_tokens", old.id, "rotated", member.id),
        ("feed_tokens", new.id, "created", member.id),
    ]


def test_rotate_feed_token_refuses_a_revoked_token(member):
    token, _raw = create_feed_token(member, label="Phone", now=NOW)
    revoke_feed_token(token, actor=member, now=NOW)

    with pytest.raises(FeedTokenError) as raised:
        rotate_feed_token(token, actor=member, now=NOW)

    assert raised.value.code == "already_revoked"
    assert len(list_feed_tokens(member)) == 0


def test_rotate_feed_token_works_at_the_cap(member):
    tokens = [
        create_feed_token(member, label=f"Device {n}", now=NOW)[0]
        for n in range(MAX_ACTIVE_TOKENS)
    ]

    new, _raw = rotate_feed_token(tokens[0], actor=member, now=NOW)

    assert new.label == "Device 0"
    assert len(list_feed_tokens(member)) == MAX_ACTIVE_TOKENS
