"""Evaluation reports: a course lead's report for the launched course and toolkit, its CSV, and the
SWOTT team's report across councils (through the operator's signed link, as the operator page).

Every figure comes from `services.evaluation.reports`, which shows nothing for fewer than 5 respondents.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup

from lti_tool import web
from lti_tool.access import facilitator_required
from lti_tool.access import operator_from_link as operator_name
from lti_tool.branding import usable_brand_colour
from lti_tool.clock import now
from lti_tool.errors import NotFound
from lti_tool.i18n import _l
from lti_tool.lti.session import launch_url_for, require_launch
from lti_tool.models import ProgrammeRun
from lti_tool.services import registry
from lti_tool.services.evaluation import chart, programme_reports, reports
from lti_tool.services.evaluation.feedback import USEFULNESS_SCALE
from lti_tool.services.programmes import runs, templates
from lti_tool.words import N_
from toolkits.model import CONFIDENCE_SCALE, Toolkit
from toolkits.programmes import Programme

bp = Blueprint("evaluation_reports", __name__, url_prefix="/evaluation")


# The scales' words in the page's language (the scales themselves, in English, are toolkits.model's and
# services.evaluation.feedback's: the stored answers and the CSV keep them).
SCALE_WORDS = {
    "Not at all confident": _l("Not at all confident"),
    "A little confident": _l("A little confident"),
    "Fairly confident": _l("Fairly confident"),
    "Confident": _l("Confident"),
    "Very confident": _l("Very confident"),
    "Not at all useful": _l("Not at all useful"),
    "A little useful": _l("A little useful"),
    "Fairly useful": _l("Fairly useful"),
    "Useful": _l("Useful"),
    "Very useful": _l("Very useful"),
}


def _words(scale: tuple[str, ...]) -> list[str]:
    return [str(SCALE_WORDS.get(label, label)) for label in scale]


def _values(report: reports.Report) -> dict[str, object]:
    return {
        "report": report,
        "toolkit": report.toolkit,
        "title": report.title,
        "scale": _words(CONFIDENCE_SCALE),
        "usefulness_scale": _words(USEFULNESS_SCALE),
        "not_enough": gettext("Not enough responses to show"),
        "min_group": reports.MIN_GROUP,
        "rate": reports.response_rate,
        "chart": Markup(chart.before_after_svg(report.outcomes)) if report.outcomes else "",
    }


def _course_report() -> tuple[reports.Report, str]:
    launch = require_launch()
    toolkit = web.catalogue().get(launch.toolkit_id)
    if toolkit is None:
        raise NotFound("This toolkit is no longer available.", reason="toolkit_gone")
    return reports.build(web.db_session(), toolkit=toolkit, context_ids=[launch.context_id]), launch.toolkit_id


@bp.get("/report")
@facilitator_required
def course_report() -> ResponseReturnValue:
    report, _ = _course_report()
    launch = require_launch()
    platform = registry.platform_by_id(web.db_session(), launch.platform_id)
    return render_template(
        "evaluation/report.html",
        scope=gettext("this course"),
        heading=gettext("Evaluation report for this course"),
        learners_label=gettext("Learners in this course"),
        csv_url=launch_url_for("evaluation_reports.course_csv", launch),
        brand_colour=usable_brand_colour(platform.brand_colour if platform else ""),
        **_values(report),
    )


@bp.get("/report.csv")
@facilitator_required
def course_csv() -> ResponseReturnValue:
    report, toolkit_id = _course_report()
    return Response(
        reports.to_csv(report, gettext),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="evaluation-{toolkit_id}.csv"'},
    )


@bp.get("/operator")
def operator_report() -> ResponseReturnValue:
    """Every council together, per toolkit, with the same threshold; and each council's own line."""
    operator_name()  # the signed operator link, or the operator page's plain refusal
    session = web.db_session()
    toolkits: list[Toolkit] = [t for t in web.catalogue() if t.questionnaire is not None]
    wanted = request.args.get("toolkit", "")
    chosen = next((t for t in toolkits if t.id == wanted), toolkits[0] if toolkits else None)
    if chosen is None:
        raise NotFound(N_("No toolkit has a questionnaire."), reason="no_questionnaire")
    report = reports.build(session, toolkit=chosen, context_ids=reports.all_context_ids(session, chosen.id))
    return render_template(
        "evaluation/operator.html",
        learners_label=gettext("Learners in every council"),
        toolkits=toolkits,
        token=request.args.get("token", ""),
        councils=reports.by_council(session, toolkit=chosen),
        **_values(report),
    )


