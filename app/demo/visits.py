"""Demo calendar objects (events, visits, programme items) and the visits' hosting records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa

from app.calendar.models import Event
from app.calendar.recurrence import format_exdates, parse_rule
from app.core.calendar_object import CalendarObjectMixin
from app.core.db import db
from app.core.timezones import utc_to_local
from app.delegations.models import (
    ChecklistTask,
    Delegation,
    FollowUp,
    FollowUpStatus,
    Interest,
    Participant,
    ProgrammeItem,
)
from app.demo import data
from app.demo.context import LoadContext
from app.demo.schedule import (
    at,
    days_from,
    deadline_day,
    event_rule,
    event_span,
    programme_span,
    visit_days,
)

_Calendar = TypeVar("_Calendar", bound=CalendarObjectMixin)


def load_events(context: LoadContext, specs: Iterable[data.EventSpec]) -> None:
    """Add the events not loaded before, found again by the slug in their UID."""
    existing = _demo_rows(Event)
    context.events.update(existing)
    for spec in specs:
        if spec.slug in existing:
            continue
        start_dt, end_dt = event_span(spec, today=context.today)
        rrule, exdates = _recurrence(spec, start_dt)
        event = Event(
            uid=context.uid(Event.uid_kind, spec.slug),
            title=spec.title,
            description=spec.description,
            start_dt=start_dt,
            end_dt=end_dt,
            is_all_day=spec.start is None,
            timezone=spec.timezone,
            location=_event_location(context, spec),
            organiser=context.organisation(spec.organiser),
            initiative=context.initiative(spec.initiative),
            themes=context.theme_list(spec.themes),
            url=spec.url,
            visibility=spec.visibility,
            status=spec.status,
            rrule=rrule,
            exdates=exdates,
            created_dt=context.now,
            updated_dt=context.now,
        )
        context.add("events", event)
        context.events[spec.slug] = event


def _recurrence(spec: data.EventSpec, start_dt: datetime) -> tuple[str, str]:
    """Return the rule and the cancelled occurrences of a repeating demo event."""
    local_start = utc_to_local(start_dt, spec.timezone).replace(tzinfo=None)
    rule = event_rule(spec, local_start.date())
    if not rule or not spec.cancelled_occurrences:
        return rule, ""
    starts = list(parse_rule(rule, local_start))
    return rule, format_exdates([starts[i] for i in spec.cancelled_occurrences])


def _event_location(context: LoadContext, spec: data.EventSpec) -> str:
    if spec.venue is None:
        return spec.location
    venue = context.venues[spec.venue]
    return f"{venue.name}, {venue.address}" if venue.address else venue.name


def load_delegations(
    context: LoadContext, specs: Iterable[data.DelegationSpec]
) -> None:
    """Add the visits and programme items not loaded before; remember every visit by slug."""
    existing = _demo_rows(Delegation)
    existing_items = set(_demo_rows(ProgrammeItem))
    for spec in specs:
        delegation = existing.get(spec.slug)
        if delegation is None:
            delegation = _new_delegation(context, spec)
            context.add("delegations", delegation)
        context.delegations[spec.slug] = delegation
        _load_programme(context, delegation, spec, existing=existing_items)


def _new_delegation(context: LoadContext, spec: data.DelegationSpec) -> Delegation:
    days = visit_days(spec, today=context.today)
    host_contact = context.users.get(spec.host_contact) if spec.host_contact else None
    return Delegation(
        uid=context.uid(Delegation.uid_kind, spec.slug),
        direction=spec.direction,
        title=spec.title,
        city=context.cities[spec.city] if spec.city else None,
        country=spec.country,
        foreign_organisations=spec.foreign_organisations,
        head_of_delegation=spec.head_of_delegation,
        protocol_level=spec.protocol_level,
        size=spec.size,
        arrival_dt=at(days[0], spec.arrival, spec.timezone),
        departure_dt=at(days[-1], spec.departure, spec.timezone),
        timezone=spec.timezone,
        status=spec.status,
        visibility=spec.visibility,
        host_contact=host_contact,
        host_organisation=context.organisation(spec.host),
        co_hosts=[context.organisations[s] for s in spec.co_hosts],
        initiative=context.initiative(spec.initiative),
        themes=context.theme_list(spec.themes),
        languages=spec.languages,
        needs_interpreter=spec.needs_interpreter,
        cost_bearer=spec.cost_bearer,
        budget_nok=spec.budget_nok,
        notes=spec.notes,
        created_dt=context.now,
        updated_dt=context.now,
    )


def _load_programme(
    context: LoadContext,
    delegation: Delegation,
    spec: data.DelegationSpec,
    *,
    existing: set[str],
) -> None:
    """Add the visit's missing programme items, on the days the visit spans."""
    if not spec.programme:
        return
    # Programme days follow the visit as stored, even if it was placed on an earlier run.
    arrival_day = utc_to_local(delegation.arrival_dt, delegation.timezone).date()
    days = days_from(arrival_day, spec.days, working=not isinstance(spec.when, date))
    for item in spec.programme:
        if item.slug in existing:
            continue
        start_dt, end_dt = programme_span(item, days=days, zone=delegation.timezone)
        programme_item = ProgrammeItem(
            uid=context.uid(ProgrammeItem.uid_kind, item.slug),
            delegation=delegation,
            title=item.title,
            start_dt=start_dt,
            end_dt=end_dt,
            venue=context.venues[item.venue] if item.venue else None,
            location=item.location,
            responsible_organisation=context.organisation(item.responsible),
            responsible_person=item.responsible_person,
            officials=[context.officials[name] for name in item.officials],
            description=item.description,
            visibility=item.visibility,
            created_dt=context.now,
            updated_dt=context.now,
        )
        context.add("programme items", programme_item)


