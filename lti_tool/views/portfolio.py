"""The learner's CPD portfolio pages: records, CPD done elsewhere, exports, sharing, their data, erasure.

Thin views over `services.portfolio`. Everything here is about the launched user only, except
`read`, which applies the sharing rule (author; or, when shared, the course's facilitator and the
author's L2 group) and answers "not found" to anyone else, so ids cannot be probed. The counter, the
record fields and every export follow the learner's regulator (`services.portfolio.profile`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool import web
from lti_tool.access import launch_required
from lti_tool.branding import usable_brand_colour
from lti_tool.dates import format_date
from lti_tool.i18n import ENGLISH, _l, current_language, html_lang
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import LtiUser, Platform, ResourceLink, utcnow
from lti_tool.services import portfolio
from lti_tool.services.portfolio import external, profile, verification
from lti_tool.services.portfolio.exports import HOURS_SOURCES
from lti_tool.services.programmes import runs
from lti_tool.services.regulators import Export, Regulator, words
from lti_tool.services.regulators.base import hours_text
from lti_tool.services.regulators.sssc import ScottishSocialServicesCouncil
from lti_tool.services.regulators.swe import SWE_FORM_LABELS
from lti_tool.views.portfolio_forms import (
    DeleteExternalCpdForm,
    EraseForm,
    ExternalCpdForm,
    MakeVerificationLinkForm,
    ProfileForm,
    ShareForm,
    WithdrawVerificationLinkForm,
)

T = TypeVar("T")
bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")

NOTICES = {
    "erased": _l("Your reflections, notes, records and answers have been erased. Your course still shows that "
                 "you completed the work."),
    "shared": _l("Shared with your group and facilitator."),
    "unshared": _l("No longer shared: only you can read it."),
    "added": _l("CPD record added."),
    "updated": _l("CPD record updated."),
    "deleted": _l("CPD record deleted."),
    "settings": _l("Your regulator and registration details are saved."),
    "link_withdrawn": _l("Verification link withdrawn: it no longer works."),
}  # fmt: skip
# How the "From" row names a record that is not a toolkit's L1 or L2 reflection.
ORIGIN_KINDS = {"programme": "programme", "programme-summary": "programme", "impact": "follow-up"}
# The form's boxes by the record field id each one fills, for the regulator's own labels.
FORM_FIELD_IDS = {
    "title": "cpd_title",
    "done_on": "cpd_date",
    "activity_type": "cpd_type",
    "hours": "cpd_hours",
    "description": "cpd_description",
    "learnt": "cpd_learnt",
    "impact": "cpd_impact",
}


def _overview(launch: CurrentLaunch) -> portfolio.Overview:
    session = web.db_session()
    regulator, registrant = profile.regulator_for(session, user_id=launch.user_id)
    records = portfolio.all_records(session, user_id=launch.user_id, catalogue=web.catalogue())
    return portfolio.overview(regulator, records, utcnow().date(), registrant)


def _page(launch: CurrentLaunch, template: str, status: int = 200, **context: Any) -> Response:
    session = web.db_session()
    user = session.get(LtiUser, launch.user_id)
    platform = session.get(Platform, user.platform_id) if user else None
    response = Response(
        render_template(
            template,
            launch=launch,
            url=lambda endpoint, **values: launch_url_for(endpoint, launch, **values),
            brand_colour=usable_brand_colour(platform.brand_colour if platform else ""),
            label=_label,
            **context,
        ),
        status=status,
    )
    # Personal data: never kept by a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _period_words(regulator: Regulator) -> dict[str, str]:
    """Whole sentences naming the regulator's period (Welsh mutates after "this", so no gluing)."""
    if regulator.period_name == "registration year":
        return {
            "this": gettext("This registration year"),
            "name": gettext("Registration year"),
            "what_counts": gettext("What counts in this registration year"),
            "records_in": gettext("Records in this registration year"),
            "none_yet": gettext("No records in this registration year yet. Submit a toolkit reflection, or add "
                                "CPD you did elsewhere."),
        }  # fmt: skip
    if regulator.period_name == "declaration year":
        return {
            "this": gettext("This declaration year"),
            "name": gettext("Declaration year"),
            "what_counts": gettext("What counts in this declaration year"),
            "records_in": gettext("Records in this declaration year"),
            "none_yet": gettext("No records in this declaration year yet. Submit a toolkit reflection, or add "
                                "CPD you did elsewhere."),
        }  # fmt: skip
    return {
        "this": gettext("This registration period"),
        "name": gettext("Registration period"),
        "what_counts": gettext("What counts in this registration period"),
        "records_in": gettext("Records in this registration period"),
        "none_yet": gettext("No records in this registration period yet. Submit a toolkit reflection, or add "
                            "CPD you did elsewhere."),
    }  # fmt: skip


