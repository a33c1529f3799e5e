"""A participant's programme questionnaire (before the programme, and at its end), their feedback on each
workshop and set meeting they attended, and their certificate.

Thin views over `services.evaluation.programmes`. The programme launch calls `on_launch` first: the
before questionnaire on the first launch, the after one once the programme is complete; both can be
skipped and neither holds anything up (docs/evaluation.md, "Programmes").
"""

from __future__ import annotations

from flask import g, redirect, render_template
from flask.typing import ResponseReturnValue

from lti_tool import certificate_files, web
from lti_tool.access import launch_required
from lti_tool.clock import now
from lti_tool.errors import Forbidden, NotFound
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import LtiUser, ProgrammeParticipant, ProgrammeRun
from lti_tool.public_urls import certificate_check_url
from lti_tool.services.evaluation import certificate_pdf, programme_feedback, responses
from lti_tool.services.evaluation import programmes as evaluation
from lti_tool.views.evaluation_forms import IssueCertificateForm, ProgrammeSessionFeedbackForm, QuestionnaireForm
from lti_tool.views.programmes.common import bp, commit, programme_of, url
from lti_tool.views.programmes.learner import _mine, _my_event
from toolkits.model import CONFIDENCE_SCALE, Phase
from toolkits.programmes import Programme


def _phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        raise NotFound("There is no such questionnaire.", reason="unknown_phase") from None


def on_launch(launch: CurrentLaunch, run_id: int) -> ResponseReturnValue | None:
    """The questionnaire a participant's programme launch shows first, or None for nothing due."""
    if launch.is_facilitator:
        return None
    session = web.db_session()
    run = session.get(ProgrammeRun, run_id)
    if run is None or run.context_id != launch.context_id:
        return None
    programme = programme_of(run)
    for phase in (Phase.BEFORE, Phase.AFTER):
        if evaluation.needs_asking(session, run=run, programme=programme, user_id=launch.user_id, phase=phase,
                                   now=now()):  # fmt: skip
            g.launch_page_url = launch_url_for("programmes.questionnaire", launch, run_id=run.id, phase=phase.value)
            return _page(launch, run, programme, phase, None)
    return None


def _page(
    launch: CurrentLaunch, run: ProgrammeRun, programme: Programme | None, phase: Phase,
    form: QuestionnaireForm | None, status: int = 200,
) -> ResponseReturnValue:  # fmt: skip
    if programme is None or programme.questionnaire is None:
        raise NotFound("This programme has no questionnaire.", reason="no_questionnaire")
    form = form or QuestionnaireForm.for_questionnaire(programme.questionnaire, phase)
    action = launch_url_for("programmes.questionnaire", launch, run_id=run.id, phase=phase.value)
    html = render_template("programmes/questionnaire.html", run=run, programme=programme, form=form,
                           phase=phase.value, action=action, scale=CONFIDENCE_SCALE, url=url(launch))  # fmt: skip
    return html, status


@bp.route("/<int:run_id>/questionnaire/<phase>", methods=["GET", "POST"])
@launch_required
def questionnaire(run_id: int, phase: str) -> ResponseReturnValue:
    launch = require_launch()
    run, _ = _mine(launch, run_id)
    programme = programme_of(run)
    which = _phase(phase)
    if programme is None or programme.questionnaire is None:
        raise NotFound("This programme has no questionnaire.", reason="no_questionnaire")
    form = QuestionnaireForm.for_questionnaire(programme.questionnaire, which)
    if not form.is_submitted():
        return _page(launch, run, programme, which, form)
    if not form.validate():
        return _page(launch, run, programme, which, form, 400)
    session = web.db_session()
    subject = evaluation.subject_id(run)
    if form.skipped:
        responses.skip_subject(session, user_id=launch.user_id, context_id=run.context_id, subject_id=subject,
                               phase=which, now=now())  # fmt: skip
    else:
        responses.save(session, user_id=launch.user_id, context_id=run.context_id, subject_id=subject,
                       questionnaire=programme.questionnaire, phase=which, confidence=form.confidence(),
                       open_answers=form.open_answers(), share_text=bool(form.share.data), now=now())  # fmt: skip
    commit()
    after = "programmes.certificate" if which is Phase.AFTER else "programmes.timeline_page"
    return redirect(launch_url_for(after, launch, run_id=run.id), code=303)


