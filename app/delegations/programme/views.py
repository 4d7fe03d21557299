"""Visit programme editor, copying a programme, and the printable programme."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("programme", __name__, url_prefix="/visits")
