"""The delegation register: list, detail, create, edit, status changes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("delegations", __name__, url_prefix="/visits")
