"""The action programme's pages: the periods, each period's matrix, its print view and XLSX.

The office (admins) edits a row's cells and adds rows; anyone reads the
matrix at any past status date and compares two of them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
from flask_babel import format_date, pgettext
from flask_babel import gettext as _
from flask_login import current_user

from app.action_programme.forms import NewThemeForm, ThemeForm
from app.action_programme.services import (
    LINKED_LIMIT,
    Matrix,
    ThemeData,
    compare_status,
    create_theme,
    get_theme,
    linked_items,
    list_periods,
    matrix_cells,
    matrix_tables,
    programme_matrix,
    status_dates,
    update_theme,
)
from app.core.access import admin_required
from app.core.conflicts import Conflict
from app.core.db import db, utcnow
from app.core.timezones import utc_to_local
from app.core.versioning import VersionConflictError
from app.core.visibility import audience_for
from app.directory.models import Initiative
from app.reports.exports import build_xlsx

bp = Blueprint("action_programme", __name__, url_prefix="/action-programme")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day_arg(name: str) -> date | None:
    """Return the query string's ISO date `name`, None when absent; 400 when malformed."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


def _matrix_or_404(period: str, *, linked_limit: int = LINKED_LIMIT) -> Matrix:
    matrix = programme_matrix(
        period,
        audience_for(current_user),
        as_of=_day_arg("as_of"),
        linked_limit=linked_limit,
    )
    if matrix is None:
        abort(404)
    return matrix


def _status_heading(as_of: date | None) -> str:
    if as_of is None:
        return pgettext("action programme matrix", "Status")
    return pgettext(
        "action programme matrix",
        "Status as of %(date)s",
        date=format_date(as_of, "short"),
    )


def _cell_labels() -> dict[str, str]:
    """Return the matrix's column words by cell name.

    A context of their own: the matrix's words (tema, gjennomført, planlagt,
    status per) differ from the same English words elsewhere on the site.
    """
    return {
        "theme": pgettext("action programme matrix", "Theme"),
        "actors": pgettext("action programme matrix", "Actors"),
        "done": pgettext("action programme matrix", "Done"),
        "planned": pgettext("action programme matrix", "Planned"),
        "status": pgettext("action programme matrix", "Status"),
    }


def _headings(matrix: Matrix) -> list[str]:
    labels = _cell_labels()
    return [
        labels["theme"],
        labels["done"],
        labels["planned"],
        _status_heading(matrix.status_as_of),
    ]


@bp.route("/")
def list_programmes() -> str:
    return render_template("action_programme/index.html", periods=list_periods())


@bp.route("/<period>")
def show_matrix(period: str) -> str:
    matrix = _matrix_or_404(period)
    return render_template(
        "action_programme/matrix.html",
        matrix=matrix,
        headings=_headings(matrix),
        cells=matrix_cells(matrix, actors_label=_cell_labels()["actors"]),
        status_dates=status_dates(period),
    )


