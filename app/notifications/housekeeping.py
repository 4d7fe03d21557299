"""Housekeeping: forget what is no longer needed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from app.auth.models import LoginAttempt, UserToken
from app.core.db import db

#: Log-in attempts are kept this long for the throttle and for investigation.
LOGIN_ATTEMPT_RETENTION = timedelta(days=30)
#: Spent or expired single-use links are kept this long, then deleted.
TOKEN_RETENTION = timedelta(days=7)


def _delete(statement: sa.Delete) -> int:
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


def purge_expired_records(*, now: datetime) -> dict[str, int]:
    """Delete old log-in attempts and spent links; return how many of each went."""
    cutoff = now - TOKEN_RETENTION
    return {
        "login_attempts": _delete(
            sa.delete(LoginAttempt).where(
                LoginAttempt.attempted_dt < now - LOGIN_ATTEMPT_RETENTION
            )
        ),
        "user_tokens": _delete(
            sa.delete(UserToken).where(
                sa.or_(UserToken.expires_dt < cutoff, UserToken.used_dt < cutoff)
            )
        ),
    }
