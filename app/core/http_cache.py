"""Answering iCalendar bodies over HTTP: validators, 304, gzip and caching headers.

Calendar clients poll feeds every few minutes, so a strong ETag and a 304
answer matter more than anything else (DESIGN.md section 5). The helper takes
the body or a function that builds it: given the ETag up front (a later cache
of serialised events can know it from a cheap calendar version), a 304 is
answered without building the body at all.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from flask import Response, request
from werkzeug.http import parse_date, parse_etags

#: The media type of every file we serve (RFC 5545 section 8.1).
CONTENT_TYPE = "text/calendar; charset=utf-8"

#: Suffix inside the quotes of a gzip body's ETag: RFC 9110 section 8.8.3 asks
#: for a different entity tag per content coding.
GZIP_SUFFIX = "-gz"


def body_etag(body: bytes) -> str:
    """Return the strong entity tag (without quotes) of an identity-coded body."""
    return hashlib.sha256(body).hexdigest()[:40]


@dataclass(frozen=True)
class CachePolicy:
    """How long, and by whom, an answer may be cached."""

    scope: Literal["public", "private"]
    max_age: int

    @property
    def header(self) -> str:
        return f"{self.scope}, max-age={max(self.max_age, 0)}"


def calendar_response(
    body: bytes | Callable[[], bytes],
    *,
    filename: str,
    cache: CachePolicy,
    last_modified: datetime | None,
    etag: str | None = None,
    disposition: Literal["inline", "attachment"] = "inline",
    vary: tuple[str, ...] = (),
    compressed: Callable[[], bytes] | None = None,
) -> Response:
    """Return the answer to a GET or HEAD for an iCalendar body.

    `etag` (unquoted) must be the tag of the identity-coded bytes; without it,
    the bytes are built and hashed. 304 answers If-None-Match, and
    If-Modified-Since when no If-None-Match was sent (RFC 9110 section
    13.1.3). A client accepting gzip gets the compressed bytes, under their
    own tag; `compressed` may hand over bytes compressed earlier.
    """
    gzipped = _accepts_gzip()
    built = body if isinstance(body, bytes) else None
    if etag is None:
        built = built if built is not None else _build(body)
        etag = body_etag(built)
    tag = etag + GZIP_SUFFIX if gzipped else etag
    modified = _whole_seconds(last_modified)
    response = Response(status=200, content_type=CONTENT_TYPE)
    _set_headers(response, tag, modified, cache, vary)
    if _not_modified(tag, modified):
        response.status_code = 304
        for name in BODY_HEADERS:
            response.headers.pop(name, None)
        return response
    data = built if built is not None else _build(body)
    if gzipped:
        # mtime=0: the same bytes compress to the same bytes, matching the tag.
        data = (
            compressed()
            if compressed is not None
            else gzip.compress(data, compresslevel=6, mtime=0)
        )
        response.headers["Content-Encoding"] = "gzip"
    response.set_data(data)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _build(body: bytes | Callable[[], bytes]) -> bytes:
    return body if isinstance(body, bytes) else body()


def _set_headers(
    response: Response,
    tag: str,
    modified: datetime | None,
    cache: CachePolicy,
    vary: tuple[str, ...],
) -> None:
    response.set_etag(tag)
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = cache.header
    for header in ("Accept-Encoding", *vary):
        response.vary.add(header)


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _whole_seconds(value: datetime | None) -> datetime | None:
    """HTTP dates have whole seconds; compare as the client will send it back."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0)


def _not_modified(tag: str, modified: datetime | None) -> bool:
    if request.method not in {"GET", "HEAD"}:
        return False
    return not_modified(
        request.headers.get("If-None-Match"),
        request.headers.get("If-Modified-Since"),
        tag,
        modified,
    )


def not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    tag: str,
    modified: datetime | None,
) -> bool:
    """Return whether a GET with these validators gets 304 (RFC 9110 section 13.1.3).

    If-None-Match, when sent, decides alone (weak comparison); otherwise
    If-Modified-Since is compared with the whole-second `modified`.
    """
    if if_none_match is not None:
        return parse_etags(if_none_match).contains_weak(tag)
    if modified is None or if_modified_since is None:
        return False
    since = parse_date(if_modified_since)
    return since is not None and modified <= since


#: Headers a 304 leaves out: they describe a body it does not carry (RFC 9110
#: section 15.4.5; Werkzeug drops the same ones from a 304).
BODY_HEADERS = frozenset(
    {
        "content-length",
        "content-type",
        "content-encoding",
        "content-disposition",
        "last-modified",
    }
)


def not_modified_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the headers of a 200 answer as its 304 carries them."""
    return [
        (name, value) for name, value in headers if name.lower() not in BODY_HEADERS
    ]