# --- hosting records of the visits --------------------------------------------


def load_visit_records(context: LoadContext) -> None:
    """Add the missing participants, checklist tasks, follow-ups and interests."""
    for spec in data.DATED_DELEGATIONS + data.RELATIVE_DELEGATIONS:
        delegation = context.delegations[spec.slug]
        if spec.participants:
            _load_participants(context, delegation, spec.participants)
        if spec.with_checklist:
            _load_checklist(context, delegation, spec)
    _load_follow_ups(context)
    _load_interests(context)


def _load_participants(
    context: LoadContext,
    delegation: Delegation,
    specs: Iterable[data.ParticipantSpec],
) -> None:
    existing = set(
        db.session.scalars(
            sa.select(Participant.name).where(
                Participant.delegation_id == delegation.id
            )
        )
    )
    for spec in specs:
        if spec.name in existing:
            continue
        participant = Participant(
            delegation=delegation,
            name=spec.name,
            title=spec.title,
            organisation=spec.organisation,
            dietary_needs=spec.dietary_needs,
            accessibility_needs=spec.accessibility_needs,
        )
        context.add("participants", participant)


def _load_checklist(
    context: LoadContext, delegation: Delegation, spec: data.DelegationSpec
) -> None:
    """Copy the template of the visit's protocol level; steps already due are done."""
    existing = set(
        db.session.scalars(
            sa.select(ChecklistTask.title).where(
                ChecklistTask.delegation_id == delegation.id
            )
        )
    )
    template = context.templates[spec.protocol_level]
    arrival_day = utc_to_local(delegation.arrival_dt, delegation.timezone).date()
    assignee = delegation.host_contact or context.users[data.ADMIN_EMAIL]
    for item in template.items:
        if item.title in existing:
            continue
        due = arrival_day - timedelta(days=item.due_days_before)
        is_done = due < context.today
        task = ChecklistTask(
            delegation=delegation,
            title=item.title,
            due_date=due,
            due_days_before=item.due_days_before,
            assignee=assignee,
            position=item.position,
            done_dt=context.now if is_done else None,
            done_by_id=assignee.id if is_done else None,
        )
        context.add("checklist tasks", task)


def _load_follow_ups(context: LoadContext) -> None:
    for spec in data.FOLLOW_UPS:
        delegation = context.delegations[spec.delegation]
        exists = db.session.scalar(
            sa.select(FollowUp.id).where(
                FollowUp.delegation_id == delegation.id, FollowUp.title == spec.title
            )
        )
        if exists is not None:
            continue
        closed = spec.status in (FollowUpStatus.done, FollowUpStatus.dropped)
        follow_up = FollowUp(
            delegation=delegation,
            title=spec.title,
            owner=context.users[spec.owner],
            deadline=deadline_day(spec.deadline, today=context.today),
            status=spec.status,
            notes=spec.notes,
            created_dt=context.now,
            closed_dt=context.now if closed else None,
        )
        context.add("follow-ups", follow_up)


def _load_interests(context: LoadContext) -> None:
    for spec in data.INTERESTS:
        delegation = context.delegations[spec.delegation]
        user = context.users[spec.user]
        exists = db.session.scalar(
            sa.select(Interest.id).where(
                Interest.delegation_id == delegation.id, Interest.user_id == user.id
            )
        )
        if exists is not None:
            continue
        interest = Interest(
            delegation=delegation,
            user=user,
            kind=spec.kind,
            message=spec.message,
            created_dt=context.now,
        )
        context.add("interests", interest)


def _demo_rows(model: type[_Calendar]) -> dict[str, _Calendar]:
    """Return the demo rows of a calendar model by slug.

    Matched on the UID's "<kind>-demo-<slug>@" part only, so a changed
    PUBLIC_BASE_URL (the UID's host) does not make a rerun add copies.
    """
    prefix = f"{model.uid_kind}-demo-"
    rows = db.session.scalars(sa.select(model).where(model.uid.startswith(prefix)))
    return {row.uid.removeprefix(prefix).partition("@")[0]: row for row in rows}
