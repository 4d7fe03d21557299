"""Logging set-up: secrets in URLs (reset links, invitations, feed tokens) never reach a log."""

from __future__ import annotations

import logging
import re

#: Path segments that carry a secret, followed by the secret itself.
_SECRET_IN_PATH = re.compile(
    r"(/(?:password/reset|invitation|feeds|submissions/confirm)/)[A-Za-z0-9_\-]{16,}"
)


class RedactSecretsFilter(logging.Filter):
    """Replace secrets in request paths with [redacted] before a record is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_IN_PATH.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact(text: str) -> str:
    """Return `text` with secrets in paths replaced."""
    return _SECRET_IN_PATH.sub(r"\1[redacted]", text)


def configure_logging() -> None:
    """Attach the redaction filter to the handlers of the root and werkzeug loggers."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    secret_filter = RedactSecretsFilter()
    for name in ("", "werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecretsFilter) for f in logger.filters):
            logger.addFilter(secret_filter)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
                handler.addFilter(secret_filter)
