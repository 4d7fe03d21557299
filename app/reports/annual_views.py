"""The annual report's pages: the current year, one year's report and its workbook.

Public: every reader gets the same page, counting what they may see
(anonymous readers count public items only).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.core.db import utcnow
from app.core.visibility import audience_for
from app.reports.annual.model import FIRST_YEAR, LAST_YEAR, AnnualReport
from app.reports.annual.report import annual_report, report_years
from app.reports.exports import Table, build_xlsx

bp = Blueprint("annual_report", __name__, url_prefix="/reports/annual")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zone() -> str:
    return str(current_app.config["TIMEZONE"])


def _report_or_404(year: int) -> AnnualReport:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return annual_report(year, audience_for(current_user), zone=_zone())


@bp.route("")
def current_report() -> BaseResponse:
    """Redirect to the year asked for by the year picker, else to the current year."""
    year = request.args.get("year", type=int)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        year = utcnow().astimezone(ZoneInfo(_zone())).year
    return redirect(url_for("annual_report.show_report", year=year))


@bp.route("/<int:year>")
def show_report(year: int) -> str:
    report = _report_or_404(year)
    years = report_years(report.audience, now=utcnow(), zone=_zone())
    if year not in years:
        years = sorted([*years, year])
    return render_template(
        "reports/annual.html",
        report=report,
        years=years,
        previous_year=year - 1 if year > FIRST_YEAR else None,
        next_year=year + 1 if year < LAST_YEAR else None,
        number=format_decimal,
    )


@bp.route("/<int:year>.xlsx")
def download_report(year: int) -> Response:
    """Send the report as a workbook: one sheet per table, the page's numbers."""
    report = _report_or_404(year)
    tables = [
        Table(
            title=table.title,
            headers=[table.label_heading, *table.value_headings],
            rows=[[row.label, *row.values] for row in table.rows],
        )
        for table in report.tables
    ]
    response = Response(build_xlsx(tables), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="vertskap-annual-report-{year}.xlsx"'
    )
    # What is counted depends on who asks.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response