@bp.route("/<period>.xlsx")
def matrix_download(period: str) -> Response:
    # The linked items come from their own column query: the matrix needs none.
    matrix = _matrix_or_404(period, linked_limit=0)
    kinds = {"visit": _("Visit"), "event": _("Event")}
    linked_rows: list[list[Any]] = [
        [
            item.theme,
            kinds[item.kind],
            item.title,
            utc_to_local(item.start_dt, item.timezone).date(),
        ]
        for item in linked_items(period, audience_for(current_user))
    ]
    body = build_xlsx(
        matrix_tables(
            matrix,
            headings=_headings(matrix),
            actors_label=_cell_labels()["actors"],
            linked_title=_("Visits and events"),
            linked_headings=[
                _cell_labels()["theme"],
                _("Kind"),
                _("Title"),
                _("Date"),
            ],
            linked_rows=linked_rows,
        )
    )
    response = Response(body, mimetype=XLSX_TYPE)
    suffix = f"-{matrix.as_of.isoformat()}" if matrix.as_of else ""
    response.headers["Content-Disposition"] = (
        f'attachment; filename="vertskap-action-programme-{period}{suffix}.xlsx"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<period>/compare")
def compare(period: str) -> str:
    """Show every theme at two status dates side by side, with the changes marked."""
    dates = status_dates(period)
    if not dates:
        abort(404)
    earlier = _day_arg("from") or (dates[1] if len(dates) > 1 else dates[0])
    later = _day_arg("to") or dates[0]
    if later < earlier:
        earlier, later = later, earlier
    return render_template(
        "action_programme/compare.html",
        period=period,
        dates=dates,
        earlier=earlier,
        later=later,
        rows=compare_status(period, earlier, later),
        cell_labels=_cell_labels(),
    )


def _theme_or_404(period: str, slug: str) -> Initiative:
    initiative = get_theme(period, slug)
    if initiative is None:
        abort(404)
    return initiative


def _data_from(form: ThemeForm) -> ThemeData:
    return ThemeData(
        title=form.title.data or "",
        actors=form.actors.data or "",
        done=form.done.data or "",
        planned=form.planned.data or "",
        status=form.status.data or "",
        status_as_of=form.status_as_of.data,  # validated as required
    )


def _today() -> date:
    return utc_to_local(utcnow(), current_app.config["TIMEZONE"]).date()


@bp.route("/<period>/themes/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit_theme(period: str, slug: str) -> Any:
    initiative = _theme_or_404(period, slug)
    form = _loaded_form(initiative) if request.method == "GET" else ThemeForm()
    form.current_as_of = initiative.status_as_of
    if not form.validate_on_submit():
        return _edit_page(form, initiative, status=400 if form.errors else 200)
    try:
        update_theme(
            initiative,
            _data_from(form),
            expected_version=form.loaded_version(),
            actor_id=current_user.id,
            now=utcnow(),
        )
        db.session.commit()
    except VersionConflictError:
        db.session.rollback()
        saved = _theme_or_404(period, slug)
        form.current_as_of = saved.status_as_of
        conflict = form.merge_saved(_loaded_form(saved), version=saved.version)
        return _edit_page(form, saved, status=409, conflict=conflict)
    flash(_("The theme “%(theme)s” is saved.", theme=initiative.title), "success")
    return redirect(
        url_for("action_programme.show_matrix", period=period, _anchor=f"theme-{slug}")
    )


def _edit_page(
    form: ThemeForm,
    initiative: Initiative,
    *,
    status: int = 200,
    conflict: Conflict | None = None,
) -> tuple[str, int]:
    return (
        render_template(
            "action_programme/edit.html",
            form=form,
            initiative=initiative,
            conflict=conflict,
        ),
        status,
    )


def _loaded_form(initiative: Initiative) -> ThemeForm:
    """Return the edit form filled from the row as saved, remembering its version."""
    form = ThemeForm(formdata=None, obj=initiative)
    if form.status_as_of.data is None:
        form.status_as_of.data = _today()
    form.remember_loaded(initiative.version)
    return form


@bp.route("/themes/new", methods=["GET", "POST"])
@admin_required
def new_theme() -> Any:
    if request.method == "GET":
        form = NewThemeForm(
            formdata=None,
            programme_period=request.args.get("period", "").strip(),
            status_as_of=_today(),
        )
    else:
        form = NewThemeForm()
    if not form.validate_on_submit():
        return (
            render_template(
                "action_programme/new.html", form=form, periods=list_periods()
            ),
            400 if form.errors else 200,
        )
    period = form.programme_period.data or ""
    initiative = create_theme(
        period, _data_from(form), actor_id=current_user.id, now=utcnow()
    )
    db.session.commit()
    flash(_("The theme “%(theme)s” is added.", theme=initiative.title), "success")
    return redirect(
        url_for(
            "action_programme.show_matrix",
            period=period,
            _anchor=f"theme-{initiative.slug}",
        )
    )