# --- A cohort (one programme run) and a programme (every run of a template in this council) ---------------


def _programme(template_id: str) -> Programme:
    programme = templates.get(web.catalogue(), template_id)
    if programme is None or programme.questionnaire is None:
        raise NotFound(N_("This programme has no questionnaire."), reason="no_questionnaire")
    return programme


def _cohort_report(run_id: int) -> tuple[reports.Report, ProgrammeRun]:
    launch = require_launch()
    session = web.db_session()
    run = runs.get_run(session, run_id, context_id=launch.context_id)
    programme = _programme(run.template_id)
    return programme_reports.build(session, programme=programme, runs=[run], now=now()), run


def _programme_report(template_id: str) -> reports.Report:
    launch = require_launch()
    session = web.db_session()
    programme = _programme(template_id)
    found = programme_reports.runs_of_template(session, platform_id=launch.platform_id, template_id=template_id)
    # A lead sees a programme's report only where it runs in their own course as well.
    if not any(r.context_id == launch.context_id for r in found):
        raise NotFound("This programme does not run in this course.", reason="programme_not_here")
    return programme_reports.build(session, programme=programme, runs=found, now=now())


def _csv(report: reports.Report, name: str) -> ResponseReturnValue:
    return Response(reports.to_csv(report, gettext), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="evaluation-{name}.csv"'})  # fmt: skip


@bp.get("/cohort/<int:run_id>")
@facilitator_required
def cohort_report(run_id: int) -> ResponseReturnValue:
    report, run = _cohort_report(run_id)
    launch = require_launch()
    return render_template(
        "evaluation/report.html",
        scope=gettext("this cohort"),
        heading=gettext("Evaluation report for one cohort: %(cohort)s", cohort=run.cohort_name),
        csv_url=launch_url_for("evaluation_reports.cohort_csv", launch, run_id=run.id),
        other_url=launch_url_for("evaluation_reports.programme_report", launch, template_id=run.template_id),
        other_text=gettext("The report for every cohort of this programme"),
        brand_colour=_brand(),
        **_values(report),
    )


@bp.get("/cohort/<int:run_id>.csv")
@facilitator_required
def cohort_csv(run_id: int) -> ResponseReturnValue:
    report, run = _cohort_report(run_id)
    return _csv(report, f"cohort-{run.id}")


@bp.get("/programme/<template_id>")
@facilitator_required
def programme_report(template_id: str) -> ResponseReturnValue:
    report = _programme_report(template_id)
    launch = require_launch()
    return render_template(
        "evaluation/report.html",
        scope=gettext("this programme’s cohorts"),
        heading=gettext("Evaluation report for every cohort of this programme"),
        csv_url=launch_url_for("evaluation_reports.programme_csv", launch, template_id=template_id),
        brand_colour=_brand(),
        **_values(report),
    )


@bp.get("/programme/<template_id>.csv")
@facilitator_required
def programme_csv(template_id: str) -> ResponseReturnValue:
    return _csv(_programme_report(template_id), f"programme-{template_id}")


def _brand() -> str:
    platform = registry.platform_by_id(web.db_session(), require_launch().platform_id)
    return usable_brand_colour(platform.brand_colour if platform else "")
