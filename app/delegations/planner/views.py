"""The planner: the coming weeks' visits and programme items, with clash warnings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("planner", __name__, url_prefix="/planner")
