"""The annual report's tables: rows of labels and numbers, and the sections they form."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.visibility import Audience
from app.delegations.models import (
    DelegationStatus,
    Direction,
)

#: The zone whose calendar year a report covers (the city's).
OSLO = "Europe/Oslo"
#: The visits a report counts in its breakdowns: held, or fixed to be held.
COUNTED_STATUSES = (DelegationStatus.confirmed, DelegationStatus.completed)
#: The years a report may be asked for.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a label and its numbers (the chart draws the first)."""

    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Breakdown:
    """One table of the report, and the chart drawn from it."""

    #: Stable name used for the page's anchors and ids ("incoming-country").
    key: str
    title: str
    label_heading: str
    value_headings: tuple[str, ...]
    rows: tuple[Row, ...]
    #: False for summary tables whose rows are not parts of one whole.
    chart: bool = True

    @property
    def largest(self) -> int:
        """The biggest first value, which sets the scale of the chart's bars."""
        return max((row.values[0] for row in self.rows), default=0)


@dataclass(frozen=True)
class VisitSection:
    """The confirmed and completed visits of one direction, broken down four ways."""

    direction: Direction
    total: int
    by_country: Breakdown
    by_protocol_level: Breakdown
    by_initiative: Breakdown
    by_host: Breakdown

    @property
    def breakdowns(self) -> tuple[Breakdown, ...]:
        return (
            self.by_country,
            self.by_protocol_level,
            self.by_initiative,
            self.by_host,
        )


@dataclass(frozen=True)
class EventSection:
    """The events held in the year: each series once, with its occurrences."""

    series: int
    occurrences: int
    by_initiative: Breakdown
    by_organiser: Breakdown


@dataclass(frozen=True)
class FollowUpSection:
    """After-visit follow-up items opened and closed in the year (staff only)."""

    opened: int
    closed_done: int
    closed_dropped: int
    open_at_year_end: int
    table: Breakdown


@dataclass(frozen=True)
class AnnualReport:
    """Everything the annual report page, its print and its workbook show."""

    year: int
    audience: Audience
    summary: Breakdown
    visits_by_status: Breakdown
    incoming: VisitSection
    outgoing: VisitSection
    events: EventSection
    #: None unless the reader is staff: follow-ups are staff-only data.
    followups: FollowUpSection | None

    @property
    def tables(self) -> tuple[Breakdown, ...]:
        """Every table, in page order (the workbook has one sheet per table)."""
        tables = [self.summary, self.visits_by_status]
        tables += [*self.incoming.breakdowns, *self.outgoing.breakdowns]
        tables += [self.events.by_initiative, self.events.by_organiser]
        if self.followups is not None:
            tables.append(self.followups.table)
        return tuple(tables)


def ordered_rows(
    labelled: list[tuple[str, tuple[int, ...]]],
    nobody: tuple[str, tuple[int, ...]] | None,
) -> tuple[Row, ...]:
    rows = sorted(labelled, key=lambda pair: (-pair[1][0], pair[0].casefold()))
    if nobody is not None:
        rows.append(nobody)
    return tuple(Row(label, values) for label, values in rows)
