"""The annual report's visits: grouped in SQL once, broken down by direction four ways."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.db import db
from app.core.visibility import Audience, visible_clause
from app.delegations.forms import PROTOCOL_LABELS, STATUS_LABELS, country_name
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProtocolLevel,
)
from app.directory.models import Initiative, Organisation
from app.reports.annual.model import (
    COUNTED_STATUSES,
    Breakdown,
    Row,
    VisitSection,
    ordered_rows,
)

# ---- visits ------------------------------------------------------------------


@dataclass(frozen=True)
class _VisitGroup:
    """Visits sharing every attribute the report breaks them down by."""

    direction: Direction
    status: DelegationStatus
    country: str
    protocol_level: ProtocolLevel
    initiative_id: int | None
    initiative_title: str | None
    host_id: int | None
    host_name: str | None
    count: int


def visit_groups(
    audience: Audience, start: datetime, end: datetime
) -> list[_VisitGroup]:
    """Return the visible visits arriving in [start, end), grouped in SQL (one query)."""
    keys = (
        Delegation.direction,
        Delegation.status,
        Delegation.country,
        Delegation.protocol_level,
        Delegation.initiative_id,
        Initiative.title,
        Delegation.host_organisation_id,
        Organisation.name,
    )
    query = (
        sa.select(*keys, sa.func.count(Delegation.id))
        .outerjoin(Initiative, Initiative.id == Delegation.initiative_id)
        .outerjoin(Organisation, Organisation.id == Delegation.host_organisation_id)
        .where(
            visible_clause(Delegation, audience),
            Delegation.arrival_dt >= start,
            Delegation.arrival_dt < end,
        )
        .group_by(*keys)
    )
    return [_VisitGroup(*row) for row in db.session.execute(query)]


def visit_section(direction: Direction, groups: list[_VisitGroup]) -> VisitSection:
    """Return the breakdowns of the held visits (confirmed, completed) of one direction."""
    counted = [
        g for g in groups if g.direction is direction and g.status in COUNTED_STATUSES
    ]
    words = {
        Direction.incoming: (
            _("Incoming visits by country"),
            _("Incoming visits by protocol level"),
            _("Incoming visits by initiative"),
            _("Incoming visits by host organisation"),
        ),
        Direction.outgoing: (
            _("Outgoing visits by country"),
            _("Outgoing visits by protocol level"),
            _("Outgoing visits by initiative"),
            _("Outgoing visits by host organisation"),
        ),
    }[direction]
    prefix = direction.value
    visits = (_("Visits"),)
    levels = Counter[ProtocolLevel]()
    for group in counted:
        levels[group.protocol_level] += group.count
    return VisitSection(
        direction=direction,
        total=sum(g.count for g in counted),
        by_country=Breakdown(
            f"{prefix}-country",
            words[0],
            _("Country"),
            visits,
            _ranked(
                counted,
                lambda g: g.country,
                lambda code: country_name(str(code)),
                none_label="",
            ),
        ),
        by_protocol_level=Breakdown(
            f"{prefix}-protocol-level",
            words[1],
            _("Protocol level"),
            visits,
            tuple(
                Row(str(PROTOCOL_LABELS[level]), (levels[level],))
                for level in ProtocolLevel
            ),
        ),
        by_initiative=Breakdown(
            f"{prefix}-initiative",
            words[2],
            _("Initiative"),
            visits,
            _ranked(
                counted,
                lambda g: g.initiative_id,
                _labeller(counted, "initiative_id", "initiative_title"),
                none_label=_("No initiative"),
            ),
        ),
        by_host=Breakdown(
            f"{prefix}-host",
            words[3],
            _("Host organisation"),
            visits,
            _ranked(
                counted,
                lambda g: g.host_id,
                _labeller(counted, "host_id", "host_name"),
                none_label=_("No host organisation"),
            ),
        ),
    )


def _labeller(
    groups: list[_VisitGroup], key: str, label: str
) -> Callable[[Hashable], str]:
    names = {getattr(g, key): getattr(g, label) for g in groups}
    return lambda value: str(names[value])


def _ranked(
    groups: Iterable[_VisitGroup],
    key: Callable[[_VisitGroup], Hashable],
    label: Callable[[Hashable], str],
    *,
    none_label: str,
) -> tuple[Row, ...]:
    """Return one row per key, most visits first, then by label; the key None last."""
    counts = Counter[Hashable]()
    for group in groups:
        counts[key(group)] += group.count
    return ordered_rows(
        [(label(k), (n,)) for k, n in counts.items() if k is not None],
        (none_label, (counts[None],)) if None in counts else None,
    )


def status_table(groups: list[_VisitGroup]) -> Breakdown:
    """Every visit arriving in the year by status and direction, so nothing is hidden."""
    counts = Counter[tuple[DelegationStatus, Direction]]()
    for group in groups:
        counts[group.status, group.direction] += group.count
    return Breakdown(
        "visits-status",
        _("Visits by status"),
        _("Status"),
        (_("Incoming"), _("Outgoing")),
        tuple(
            Row(
                str(STATUS_LABELS[status]),
                (
                    counts[status, Direction.incoming],
                    counts[status, Direction.outgoing],
                ),
            )
            for status in DelegationStatus
        ),
        chart=False,
    )
