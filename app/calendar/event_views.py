"""Staff pages to create, edit and cancel events, and every event's own page and .ics."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.services import public_link
from app.calendar.event_forms import (
    STATUS_LABELS,
    CancelEventForm,
    EventForm,
    OccurrenceForm,
)
from app.calendar.event_page import (
    ChosenDate,
    Slot,
    calendar_return_path,
    choose_occurrence,
    event_json_ld,
    first_sentence,
    google_calendar_url,
    link_details,
    map_url,
    meta_description,
    outlook_calendar_url,
    referred_calendar_path,
)
from app.calendar.events import (
    EventData,
    EventError,
    create_event,
    update_event,
)
from app.calendar.events import (
    cancel_event as cancel_event_service,
)
from app.calendar.events import (
    cancel_occurrence as cancel_occurrence_service,
)
from app.calendar.events import (
    reinstate_event as reinstate_event_service,
)
from app.calendar.events import (
    restore_occurrence as restore_occurrence_service,
)
from app.calendar.ical import event_ics as build_event_ics
from app.calendar.models import Event, EventStatus
from app.calendar.recurrence import Occurrence, parse_exdates
from app.calendar.rule_choices import describe_rule, rule_fields
from app.core.access import staff_required
from app.core.conflicts import STALE_ACTION_MESSAGE
from app.core.db import db, utcnow
from app.core.forms import is_web_link
from app.core.http_cache import CachePolicy, calendar_response
from app.core.i18n import format_local_datetime
from app.core.timezones import utc_to_local
from app.core.versioning import VersionConflictError
from app.core.visibility import Visibility, audience_for, can_see
from app.directory.models import Theme
from app.directory.services import (
    initiative_options,
    organisation_options,
)

bp = Blueprint("events", __name__)

#: How many coming occurrences an event page lists.
NEXT_OCCURRENCES = 8


@bp.route("/events/<int:event_id>")
def show_event(event_id: int) -> str:
    event = _visible_event(event_id)
    is_staff = current_user.is_authenticated and current_user.is_staff
    zone = event.timezone
    viewer_zone = str(get_timezone() or zone)
    first_local = utc_to_local(event.start_dt, zone)
    upcoming = _next_occurrences(event, utcnow()) if event.rrule else []
    chosen = choose_occurrence(event, request.args.get("occurrence"))
    shown = _shown_slot(event, chosen)
    added = _added_slot(event, chosen, upcoming)
    page_url = public_link("events.show_event", event_id=str(event.id))
    organiser_link = (
        event.organiser.website
        if event.organiser and is_web_link(event.organiser.website)
        else ""
    )
    when_local = _when(shown, zone)
    details = link_details(event.description, page_url)
    return render_template(
        "calendar/event.html",
        event=event,
        is_staff=is_staff,
        back_url=_back_url(),
        chosen=chosen,
        chosen_day=_local_text(chosen.local_start, all_day=event.is_all_day)
        if chosen
        else "",
        when_local=when_local,
        when_viewer=_when(shown, viewer_zone) if viewer_zone != zone else None,
        viewer_zone=viewer_zone,
        rule_text=describe_rule(event.rrule, first_local.date(), format_day=_day)
        if event.rrule
        else "",
        next_occurrences=upcoming,
        cancelled_dates=sorted(parse_exdates(event.exdates or "")),
        url_is_link=is_web_link(event.url),
        organiser_link=organiser_link,
        map_link=map_url(event.location),
        added_day=_local_text(
            utc_to_local(added.start_dt, zone).replace(tzinfo=None),
            all_day=event.is_all_day,
        )
        if added and event.is_recurring
        else "",
        google_link=google_calendar_url(
            added, title=event.title, details=details, location=event.location
        )
        if added
        else "",
        outlook_link=outlook_calendar_url(
            added, title=event.title, details=details, location=event.location
        )
        if added
        else "",
        json_ld=event_json_ld(
            event,
            _described_slots(event, chosen, upcoming),
            page_url=page_url,
            organiser_url=organiser_link,
        ),
        page_description=meta_description(
            f"{_('This event is cancelled.')} {when_local}"
            if event.is_cancelled
            else when_local,
            first_sentence(event.description),
        ),
        status_labels=STATUS_LABELS,
        cancel_form=CancelEventForm(),
        format_local=_local_text,
    )


@bp.route("/events/<int:event_id>.ics")
def event_ics(event_id: int) -> Response:
    event = _visible_event(event_id)
    return calendar_response(
        build_event_ics(event, language=_language()),
        filename=f"event-{event.id}.ics",
        cache=CachePolicy("private", current_app.config["FEED_MAX_AGE"]),
        last_modified=event.updated_dt,
        disposition="attachment",
    )


@bp.route("/events/new", methods=["GET", "POST"])
@staff_required
def new_event() -> Any:
    form = EventForm()
    _fill_choices(form)
    if form.validate_on_submit():
        event = create_event(_data_from(form), actor_id=current_user.id, now=utcnow())
        db.session.commit()
        flash(_("The event “%(title)s” is saved.", title=event.title), "success")
        return redirect(url_for("events.show_event", event_id=event.id))
    return render_template("calendar/event_form.html", form=form, event=None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_event(event_id: int) -> Any:
    event = _visible_event(event_id)
    if request.method == "GET":
        form = _loaded_form(event)
    else:
        form = EventForm()
        _fill_choices(form)
    if not form.validate_on_submit():
        return render_template("calendar/event_form.html", form=form, event=event)
    try:
        changes = update_event(
            event,
            _data_from(form),
            expected_version=form.loaded_version(),
            actor_id=current_user.id,
            now=utcnow(),
        )
        db.session.commit()
    except VersionConflictError:
        db.session.rollback()
        saved = _visible_event(event_id)
        conflict = form.merge_saved(_loaded_form(saved), version=saved.version)
        page = render_template(
            "calendar/event_form.html", form=form, event=saved, conflict=conflict
        )
        return page, 409
    if changes:
        flash(_("Your changes to the event are saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("events.show_event", event_id=event.id))


@bp.route("/events/<int:event_id>/cancel", methods=["POST"])
@staff_required
def cancel_event(event_id: int) -> Any:
    event = _visible_event(event_id)
    form = CancelEventForm()
    if not form.validate_on_submit():
        flash(_("The event was not cancelled: the reason is too long."), "error")
    else:
        try:
            cancel_event_service(
                event,
                expected_version=form.loaded_version(),
                actor_id=current_user.id,
                now=utcnow(),
                reason=form.reason.data or "",
            )
        except EventError:
            flash(_("This event is already cancelled."), "error")
        except VersionConflictError:
            db.session.rollback()
            flash(str(STALE_ACTION_MESSAGE), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "The event is cancelled. It stays in the calendar, marked as cancelled."
                ),
                "success",
            )
    return redirect(url_for("events.show_event", event_id=event.id))


@bp.route("/events/<int:event_id>/reinstate", methods=["POST"])
@staff_required
def reinstate_event(event_id: int) -> Any:
    event = _visible_event(event_id)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            reinstate_event_service(
                event,
                expected_version=form.loaded_version(),
                actor_id=current_user.id,
                now=utcnow(),
            )
        except EventError:
            flash(_("This event is not cancelled."), "error")
        except VersionConflictError:
            db.session.rollback()
            flash(str(STALE_ACTION_MESSAGE), "error")
        else:
            db.session.commit()
            flash(_("The event takes place again."), "success")
    return redirect(url_for("events.show_event", event_id=event.id))


@bp.route("/events/<int:event_id>/occurrences/cancel", methods=["POST"])
@staff_required
def cancel_occurrence(event_id: int) -> Any:
    return _change_occurrence(event_id, cancel=True)


@bp.route("/events/<int:event_id>/occurrences/restore", methods=["POST"])
@staff_required
def restore_occurrence(event_id: int) -> Any:
    return _change_occurrence(event_id, cancel=False)


def _change_occurrence(event_id: int, *, cancel: bool) -> Any:
    event = _visible_event(event_id)
    form = OccurrenceForm()
    local_start = form.local_start() if form.validate_on_submit() else None
    target = url_for("events.show_event", event_id=event.id)
    if local_start is None:
        flash(_("That date is not a date of this event."), "error")
        return redirect(target)
    change = cancel_occurrence_service if cancel else restore_occurrence_service
    try:
        change(
            event,
            local_start,
            expected_version=form.loaded_version(),
            actor_id=current_user.id,
            now=utcnow(),
        )
    except EventError:
        flash(_("That date is not a date of this event."), "error")
        return redirect(target)
    except VersionConflictError:
        db.session.rollback()
        flash(str(STALE_ACTION_MESSAGE), "error")
        return redirect(target)
    db.session.commit()
    day = _day(local_start.date())
    if cancel:
        flash(_("The meeting on %(date)s is cancelled.", date=day), "success")
    else:
        flash(_("The meeting on %(date)s takes place again.", date=day), "success")
    return redirect(target)


# --- helpers -------------------------------------------------------------------


def _visible_event(event_id: int) -> Event:
    """Return the event if the viewer may see it; 404 otherwise, so nothing leaks."""
    event = db.session.get(Event, event_id)
    if event is None or not can_see(event, audience_for(current_user)):
        abort(404)
    return event


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "nb"


def _locale() -> str:
    return str(get_locale() or "nb_NO")


def _day(value: date) -> str:
    return format_date(value, "medium")


def _local_text(value: datetime, *, all_day: bool = False) -> str:
    """Return a naive local time (an occurrence's name) as its own clock shows it."""
    if all_day:
        return _day(value.date())
    return f"{_day(value.date())}, {value:%H:%M}"


def _when(slot: Slot, zone: str) -> str:
    """Return a date of the event as the clock of `zone` shows it.

    All-day dates are named by the event's own days, wherever the reader is.
    """
    if slot.is_all_day:
        first, after = slot.local_days()
        last = (after - timedelta(days=1)).date()
        if last <= first.date():
            return _day(first.date())
        return f"{_day(first.date())} – {_day(last)}"
    start = utc_to_local(slot.start_dt, zone)
    end = utc_to_local(slot.end_dt, zone)
    if start.date() == end.date():
        return f"{format_local_datetime(slot.start_dt, zone, locale=_locale())}–{end:%H:%M}"
    return (
        f"{format_local_datetime(slot.start_dt, zone, locale=_locale())} – "
        f"{format_local_datetime(slot.end_dt, zone, locale=_locale())}"
    )


def _slot(event: Event, start_dt: datetime, end_dt: datetime) -> Slot:
    return Slot(start_dt, end_dt, is_all_day=event.is_all_day, timezone=event.timezone)


def _shown_slot(event: Event, chosen: ChosenDate | None) -> Slot:
    """Return the date the page's "When" shows: the chosen one, else the first."""
    if chosen and chosen.occurrence:
        return _slot(event, chosen.occurrence.start_dt, chosen.occurrence.end_dt)
    return _slot(event, event.start_dt, event.end_dt)


def _added_slot(
    event: Event, chosen: ChosenDate | None, upcoming: list[Occurrence]
) -> Slot | None:
    """Return the date Google and Outlook links add: one date, as they take no series.

    The chosen date of a series, else its next one (none when it is over);
    the .ics file carries the whole series.
    """
    if not event.is_recurring:
        return _slot(event, event.start_dt, event.end_dt)
    if chosen and chosen.occurrence:
        return _slot(event, chosen.occurrence.start_dt, chosen.occurrence.end_dt)
    if upcoming:
        return _slot(event, upcoming[0].start_dt, upcoming[0].end_dt)
    return None


def _described_slots(
    event: Event, chosen: ChosenDate | None, upcoming: list[Occurrence]
) -> list[Slot]:
    """Return the dates the schema.org data describes: the chosen or coming ones."""
    if chosen and chosen.occurrence:
        return [_slot(event, chosen.occurrence.start_dt, chosen.occurrence.end_dt)]
    if upcoming:
        return [_slot(event, o.start_dt, o.end_dt) for o in upcoming]
    return [_slot(event, event.start_dt, event.end_dt)]


def _back_url() -> str:
    """Return the calendar as the reader left it: `back`, else our own Referer, else /calendar."""
    return (
        calendar_return_path(request.args.get("back"))
        or referred_calendar_path(request.referrer, request.host)
        or url_for("calendar.show_calendar")
    )


def _next_occurrences(event: Event, now: datetime) -> list[Occurrence]:
    return event.occurrences_between(now, now + timedelta(days=3 * 366))[
        :NEXT_OCCURRENCES
    ]


def _fill_choices(form: EventForm) -> None:
    none = SelectChoice("0", _("None"))
    form.organiser_id.choices = [none, *organisation_options()]
    form.initiative_id.choices = [none, *initiative_options()]
    language = _language()
    themes = db.session.scalars(sa.select(Theme).order_by(Theme.slug))
    form.theme_ids.choices = [
        SelectChoice(str(theme.id), theme.name(language)) for theme in themes
    ]


def _loaded_form(event: Event) -> EventForm:
    """Return the edit form filled from the event as saved, remembering its version."""
    form = EventForm(formdata=None, **_form_values(event))
    _fill_choices(form)
    form.remember_loaded(event.version)
    return form


def _form_values(event: Event) -> dict[str, Any]:
    """Return the edit form's initial values: the event as saved, in its own zone."""
    zone = event.timezone
    start = utc_to_local(event.start_dt, zone).replace(tzinfo=None)
    end = utc_to_local(event.end_dt, zone).replace(tzinfo=None)
    if event.is_all_day:
        # The form shows the last day; the event ends at midnight after it.
        end = max(end - timedelta(days=1), start)
    rule = rule_fields(event.rrule or "")
    return {
        "title": event.title,
        "description": event.description,
        "is_all_day": event.is_all_day,
        "start": start,
        "end": end,
        "timezone": zone,
        "location": event.location,
        "organiser_id": event.organiser_id or 0,
        "initiative_id": event.initiative_id or 0,
        "theme_ids": [theme.id for theme in event.themes],
        "url": event.url,
        "visibility": event.visibility.value,
        "status": (
            EventStatus.confirmed.value if event.is_cancelled else event.status.value
        ),
        "repeat": rule.repeat,
        "interval": rule.interval,
        "weekdays": rule.weekdays,
        "monthly_by": rule.monthly_by,
        "ends": rule.ends,
        "until": rule.until,
        "count": rule.count,
        "exdates": "\n".join(
            f"{value:%Y-%m-%d}" for value in sorted(parse_exdates(event.exdates or ""))
        ),
    }


def _data_from(form: EventForm) -> EventData:
    if form.start_utc is None or form.end_utc is None:
        raise ValueError("validate() sets both times")
    return EventData(
        title=form.title.data,
        description=form.description.data or "",
        start_dt=form.start_utc,
        end_dt=form.end_utc,
        is_all_day=bool(form.is_all_day.data),
        timezone=form.timezone.data,
        location=form.location.data or "",
        organiser_id=form.organiser_id.data or None,
        initiative_id=form.initiative_id.data or None,
        theme_ids=list(form.theme_ids.data or []),
        url=form.url.data or "",
        visibility=Visibility(form.visibility.data),
        status=EventStatus(form.status.data),
        rrule=form.rrule,
        exdates=form.exdates_text,
    )
