"""Visit programme editor, copying a programme, and the printable programme."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.core.access import staff_required
from app.core.conflicts import Conflict, commit_unless_stale
from app.core.db import db, utcnow
from app.core.i18n import LOCALES, babel_locale
from app.core.timezones import utc_to_local
from app.core.versioning import VersionConflictError
from app.core.visibility import Audience, audience_for
from app.delegations.models import Delegation, ProgrammeItem
from app.delegations.places import visit_origin, visit_place
from app.delegations.planner.clashes import clashes_for_item
from app.delegations.programme.forms import (
    CopyProgrammeForm,
    DeleteItemForm,
    ProgrammeItemForm,
)
from app.delegations.programme.services import (
    add_programme_item,
    copy_programme,
    delete_programme_item,
    get_programme_item,
    group_items_by_day,
    list_copy_sources,
    list_officials,
    list_programme_items,
    list_responsible_organisations,
    list_venues,
    update_programme_item,
)
from app.delegations.services import get_visible_delegation

bp = Blueprint("programme", __name__, url_prefix="/visits")


def _local(instant: datetime, zone: str) -> datetime:
    """Return the wall time of `instant` in `zone`."""
    return utc_to_local(instant, zone)


def _formatters(zone: str) -> dict[str, Any]:
    """Return template helpers writing times in the visit's zone, not the viewer's."""
    return {
        "time_of": lambda instant: format_time(
            _local(instant, zone), "short", rebase=False
        ),
        "day_of": lambda day: format_date(day, "full"),
        "date_of": lambda instant: format_date(_local(instant, zone), "medium"),
    }


def _item_form(
    item: ProgrammeItem | None, zone: str, *, saved: bool = False
) -> ProgrammeItemForm:
    """Return the item form: as posted, or filled from `item` on a GET (or when `saved`)."""
    form = ProgrammeItemForm(formdata=None) if saved else ProgrammeItemForm()
    form.venue_id.choices = [SelectChoice("0", _("No venue"))] + [
        SelectChoice(str(venue.id), venue.name) for venue in list_venues()
    ]
    form.responsible_organisation_id.choices = [SelectChoice("0", _("None"))] + [
        SelectChoice(str(org.id), org.label) for org in list_responsible_organisations()
    ]
    form.official_ids.choices = [
        SelectChoice(str(official.id), _official_label(official))
        for official in list_officials()
    ]
    if saved or request.method == "GET":
        if item is None:
            form.venue_id.data = 0
            form.responsible_organisation_id.data = 0
            form.visibility.data = "internal"
        else:
            form.title.data = item.title
            form.start.data = _local(item.start_dt, zone).replace(tzinfo=None)
            form.end.data = _local(item.end_dt, zone).replace(tzinfo=None)
            form.venue_id.data = item.venue_id or 0
            form.location.data = item.location
            form.responsible_organisation_id.data = (
                item.responsible_organisation_id or 0
            )
            form.responsible_person.data = item.responsible_person
            form.official_ids.data = [official.id for official in item.officials]
            form.description.data = item.description
            form.visibility.data = item.visibility.value
            form.remember_loaded(item.version)
    return form


def _official_label(official: Any) -> str:
    return f"{official.name}, {official.title}" if official.title else official.name


def _copy_form(delegation: Delegation) -> CopyProgrammeForm:
    form = CopyProgrammeForm(prefix="copy")
    form.source_id.choices = [SelectChoice("", _("Choose a visit"))] + [
        SelectChoice(str(source.id), source.title)
        for source in list_copy_sources(delegation)
    ]
    return form


def _flash_clashes(item: ProgrammeItem) -> None:
    for clash in clashes_for_item(item):
        flash(clash.message, "warning")


def _render_programme(
    delegation: Delegation,
    *,
    item_form: ProgrammeItemForm | None = None,
    copy_form: CopyProgrammeForm | None = None,
    status: int = 200,
) -> Any:
    audience = audience_for(current_user)
    items = list_programme_items(delegation, audience)
    is_staff = audience is Audience.staff
    if is_staff:
        item_form = item_form or _item_form(None, delegation.timezone)
        copy_form = copy_form or _copy_form(delegation)
    return (
        render_template(
            "delegations/programme/programme.html",
            delegation=delegation,
            active_tab="programme",
            days=group_items_by_day(items, delegation.timezone),
            is_staff=is_staff,
            form=item_form,
            copy_form=copy_form,
            **_formatters(delegation.timezone),
        ),
        status,
    )


@bp.route("/<int:delegation_id>/programme", methods=["GET", "POST"])
@login_required
def edit_programme(delegation_id: int):
    delegation = get_visible_delegation(delegation_id, audience_for(current_user))
    if request.method == "GET":
        return _render_programme(delegation)
    if not current_user.is_staff:
        abort(403)
    form = _item_form(None, delegation.timezone)
    data = form.item_data(delegation.timezone) if form.validate_on_submit() else None
    if data is None:
        return _render_programme(delegation, item_form=form, status=422)
    item = add_programme_item(delegation, data, actor_id=current_user.id, now=utcnow())
    db.session.commit()
    flash(_("“%(title)s” is added to the programme.", title=item.title), "success")
    _flash_clashes(item)
    return redirect(url_for("programme.edit_programme", delegation_id=delegation.id))


@bp.route("/<int:delegation_id>/programme/<int:item_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_item(delegation_id: int, item_id: int):
    delegation = get_visible_delegation(delegation_id, audience_for(current_user))
    item = get_programme_item(delegation, item_id)
    zone = delegation.timezone
    form = _item_form(item, zone)
    data = form.item_data(zone) if form.validate_on_submit() else None
    if data is None:
        status = 422 if request.method == "POST" else 200
        return _edit_item_page(delegation, item, form), status
    try:
        update_programme_item(
            item,
            data,
            expected_version=form.loaded_version(),
            actor_id=current_user.id,
            now=utcnow(),
        )
        db.session.commit()
    except VersionConflictError:
        db.session.rollback()
        saved = get_programme_item(delegation, item_id)
        conflict = form.merge_saved(
            _item_form(saved, zone, saved=True), version=saved.version
        )
        return _edit_item_page(delegation, saved, form, conflict=conflict), 409
    flash(_("Changes to “%(title)s” are saved.", title=item.title), "success")
    _flash_clashes(item)
    return redirect(url_for("programme.edit_programme", delegation_id=delegation.id))


def _edit_item_page(
    delegation: Delegation,
    item: ProgrammeItem,
    form: ProgrammeItemForm,
    *,
    conflict: Conflict | None = None,
) -> str:
    return render_template(
        "delegations/programme/edit_item.html",
        delegation=delegation,
        active_tab="programme",
        item=item,
        form=form,
        conflict=conflict,
    )


@bp.route("/<int:delegation_id>/programme/<int:item_id>/delete", methods=["GET"])
@staff_required
def confirm_delete_item(delegation_id: int, item_id: int):
    delegation = get_visible_delegation(delegation_id, audience_for(current_user))
    item = get_programme_item(delegation, item_id)
    return render_template(
        "delegations/programme/delete_item.html",
        delegation=delegation,
        active_tab="programme",
        item=item,
        form=DeleteItemForm(),
        **_formatters(delegation.timezone),
    )


@bp.route("/<int:delegation_id>/programme/<int:item_id>/delete", methods=["POST"])
@staff_required
def delete_item(delegation_id: int, item_id: int):
    delegation = get_visible_delegation(delegation_id, audience_for(current_user))
    item = get_programme_item(delegation, item_id)
    form = DeleteItemForm()
    confirm_page = url_for(
        "programme.confirm_delete_item", delegation_id=delegation.id, item_id=item.id
    )
    if not form.validate_on_submit():
        flash(_("The form expired. Please submit it again."), "error")
        return redirect(confirm_page)
    title = item.title
    if not commit_unless_stale(
        lambda: delete_programme_item(
            item,
            expected_version=form.loaded_version(),
            actor_id=current_user.id,
            now=utcnow(),
        )
    ):
        return redirect(confirm_page)
    flash(_("“%(title)s” is deleted from the programme.", title=title), "success")
    return redirect(url_for("programme.edit_programme", delegation_id=delegation.id))


@bp.route(
    "/<int:delegation_id>/programme/copy", methods=["POST"], endpoint="copy_programme"
)
@staff_required
def copy_programme_view(delegation_id: int):
    delegation = get_visible_delegation(delegation_id, audience_for(current_user))
    form = _copy_form(delegation)
    if not form.validate_on_submit():
        return _render_programme(delegation, copy_form=form, status=422)
    source = db.session.get(Delegation, form.source_id.data) or abort(404)
    result = copy_programme(delegation, source, actor_id=current_user.id, now=utcnow())
    db.session.commit()
    flash(
        _(
            "%(count)d items copied from “%(title)s”.",
            count=len(result.copied),
            title=source.title,
        ),
        "success",
    )
    for skipped in result.skipped:
        values = {
            "title": skipped.title,
            "time": skipped.local_start.strftime("%Y-%m-%d %H:%M"),
            "zone": delegation.timezone,
        }
        if skipped.kind == "ambiguous":
            message = _(
                "“%(title)s” was not copied: %(time)s happens twice in %(zone)s. Add it by hand.",
                **values,
            )
        else:
            message = _(
                "“%(title)s” was not copied: %(time)s does not exist in %(zone)s. Add it by hand.",
                **values,
            )
        flash(message, "warning")
    return redirect(url_for("programme.edit_programme", delegation_id=delegation.id))


@bp.route("/<int:delegation_id>/programme/print")
def print_programme(delegation_id: int):
    audience = audience_for(current_user)
    delegation = get_visible_delegation(delegation_id, audience)
    lang = request.args.get("lang", "")
    if lang not in LOCALES:
        lang = str(current_user.locale) if current_user.is_authenticated else "nb"
    items = list_programme_items(delegation, audience)
    with force_locale(babel_locale(lang)):
        territories = get_locale().territories

        def country_name(code: str) -> str:
            return str(territories.get(code, code))

        origin = visit_origin(delegation)
        return render_template(
            "delegations/programme/print.html",
            delegation=delegation,
            days=group_items_by_day(items, delegation.timezone),
            lang=lang,
            is_staff=False,
            # Where the visit takes place; an incoming delegation's own city is its origin.
            place=visit_place(delegation).text(country_name),
            origin=origin.text(country_name) if origin else "",
            **_formatters(delegation.timezone),
        )