# --- Feedback on a workshop or set meeting ---------------------------------------------------------------


@bp.route("/<int:run_id>/events/<int:event_id>/feedback", methods=["GET", "POST"])
@launch_required
def session_feedback(run_id: int, event_id: int) -> ResponseReturnValue:
    """Two questions about a workshop or set meeting the participant attended, once its register is in."""
    launch = require_launch()
    run, participant, event, programme, _activity = _my_event(launch, run_id, event_id)
    session = web.db_session()
    state = programme_feedback.state(session, run, participant, programme, event)
    if state is None:
        raise Forbidden("Feedback opens once you have attended this session and its register is in.",
                        reason="programme_feedback_not_open",
                        advice="If you were there, ask your programme lead to check the register.")  # fmt: skip
    if state is programme_feedback.State.ANSWERED:
        return redirect(launch_url_for("programmes.timeline_page", launch, run_id=run.id), code=303)
    form = ProgrammeSessionFeedbackForm()
    if form.validate_on_submit():
        if form.skipped:
            programme_feedback.skip(session, event, user_id=launch.user_id, now=now())
        else:
            programme_feedback.give(session, event, user_id=launch.user_id, usefulness=int(form.usefulness.data),
                                    change_text=form.change.data or "", share_text=bool(form.share.data),
                                    now=now())  # fmt: skip
        commit()
        said = "skipped" if form.skipped else "sent"
        return redirect(launch_url_for("programmes.timeline_page", launch, run_id=run.id, feedback=said), code=303)
    status = 400 if form.errors else 200
    return render_template("programmes/session_feedback.html", run=run, event=event, form=form,
                           url=url(launch)), status  # fmt: skip


# --- The programme certificate ------------------------------------------------------------------------


@bp.route("/<int:run_id>/certificate", methods=["GET", "POST"])
@launch_required
def certificate(run_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run, participant = _mine(launch, run_id)
    programme = programme_of(run)
    session = web.db_session()
    form = IssueCertificateForm()
    if form.validate_on_submit():
        evaluation.issue_certificate(session, run=run, programme=programme, participant=participant,
                                     platform_id=launch.platform_id, now=now())  # fmt: skip
        commit()
        return redirect(launch_url_for("programmes.certificate", launch, run_id=run.id), code=303)
    held = evaluation.find_certificate(session, run=run, user_id=launch.user_id)
    done = evaluation.completion(session, run, programme, launch.user_id, now())
    after_due = evaluation.needs_asking(session, run=run, programme=programme, user_id=launch.user_id,
                                        phase=Phase.AFTER, now=now())  # fmt: skip
    return render_template(
        "programmes/certificate.html", run=run, programme=programme, certificate=held, complete=done is not None,
        form=form, after_due=after_due, verify_url=certificate_check_url(held.code) if held else "", url=url(launch),
    )  # fmt: skip


@bp.get("/<int:run_id>/certificate.pdf")
@launch_required
def certificate_pdf_file(run_id: int) -> ResponseReturnValue:
    launch = require_launch()
    run, participant = _mine(launch, run_id)
    return _pdf(launch, run, participant, programme_of(run))


def _pdf(
    launch: CurrentLaunch, run: ProgrammeRun, participant: ProgrammeParticipant, programme: Programme | None
) -> ResponseReturnValue:
    session = web.db_session()
    held = evaluation.find_certificate(session, run=run, user_id=participant.user_id)
    user = session.get(LtiUser, participant.user_id)
    if held is None or user is None or held.revoked_at is not None:
        raise NotFound("You have no certificate for this programme yet.", reason="no_certificate",
                       advice="Finish every required activity, then choose ‘Get your certificate’.")  # fmt: skip
    shared = certificate_files.shared_fields(
        session, platform_id=launch.platform_id, held=held, holder=user.name or "Learner"
    )
    text = certificate_pdf.CertificateText(
        title=programme.title if programme else run.template_id,
        what="programme",
        standards=evaluation.standards(web.catalogue(), programme),
        **shared,
    )
    return certificate_files.download(text, f"certificate-{run.template_id}.pdf")
