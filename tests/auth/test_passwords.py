"""Password hashing and the password rules, without app or database."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from app.auth.services import hash_password, password_problems

pytestmark = pytest.mark.unit


def test_hash_password_uses_argon2id_with_rfc_9106_parameters_and_a_salt():
    hashed = hash_password("a long enough passphrase")

    assert re.fullmatch(
        r"\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}",
        hashed,
    )
    assert PasswordHasher().verify(hashed, "a long enough passphrase") is True
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(hashed, "a long enough passphrasE")


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("a long enough passphrase", []),
        ("Tr0ndheim!", []),
        ("Tr0ndhei!", ["too_short"]),
        ("x" * 201, ["too_long", "too_simple"]),
        ("abcabcabcabc", ["too_simple"]),
        ("", ["too_short", "too_simple"]),
        (" Kari@Example.org", ["same_as_email"]),
    ],
)
def test_password_problems_names_each_problem(password, problems):
    assert password_problems(password, email="kari@example.org") == problems
