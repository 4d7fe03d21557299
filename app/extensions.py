"""Flask extensions, created unbound and initialised in `create_app`."""

import time

from flask_babel import Babel
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from app.core.db import db
from app.core.errors import ask_to_retry_after

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate"]


def _note_wait(limit: RequestLimit) -> None:
    """Have the 429 say when this exceeded limit lets the client in again (Retry-After)."""
    ask_to_retry_after(limit.reset_at - time.time())


migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[], on_breach=_note_wait)