def _index(launch: CurrentLaunch, erase_form: EraseForm | None = None, status: int = 200) -> Response:
    session = web.db_session()
    view = _overview(launch)
    pieces = portfolio.every_piece(session, user_id=launch.user_id, catalogue=web.catalogue(), now=utcnow())
    shared = {p.reflection_id: p.shared for p in pieces if p.part in ("l1", "l2")}
    kinds = {"programme": gettext("programme"), "follow-up": gettext("follow-up")}
    origins = {
        portfolio.ref_of(p): f"{p.toolkit_title} ({kinds.get(ORIGIN_KINDS.get(p.part, ''), p.part.upper())})"
        for p in pieces
    }
    coverage: list[tuple[str, list[str]]] = []
    if isinstance(view.regulator, ScottishSocialServicesCouncil):
        titles = {e.id: e.title for e in view.regulator.elements}
        coverage = [
            (titles[element], [r.title for r in found])
            for element, found in view.regulator.coverage(view.current).items()
        ]
    return _page(
        launch,
        "portfolio/index.html",
        status,
        view=view,
        shared=shared,
        origins=origins,
        coverage=coverage,
        form_text=_form_text,
        fields_of=portfolio.fields_of,
        time_spent=_time_spent,
        hours_text=hours_text,
        time_spent_total=_time_spent_words(view.total_hours) if view.total_hours else gettext("None recorded yet"),
        counter_text=words.counter(view.status, _tr, _day),
        period_words=_period_words(view.regulator),
        share_form=ShareForm(formdata=None),
        erase_form=erase_form or EraseForm(formdata=None),
        has_reflections=portfolio.has_reflections(session, user_id=launch.user_id),
        # The learner's programme runs in this course, each linked to its timeline.
        programme_runs=runs.runs_of_learner(session, user_id=launch.user_id, context_id=launch.context_id),
        retention_days=web.settings().reflection_retention_days,
        notice=str(NOTICES.get(request.args.get("notice", ""), "")),
        # SSSC: the learner's links for their employer to verify their CPL, and what was signed off.
        verification_links=verification.links(session, user_id=launch.user_id) if view.regulator.code == "sssc" else (),
    )


@bp.get("/")
@launch_required
def index() -> ResponseReturnValue:
    return _index(require_launch())


def _labels(regulator: Regulator) -> dict[str, str]:
    """The form's labels in the regulator's words, where its record has that box."""
    by_id = {f.id: f.label for f in regulator.record_fields(peer_reflection=True)}
    return {name: by_id.get(field_id, SWE_FORM_LABELS.get(field_id, "")) for name, field_id in FORM_FIELD_IDS.items()}


def _record_form_page(launch: CurrentLaunch, form: ExternalCpdForm, record_id: int | None) -> Response:
    regulator, _ = profile.regulator_for(web.db_session(), user_id=launch.user_id)
    return _page(
        launch,
        "portfolio/record_form.html",
        400 if form.errors else 200,
        form=form,
        record_id=record_id,
        regulator=regulator,
        labels=_labels(regulator),
    )


def _back(launch: CurrentLaunch, notice: str, anchor: str = "") -> ResponseReturnValue:
    """Back to the portfolio after a change (303, so a reload does not post again), saying what changed."""
    return redirect(
        launch_url_for("portfolio.index", launch, notice=notice) + (f"#{anchor}" if anchor else ""), code=303
    )


@bp.route("/records/add", methods=["GET", "POST"])
@launch_required
def add_record() -> ResponseReturnValue:
    return _record_form(require_launch(), None)


@bp.route("/records/<int:record_id>/edit", methods=["GET", "POST"])
@launch_required
def edit_record(record_id: int) -> ResponseReturnValue:
    return _record_form(require_launch(), record_id)


