"""After-visit follow-up (etterbruk)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("followups", __name__, url_prefix="/visits")
