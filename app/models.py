"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from app.auth import models as auth_models
from app.calendar import models as calendar_models
from app.core import audit, calendar_version
from app.delegations import models as delegation_models
from app.directory import models as directory_models
from app.feeds import models as feed_models
from app.outbox import models as outbox_models

__all__ = [
    "audit",
    "auth_models",
    "calendar_models",
    "calendar_version",
    "delegation_models",
    "directory_models",
    "feed_models",
    "outbox_models",
]
