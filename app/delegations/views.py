"""The delegation register: list, detail, create, edit, status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.calendar.event_page import map_url, meta_description
from app.calendar.filters import FilterError
from app.core.access import staff_required
from app.core.conflicts import Conflict
from app.core.db import db, utcnow
from app.core.errors import bad_request_page
from app.core.i18n import format_local_datetime
from app.core.timezones import utc_to_local
from app.core.versioning import VersionConflictError
from app.core.visibility import Visibility, audience_for
from app.delegations.fields import visit_fields
from app.delegations.filters import FILTER_KEYS as _FILTER_KEYS
from app.delegations.filters import read_filters as _read_filters
from app.delegations.forms import (
    DIRECTION_LABELS,
    PROTOCOL_LABELS,
    STATUS_LABELS,
    DelegationForm,
    StatusForm,
    country_choices,
    country_name,
)
from app.delegations.models import (
    Delegation,
    DelegationStatus,
    Direction,
    ProtocolLevel,
)
from app.delegations.places import visit_origin, visit_place
from app.delegations.planner.clashes import clashes_for_delegation
from app.delegations.programme.services import group_items_by_day, list_programme_items
from app.delegations.services import (
    DelegationData,
    TransitionError,
    allowed_transitions,
    create_delegation,
    get_visible_delegation,
    list_delegation_years,
    list_delegations,
    list_staff_users,
    list_status_history,
    transition_delegation,
    update_delegation,
)
from app.directory.models import City, Initiative, Theme
from app.directory.services import list_organisations

bp = Blueprint("delegations", __name__, url_prefix="/visits")

#: Far beyond any real register; a forged page number cannot overflow OFFSET.
MAX_PAGE = 100_000


@bp.route("/", endpoint="list_delegations")
@login_required
def list_delegations_page() -> str:
    filters = _read_filters(request.args)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    per_page = current_app.config["PAGE_SIZE"]
    delegations, total = list_delegations(
        audience_for(current_user),
        filters=filters,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    pages = max((total + per_page - 1) // per_page, 1)
    kept = {
        key: value
        for key, value in request.args.items()
        if key != "page" and value and key in _FILTER_KEYS
    }
    return render_template(
        "delegations/list.html",
        delegations=delegations,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        kept=kept,
        years=list_delegation_years(),
        countries=country_choices()[1:],
        initiatives=_initiatives(),
        organisations=list_organisations(),
        country_name=country_name,
    )


@bp.route("/<int:delegation_id>")
def show_delegation(delegation_id: int) -> str:
    """Show a visit: its facts (staff fields for staff only) and its programme.

    Anyone who may see the visit sees the programme items they may see, each
    at its own anchor (`#item-<id>`), where the calendar links to.
    """
    audience = audience_for(current_user)
    delegation = get_visible_delegation(delegation_id, audience)
    is_staff = current_user.is_authenticated and current_user.is_staff
    zone = delegation.timezone
    place = visit_place(delegation).text(country_name)
    origin = visit_origin(delegation)
    origin_text = origin.text(country_name) if origin else ""
    return render_template(
        "delegations/show.html",
        delegation=delegation,
        visit_fields=visit_fields(audience),
        active_tab="overview",
        history=list_status_history(delegation) if is_staff else [],
        transitions=allowed_transitions(delegation) if is_staff else [],
        status_form=StatusForm(),
        country_name=country_name,
        in_visit_zone=lambda instant: _in_zone(instant, zone),
        place=place,
        origin=origin_text,
        days=group_items_by_day(list_programme_items(delegation, audience), zone),
        time_of=lambda instant: format_time(
            utc_to_local(instant, zone), "short", rebase=False
        ),
        day_of=lambda day: format_date(day, "full"),
        map_url=map_url,
        page_description=_visit_description(delegation, place, origin_text),
    )


def _visit_description(delegation: Delegation, place: str, origin: str) -> str:
    """Return the page's description for search engines: dates, place, origin."""
    zone = delegation.timezone
    first = utc_to_local(delegation.arrival_dt, zone).date()
    last = utc_to_local(delegation.departure_dt, zone).date()
    dates = format_date(first, "medium")
    if last != first:
        dates = f"{dates} – {format_date(last, 'medium')}"
    if origin:
        text = _(
            "%(dates)s in %(place)s: a delegation from %(origin)s, and the programme of its visit.",
            dates=dates,
            place=place,
            origin=origin,
        )
    else:
        text = _(
            "%(dates)s in %(place)s: the visit and its programme.",
            dates=dates,
            place=place,
        )
    return meta_description(text)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new_delegation() -> Any:
    form = DelegationForm()
    _fill_choices(form)
    if request.method == "GET":
        form.host_contact_id.data = current_user.id
    if form.validate_on_submit():
        delegation = create_delegation(
            _data_from(form), actor=current_user, now=utcnow()
        )
        clashes = clashes_for_delegation(delegation)
        db.session.commit()
        flash(
            _("The visit “%(title)s” is registered.", title=delegation.title), "success"
        )
        for clash in clashes:
            flash(clash.message, "warning")
        return redirect(
            url_for("delegations.show_delegation", delegation_id=delegation.id)
        )
    return render_template("delegations/edit.html", form=form, delegation=None)


