"""Permanent UIDs for calendar objects (RFC 5545 section 3.8.4.7)."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]")


def make_uid(kind: str, key: str, domain: str) -> str:
    """Return `<kind>-<key>@<domain>`, a UID that is globally unique and never changes.

    The domain part follows RFC 5545's advice to use a host the publisher
    controls, so two installations never produce the same UID.
    """
    if not kind or not key or not domain:
        raise ValueError("kind, key and domain are all required")
    return f"{_UNSAFE.sub('-', kind)}-{_UNSAFE.sub('-', key)}@{_UNSAFE.sub('-', domain.lower())}"
