"""View decorators that admit only some kinds of user.

They ask the user object (`is_admin`, `is_staff`), so every feature can use them
without depending on the accounts package.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable[..., Any])


def _requires(attribute: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not getattr(current_user, attribute, False):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


#: The international office only: anonymous users are sent to log in, others get 403.
admin_required = _requires("is_admin")
#: The international office and the mayor's office.
staff_required = _requires("is_staff")
