"""Builders of the checklist tests: a template per protocol level."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from app.core.db import db
from app.delegations.models import (
    ChecklistTemplate,
    ChecklistTemplateItem,
    ProtocolLevel,
)

#: (title, days before arrival) of the default template.
STEPS: tuple[tuple[str, int], ...] = (
    ("Book the meeting room", 14),
    ("Send the final programme", 5),
    ("Send thank-you letter", -7),
)


@pytest.fixture
def make_template(app: Any) -> Callable[..., ChecklistTemplate]:
    def _create(
        level: ProtocolLevel = ProtocolLevel.professional,
        steps: Sequence[tuple[str, int]] = STEPS,
        title: str = "Professional delegations",
    ) -> ChecklistTemplate:
        template = ChecklistTemplate(
            protocol_level=level,
            title=title,
            items=[
                ChecklistTemplateItem(title=name, due_days_before=days, position=index)
                for index, (name, days) in enumerate(steps)
            ],
        )
        db.session.add(template)
        db.session.commit()
        return template

    return _create
