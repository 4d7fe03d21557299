"""Hosting checklists: templates per protocol level and each visit's tasks."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("checklists", __name__)