@bp.route("/<int:delegation_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_delegation(delegation_id: int) -> Any:
    delegation = get_visible_delegation(delegation_id, audience_for(current_user))
    if request.method == "GET":
        form = _loaded_form(delegation)
    else:
        form = DelegationForm()
        _fill_choices(form)
    if not form.validate_on_submit():
        return _edit_page(form, delegation)
    try:
        update_delegation(
            delegation,
            _data_from(form),
            expected_version=form.loaded_version(),
            actor=current_user,
            now=utcnow(),
        )
        clashes = clashes_for_delegation(delegation)
        db.session.commit()
    except VersionConflictError:
        db.session.rollback()
        saved = get_visible_delegation(delegation_id, audience_for(current_user))
        conflict = form.merge_saved(_loaded_form(saved), version=saved.version)
        return _edit_page(form, saved, conflict=conflict), 409
    flash(_("Your changes to the visit are saved."), "success")
    for clash in clashes:
        flash(clash.message, "warning")
    return redirect(url_for("delegations.show_delegation", delegation_id=delegation.id))


@bp.route("/<int:delegation_id>/status", methods=["POST"])
@staff_required
def change_status(delegation_id: int) -> Any:
    delegation = get_visible_delegation(delegation_id, audience_for(current_user))
    form = StatusForm()
    target = url_for("delegations.show_delegation", delegation_id=delegation.id)
    if not form.validate_on_submit():
        flash(_("The status was not changed: %(why)s", why=_first_error(form)), "error")
        return redirect(target)
    to = DelegationStatus(form.to.data)
    try:
        transition_delegation(
            delegation,
            to=to,
            actor=current_user,
            comment=form.comment.data or "",
            now=utcnow(),
        )
    except TransitionError:
        flash(
            _(
                "A visit that is %(current)s cannot become %(to)s.",
                current=STATUS_LABELS[delegation.status],
                to=STATUS_LABELS[to],
            ),
            "error",
        )
        return redirect(target)
    db.session.commit()
    flash(_("The visit is now %(status)s.", status=STATUS_LABELS[to]), "success")
    return redirect(target)


def _initiatives() -> list[Initiative]:
    return list(db.session.scalars(sa.select(Initiative).order_by(Initiative.title)))


def _fill_choices(form: DelegationForm) -> None:
    none = SelectChoice("0", _("None"))
    cities = db.session.scalars(sa.select(City).order_by(City.name)).all()
    form.city_id.choices = [none] + [
        SelectChoice(str(city.id), f"{city.name} ({city.country})") for city in cities
    ]
    form.host_contact_id.choices = [none] + [
        SelectChoice(str(user.id), user.name) for user in list_staff_users()
    ]
    organisations = list_organisations()
    form.host_organisation_id.choices = [none] + [
        SelectChoice(str(org.id), org.label) for org in organisations
    ]
    form.co_host_ids.choices = [
        SelectChoice(str(org.id), org.label) for org in organisations
    ]
    form.initiative_id.choices = [none] + [
        SelectChoice(str(i.id), i.title) for i in _initiatives()
    ]
    language = current_user.locale if current_user.is_authenticated else "nb"
    themes = db.session.scalars(sa.select(Theme).order_by(Theme.slug)).all()
    form.theme_ids.choices = [
        SelectChoice(str(theme.id), theme.name(language)) for theme in themes
    ]


def _edit_page(
    form: DelegationForm, delegation: Delegation, *, conflict: Conflict | None = None
) -> str:
    return render_template(
        "delegations/edit.html",
        form=form,
        delegation=delegation,
        conflict=conflict,
        active_tab="overview",
    )


def _loaded_form(delegation: Delegation) -> DelegationForm:
    """Return the edit form filled from the visit as saved, remembering its version."""
    form = DelegationForm(formdata=None, **_form_values(delegation))
    _fill_choices(form)
    form.remember_loaded(delegation.version)
    return form


def _form_values(delegation: Delegation) -> dict[str, Any]:
    """Return the edit form's initial values: the visit as saved, in its own zone."""
    zone = delegation.timezone
    return {
        "direction": delegation.direction.value,
        "title": delegation.title,
        "city_id": delegation.city_id or 0,
        "country": delegation.country,
        "foreign_organisations": delegation.foreign_organisations,
        "head_of_delegation": delegation.head_of_delegation,
        "protocol_level": delegation.protocol_level.value,
        "size": delegation.size,
        "arrival": utc_to_local(delegation.arrival_dt, zone).replace(tzinfo=None),
        "departure": utc_to_local(delegation.departure_dt, zone).replace(tzinfo=None),
        "timezone": zone,
        "visibility": delegation.visibility.value,
        "host_contact_id": delegation.host_contact_id or 0,
        "host_organisation_id": delegation.host_organisation_id or 0,
        "co_host_ids": [org.id for org in delegation.co_hosts],
        "initiative_id": delegation.initiative_id or 0,
        "theme_ids": [theme.id for theme in delegation.themes],
        "languages": delegation.languages,
        "needs_interpreter": delegation.needs_interpreter,
        "cost_bearer": delegation.cost_bearer,
        "budget_nok": delegation.budget_nok,
        "notes": delegation.notes,
    }


def _data_from(form: DelegationForm) -> DelegationData:
    if form.arrival_utc is None or form.departure_utc is None:
        raise ValueError("validate() sets both times")
    return DelegationData(
        direction=Direction(form.direction.data),
        title=form.title.data,
        country=form.country.data,
        protocol_level=ProtocolLevel(form.protocol_level.data),
        arrival_dt=form.arrival_utc,
        departure_dt=form.departure_utc,
        timezone=form.timezone.data,
        city_id=form.city_id.data or None,
        foreign_organisations=form.foreign_organisations.data or "",
        head_of_delegation=form.head_of_delegation.data or "",
        size=form.size.data,
        visibility=Visibility(form.visibility.data),
        host_contact_id=form.host_contact_id.data or None,
        host_organisation_id=form.host_organisation_id.data or None,
        initiative_id=form.initiative_id.data or None,
        languages=form.languages.data or "",
        needs_interpreter=bool(form.needs_interpreter.data),
        cost_bearer=form.cost_bearer.data or "",
        budget_nok=form.budget_nok.data,
        notes=form.notes.data or "",
        co_host_ids=list(form.co_host_ids.data or []),
        theme_ids=list(form.theme_ids.data or []),
    )


def _in_zone(instant: datetime, zone: str) -> str:
    """Return a time as the visit's own clock shows it, in the viewer's language."""
    return format_local_datetime(instant, zone, locale=str(get_locale() or "nb_NO"))


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return ""


@bp.errorhandler(FilterError)
def _unknown_filter(error: FilterError) -> tuple[str, int]:
    """Say which initiative or host names nothing, rather than list every visit."""
    return bad_request_page(str(error))


@bp.record_once
def _share_labels(state: Any) -> None:
    """Give every template and e-mail the register's translated enum names (one source).

    Jinja globals, not context, so the macros in delegations/_labels.html see them
    when imported without context.
    """
    state.app.jinja_env.globals.update(
        visit_status_labels=STATUS_LABELS,
        visit_direction_labels=DIRECTION_LABELS,
        protocol_labels=PROTOCOL_LABELS,
        country_label=country_name,
    )
