"""`flask users create`: the password comes from standard input, bad input fails clearly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.core.db import db
from tests.auth.helpers import log_in, who_is_logged_in

pytestmark = pytest.mark.integration

PASSWORD = "a long enough passphrase"


def _users() -> list[tuple[str, Role, str | None]]:
    rows = db.session.scalars(sa.select(User).order_by(User.id))
    return [
        (
            user.email,
            user.role,
            user.organisation.short_name if user.organisation else None,
        )
        for user in rows
    ]


def test_users_create_reads_the_password_from_standard_input(
    app, client, create_organisation
):
    create_organisation("NTNU")

    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "Kari@Example.org",
            "--role",
            "mayors_office",
            "--name",
            "Kari Nordmann",
            "--organisation",
            "ntnu",
        ],
        input=PASSWORD + "\n",
    )

    (user,) = db.session.scalars(sa.select(User)).all()
    assert (result.exit_code, result.output) == (
        0,
        f"created mayors_office kari@example.org (id {user.id})\n",
    )
    assert _users() == [("kari@example.org", Role.mayors_office, "NTNU")]
    assert user.password_hash.startswith("$argon2id$")
    log_in(client, user, password=PASSWORD)
    assert who_is_logged_in(client) == "Kari Nordmann"


@pytest.mark.parametrize(
    ("args", "password", "exit_code", "last_line"),
    [
        (
            ["--role", "superuser"],
            PASSWORD,
            2,
            "Error: Invalid value for '--role': 'superuser' is not one of 'admin', 'mayors_office', 'member'.",
        ),
        (
            ["--role", "member", "--organisation", "NOPE"],
            PASSWORD,
            1,
            "Error: no organisation with short name 'NOPE'",
        ),
        (["--role", "member"], "short", 1, "Error: password refused: too short"),
        (["--role", "member"], "", 1, "Error: password refused: too short, too simple"),
        (
            ["--role", "member", "--name", "Again"],
            PASSWORD,
            1,
            "Error: a user with this e-mail address already exists",
        ),
        (
            ["--role", "member", "--name", "Bad"],
            PASSWORD,
            1,
            "Error: not a valid e-mail address",
        ),
    ],
    ids=[
        "bad_role",
        "unknown_organisation",
        "weak_password",
        "no_password",
        "duplicate_email",
        "invalid_email",
    ],
)
def test_users_create_refuses_bad_input_clearly(
    app, create_user, args, password, exit_code, last_line
):
    create_user("taken@example.org", password=None)
    name = [] if "--name" in args else ["--name", "Kari Nordmann"]
    email = {"Again": "TAKEN@example.org", "Bad": "kari@@example"}.get(
        args[-1], "kari@example.org"
    )

    result = app.test_cli_runner().invoke(
        args=["users", "create", email, *args, *name], input=password + "\n"
    )

    assert (result.exit_code, result.output.splitlines()[-1]) == (exit_code, last_line)
    assert _users() == [("taken@example.org", Role.member, None)]
