"""Participants of a visit: staff only, importable from CSV, erasable."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("participants", __name__, url_prefix="/visits")