def _record_form(launch: CurrentLaunch, record_id: int | None) -> ResponseReturnValue:
    """The form for a new record (no `record_id`) or for changing one of the learner's own."""
    session = web.db_session()
    row = None if record_id is None else external.get(session, record_id=record_id, user_id=launch.user_id)
    form = ExternalCpdForm()
    if row is not None and request.method == "GET":
        form.fill(external.as_entry(row))
    elif form.validate_on_submit():
        if row is None:
            row, notice = external.add(session, user_id=launch.user_id, entry=form.entry()), "added"
        else:
            external.update(session, record_id=row.id, user_id=launch.user_id, entry=form.entry())
            notice = "updated"
        session.commit()
        return _back(launch, notice, f"external-{row.id}")
    return _record_form_page(launch, form, record_id)


@bp.route("/records/<int:record_id>/delete", methods=["GET", "POST"])
@launch_required
def delete_record(record_id: int) -> ResponseReturnValue:
    """GET asks to confirm (a warning button); POST deletes."""
    launch = require_launch()
    session = web.db_session()
    row = external.get(session, record_id=record_id, user_id=launch.user_id)
    form = DeleteExternalCpdForm()
    if form.validate_on_submit():
        external.remove(session, record_id=record_id, user_id=launch.user_id)
        session.commit()
        return _back(launch, "deleted")
    return _page(launch, "portfolio/delete.html", form=form, row=row)


@bp.route("/settings", methods=["GET", "POST"])
@launch_required
def settings() -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    form = ProfileForm()
    if request.method == "GET":
        form.fill(profile.current_choice(session, user_id=launch.user_id))
    elif form.validate_on_submit():
        profile.save(session, user_id=launch.user_id, choice=form.choice())
        session.commit()
        return _back(launch, "settings")
    return _page(launch, "portfolio/settings.html", 400 if form.errors else 200, form=form)


def _tr(text: str) -> str:
    """Flask-Babel's gettext as a plain str function (for services.regulators.words)."""
    return str(gettext(text))


def _day(day: Any) -> str:
    return format_date(day, current_language())


def _export(launch: CurrentLaunch) -> tuple[portfolio.Overview, Export]:
    """The full export in the learner's language (labels and titles; their own text as written)."""
    view = _overview(launch)
    export = portfolio.full_export(view, learner_name=_learner_name(launch), sign_offs=_sign_offs(launch))
    if current_language() != ENGLISH:
        period = view.status.period
        export = words.localise(export, period.start, period.end, _tr, _day)
    return view, export


def _full_export_as(build: Callable[..., T]) -> T:
    """The launch's full export built by `build` (`portfolio_json`, `portfolio_xlsx`), which also gets
    the export in the learner's language."""
    launch = require_launch()
    view, export = _export(launch)
    return build(view, learner_name=_learner_name(launch), sign_offs=_sign_offs(launch), localised=export,
                 label=_label)  # fmt: skip


def _time_spent_words(hours: float) -> str:
    """'1 hour 30 minutes' in the page's language."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    parts = []
    if whole:
        parts.append(gettext("%(n)s hour", n=whole) if whole == 1 else gettext("%(n)s hours", n=whole))
    if rest or not whole:
        parts.append(gettext("%(n)s minute", n=rest) if rest == 1 else gettext("%(n)s minutes", n=rest))
    return " ".join(parts)


def _time_spent(record: Any) -> str:
    """A record's time, and how the tool knows it, in the page's language (exports.time_spent in English)."""
    if record.hours is None:
        return ""
    source = HOURS_SOURCES.get(record.hours_source, "")
    text = _time_spent_words(record.hours)
    return gettext("%(time)s (%(source)s)", time=text, source=_label(source)) if source else text


def _form_text(regulator: Regulator, record: Any) -> str:
    """The paste-ready text of one record, its labels and the tool's own words (a type of CPD) in the
    page's language; the learner's text as written."""
    text = portfolio.form_text(regulator, record)
    if current_language() == ENGLISH:
        return text
    labels = {f.label for f in regulator.record_fields(peer_reflection=True)}
    return "\n".join(_label(line[:-1]) + ":" if line.endswith(":") and line[:-1] in labels else _label(line)
                     for line in text.split("\n"))  # fmt: skip


def _label(text: str) -> str:
    return words.label(text, _tr)


def _sign_offs(launch: CurrentLaunch) -> list[verification.SignOff]:
    return verification.sign_offs(web.db_session(), user_id=launch.user_id)


def _learner_name(launch: CurrentLaunch) -> str:
    user = web.db_session().get(LtiUser, launch.user_id)
    return user.name if user else ""


@bp.get("/portfolio.pdf")
@launch_required
def export_pdf() -> ResponseReturnValue:
    launch = require_launch()
    _, export = _export(launch)
    # The PDF's /Lang and <html lang> follow the page's language (cy for a Welsh learner).
    return _download(portfolio.portfolio_pdf(export, lang=html_lang()), "application/pdf", "cpd-portfolio.pdf")


@bp.get("/portfolio.xlsx")
@launch_required
def export_xlsx() -> ResponseReturnValue:
    body = _full_export_as(portfolio.portfolio_xlsx)
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "cpd-portfolio.xlsx")


@bp.get("/portfolio.txt")
@launch_required
def export_text() -> ResponseReturnValue:
    """The same export as plain text, box by box, to paste into the regulator's form."""
    launch = require_launch()
    _, export = _export(launch)
    return _download(export.text(), "text/plain", "cpd-portfolio.txt")


