"""`flask feeds token`: prints one new private feed URL, and fails clearly on a bad user."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.db import db
from app.feeds.models import FeedToken
from app.feeds.tokens import MAX_ACTIVE_TOKENS, create_feed_token, resolve_feed_token
from tests.fixtures.builders import NOW

pytestmark = pytest.mark.integration

PREFIX = "http://vertskap.test/feeds/"


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["feeds", "token", *args])


def test_feeds_token_prints_a_private_feed_url_that_resolves(app, create_user):
    user = create_user("kari@example.org")

    result = _run(app, "Kari@Example.org ", "--label", "Outlook at work")

    assert result.exit_code == 0, result.output
    (url,) = result.output.splitlines()
    assert url.startswith(PREFIX)
    assert url.endswith(".ics")
    raw = url.removeprefix(PREFIX).removesuffix(".ics")
    assert resolve_feed_token(raw, now=NOW) is user
    token = db.session.scalars(sa.select(FeedToken)).one()
    assert (token.user_id, token.label) == (user.id, "Outlook at work")
    audit = db.session.scalars(sa.select(AuditEntry)).one()
    # Issued by an operator's script, not by the user.
    assert (audit.object_id, audit.action, audit.actor_id) == (
        token.id,
        "created",
        None,
    )


def test_feeds_token_prints_the_url_page_paths_build(app, create_user):
    create_user("kari@example.org")

    result = _run(app, "kari@example.org", "--label", "Phone")

    with app.test_request_context():
        raw = result.output.strip().removeprefix(PREFIX).removesuffix(".ics")
        path = app.url_map.bind("").build("feeds.private_feed", {"token": raw})
    assert result.output == f"http://vertskap.test{path}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nobody@example.org", "--label", "Phone"],
            "Error: no user with e-mail address 'nobody@example.org'",
        ),
        (["kari@example.org", "--label", "  "], "Error: the label is empty"),
        (
            ["kari@example.org", "--label", "x" * 101],
            "Error: the label is longer than 100 characters",
        ),
    ],
)
def test_feeds_token_fails_clearly_on_bad_input(app, create_user, args, message):
    create_user("kari@example.org")

    result = _run(app, *args)

    assert (result.exit_code, result.output.splitlines()[-1]) == (1, message)
    assert db.session.scalars(sa.select(FeedToken)).all() == []


def test_feeds_token_refuses_a_deactivated_user(app, create_user):
    user = create_user("kari@example.org")
    user.is_active = False
    db.session.commit()

    result = _run(app, "kari@example.org", "--label", "Phone")

    assert (result.exit_code, result.output) == (
        1,
        "Error: user kari@example.org is deactivated\n",
    )
    assert db.session.scalars(sa.select(FeedToken)).all() == []


def test_feeds_token_refuses_past_the_cap(app, create_user):
    user = create_user("kari@example.org")
    for n in range(MAX_ACTIVE_TOKENS):
        create_feed_token(user, label=f"Device {n}", now=NOW)
    db.session.commit()

    result = _run(app, "kari@example.org", "--label", "Phone")

    assert result.exit_code == 1
    assert result.output == (
        f"Error: this user already has {MAX_ACTIVE_TOKENS} active feed links; revoke one first\n"
    )


def test_feeds_token_requires_a_label(app, create_user):
    create_user("kari@example.org")

    result = _run(app, "kari@example.org")

    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: Missing option '--label'."
