"""The practice report as a page (outcomes by clinician, open flags, conflicts) and as the PDF
`paperfit report` prints."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from paperfit.desk import security
from paperfit.desk.context import scoring, store
from paperfit.desk.security import roles
from paperfit.forms.outcomes import open_flags, practice_outcomes
from paperfit.record_pages import report_pdf, scored_reading

blueprint = Blueprint("report", __name__)
READERS = ("clinician", "manager")


@blueprint.route("/report")
@roles(*READERS)
def report() -> str:
    reading, scored = scored_reading(store(), scoring(), None)
    outcomes = practice_outcomes(scored, reading.clients, scoring().thresholds)
    dates = sorted(e.form.date for e in scored if e.form.date is not None)
    return render_template(
        "desk/report.html",
        groups=[outcomes.whole, *outcomes.by_clinician],
        flags=open_flags(scored, reading.clients),
        conflicts=[p for p in reading.problems if p.severity != "error"],
        first=dates[0] if dates else None,
        last=dates[-1] if dates else None,
        forms=len(scored),
        thresholds=scoring().thresholds,
    )


@blueprint.route("/report.pdf")
@roles(*READERS)
def report_file() -> Response:
    desk = security.config()
    data = report_pdf(store(), scoring(), desk.settings, desk.language, desk.today())
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="report.pdf"'},
    )
