"""The action programme's pages: the periods, each period's matrix, its print view and XLSX."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template
from flask_babel import format_date, pgettext
from flask_babel import gettext as _
from flask_login import current_user

from app.action_programme.services import (
    Matrix,
    list_periods,
    matrix_cells,
    matrix_tables,
    programme_matrix,
)
from app.core.visibility import audience_for
from app.reports.exports import build_xlsx

bp = Blueprint("action_programme", __name__, url_prefix="/action-programme")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _matrix_or_404(period: str) -> Matrix:
    matrix = programme_matrix(period, audience_for(current_user))
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


def _headings(matrix: Matrix) -> list[str]:
    # A context of their own: the matrix's words (tema, gjennomført, planlagt,
    # status per) differ from the same English words elsewhere on the site.
    return [
        pgettext("action programme matrix", "Theme"),
        pgettext("action programme matrix", "Done"),
        pgettext("action programme matrix", "Planned"),
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
        cells=matrix_cells(
            matrix, actors_label=pgettext("action programme matrix", "Actors")
        ),
    )


@bp.route("/<period>.xlsx")
def matrix_download(period: str) -> Response:
    matrix = _matrix_or_404(period)
    linked_rows = [
        [row.initiative.title, _("Visit"), visit.title, format_date(visit.arrival_dt)]
        for row in matrix.rows
        for visit in row.visits
    ] + [
        [row.initiative.title, _("Event"), event.title, format_date(event.start_dt)]
        for row in matrix.rows
        for event in row.events
    ]
    body = build_xlsx(
        matrix_tables(
            matrix,
            headings=_headings(matrix),
            actors_label=pgettext("action programme matrix", "Actors"),
            linked_title=_("Visits and events"),
            linked_headings=[
                pgettext("action programme matrix", "Theme"),
                _("Kind"),
                _("Title"),
                _("Date"),
            ],
            linked_rows=linked_rows,
        )
    )
    response = Response(body, mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="vertskap-action-programme-{period}.xlsx"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