@bp.get("/portfolio.json")
@launch_required
def export_json() -> ResponseReturnValue:
    return _download(
        portfolio.dumps(_full_export_as(portfolio.portfolio_json)), "application/json", "cpd-portfolio.json"
    )


@bp.get("/my-data.json")
@launch_required
def my_data() -> ResponseReturnValue:
    launch = require_launch()
    data = portfolio.all_my_data(web.db_session(), user_id=launch.user_id)
    return _download(portfolio.dumps(data), "application/json", "swott-my-data.json")


@bp.get("/reflections/<int:reflection_id>")
@launch_required
def read(reflection_id: int) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    reflection = portfolio.readable_reflection(
        session,
        reflection_id,
        viewer_id=launch.user_id,
        viewer_context_id=launch.context_id,
        viewer_is_facilitator=launch.is_facilitator,
    )
    piece = next((p for p in _pieces_of(reflection.user_id) if p.reflection_id == reflection.id), None)
    author = session.get(LtiUser, reflection.user_id)
    link = session.get(ResourceLink, reflection.resource_link_id)
    return _page(
        launch,
        "portfolio/reflection.html",
        reflection=reflection,
        piece=piece,
        author=author,
        own=reflection.user_id == launch.user_id,
        part=link.part if link else "",
    )


def _pieces_of(user_id: int) -> list[portfolio.Piece]:
    return portfolio.pieces(web.db_session(), user_id=user_id, catalogue=web.catalogue())


@bp.post("/reflections/<int:reflection_id>/share")
@launch_required
def share(reflection_id: int) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    form = ShareForm()
    if form.validate_on_submit() and form.share.data == "1":
        portfolio.share(session, reflection_id=reflection_id, user_id=launch.user_id)
        notice = "shared"
    else:
        portfolio.unshare(session, reflection_id=reflection_id, user_id=launch.user_id)
        notice = "unshared"
    session.commit()
    return _back(launch, notice, f"piece-{reflection_id}")


@bp.post("/erase")
@launch_required
def erase() -> ResponseReturnValue:
    launch = require_launch()
    form = EraseForm()
    if not form.validate_on_submit():
        return _index(launch, erase_form=form, status=400)
    session = web.db_session()
    portfolio.erase_reflections(session, user_id=launch.user_id)
    session.commit()
    return _back(launch, "erased")


@bp.post("/verification")
@launch_required
def make_verification_link() -> ResponseReturnValue:
    """A new secret link for the learner's SSSC employer; shown on this page once (only its hash is kept)."""
    launch = require_launch()
    form = MakeVerificationLinkForm()
    if not form.validate_on_submit():
        return redirect(launch_url_for("portfolio.index", launch), code=303)
    session = web.db_session()
    _, token = verification.make_link(session, user_id=launch.user_id)
    session.commit()
    link = web.settings().base_url.rstrip("/") + url_for("cpl_verification.page", token=token)
    return _page(launch, "portfolio/verification_link.html", link=link)


@bp.post("/verification/<int:verification_id>/withdraw")
@launch_required
def withdraw_verification_link(verification_id: int) -> ResponseReturnValue:
    launch = require_launch()
    form = WithdrawVerificationLinkForm()
    session = web.db_session()
    if form.validate_on_submit():
        verification.revoke(session, verification_id=verification_id, user_id=launch.user_id)
        session.commit()
    return redirect(launch_url_for("portfolio.index", launch, notice="link_withdrawn") + "#employer-verification",
                    code=303)  # fmt: skip
