"""Members' interest in joining a visit or meeting a delegation, and the host's answer."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("interests", __name__, url_prefix="/visits")
