"""The learner's evaluation pages: the questionnaire before L1 and after L2, session feedback, the follow-up.

Thin views over `services.evaluation`. Each can be skipped and none blocks completion. The L1 and L2
flows call in at two points only: `on_launch` (the player's launch landing, L1 and L2) shows whatever is
due — the before questionnaire to a learner who has not started L1, or a follow-up, an after
questionnaire or session feedback left over — and the L2 reflection's submit goes to `after_l2`.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup, escape

from lti_tool import launch_targets, web
from lti_tool.access import launch_required
from lti_tool.branding import usable_brand_colour
from lti_tool.clock import now
from lti_tool.errors import NotFound
from lti_tool.i18n import in_content_language
from lti_tool.launch_targets import LaunchTargets
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import GroupSession, LinkPart
from lti_tool.services import registry
from lti_tool.services.evaluation import certificates, feedback, followups, responses
from lti_tool.views.evaluation_forms import FollowUpForm, QuestionnaireForm, SessionFeedbackForm
from lti_tool.words import N_
from toolkits.model import CONFIDENCE_SCALE, Phase, Toolkit

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

GATE = "swott.follow_up_gate"


def _toolkit(launch: CurrentLaunch) -> Toolkit:
    toolkit = web.catalogue().get(launch.toolkit_id)
    if toolkit is None:
        raise NotFound(N_("This toolkit is no longer available."), reason="toolkit_gone")
    return toolkit


def _brand(launch: CurrentLaunch) -> str:
    platform = registry.platform_by_id(web.db_session(), launch.platform_id)
    return usable_brand_colour(platform.brand_colour if platform else "")


def _page(template: str, launch: CurrentLaunch, status: int = 200, **values: object) -> ResponseReturnValue:
    submitted = request.args.get("submitted") == "1"
    html = render_template(
        template, toolkit=_toolkit(launch), brand_colour=_brand(launch), submitted=submitted, **values
    )
    return html, status


# --- The two calls from the L1 and L2 flows ------------------------------------------------------------


def _follow_up_possible() -> bool:
    """Whether any follow-up could be due yet (`followups.DueGate`): most launches then read nothing more."""
    gate: followups.DueGate = current_app.extensions.setdefault(GATE, followups.DueGate())
    return gate.may_be_due(web.db_session(), now=now(), days=web.settings().follow_up_days)


def on_launch(launch: CurrentLaunch, *, l1_started: bool) -> ResponseReturnValue | None:
    """What a learner's launch shows before the page it would show, or None for nothing due.

    In order: a follow-up on an action planned three months ago (any course); for L1, the before
    questionnaire if L1 has not been started; for L2, once the L2 reflection is submitted, an after
    questionnaire or session feedback the learner has not answered or skipped yet.
    """
    if launch.is_facilitator:
        return None
    session = web.db_session()
    if _follow_up_possible() and followups.due(
        session, user_id=launch.user_id, now=now(), days=web.settings().follow_up_days
    ):
        g.launch_page_url = launch_url_for("evaluation.follow_up", launch)
        return _follow_up_page(launch, FollowUpForm(formdata=None))
    toolkit = _toolkit(launch)

    def due(phase: Phase) -> bool:
        return responses.needs_asking(
            session, user_id=launch.user_id, context_id=launch.context_id, toolkit=toolkit, phase=phase
        )

    if launch.part == LinkPart.L1 and not l1_started and due(Phase.BEFORE):
        g.launch_page_url = launch_url_for("evaluation.questionnaire", launch, phase="before")
        return _questionnaire_page(launch, toolkit, Phase.BEFORE, None)
    # L2: only once the reflection is in. Before that the learner launches to write it, and the session
    # feedback is asked with the after questions when they submit it (views/l2/reflection.py).
    if launch.part == LinkPart.L2 and (
        due(Phase.AFTER)
        or (
            responses.l2_reflection_submitted(
                session, user_id=launch.user_id, context_id=launch.context_id, toolkit_id=toolkit.id
            )
            and feedback.awaiting(session, user_id=launch.user_id, context_id=launch.context_id, toolkit_id=toolkit.id)
        )
    ):
        return redirect(launch_url_for("evaluation.after_l2", launch), code=303)
    return None


@bp.get("/after")
@launch_required
def after_l2() -> ResponseReturnValue:
    """After the L2 reflection: the after questionnaire, then feedback on each session attended, then done."""
    launch = require_launch()
    toolkit = _toolkit(launch)
    session = web.db_session()
    # Straight from the L2 submit: the next page says the reflection is in (`submitted=1`).
    said = {"submitted": "1"} if request.args.get("submitted") == "1" else {}
    if responses.needs_asking(
        session, user_id=launch.user_id, context_id=launch.context_id, toolkit=toolkit, phase=Phase.AFTER
    ):
        return redirect(launch_url_for("evaluation.questionnaire", launch, phase="after", **said), code=303)
    waiting = feedback.awaiting(session, user_id=launch.user_id, context_id=launch.context_id, toolkit_id=toolkit.id)
    if waiting:
        url = launch_url_for("evaluation.session_feedback", launch, session_id=waiting[0].id, **said)
        return redirect(url, code=303)
    done = certificates.completion(session, user_id=launch.user_id, context_id=launch.context_id, toolkit=toolkit)
    return _page("evaluation/finished.html", launch, complete=done is not None)


# --- Questionnaires ---------------------------------------------------------------------------------------


def _phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        raise NotFound(N_("There is no such questionnaire."), reason="unknown_phase") from None


def _questionnaire_page(
    launch: CurrentLaunch, toolkit: Toolkit, phase: Phase, form: QuestionnaireForm | None, status: int = 200
) -> ResponseReturnValue:
    assert toolkit.questionnaire is not None
    if form is None:
        form = QuestionnaireForm.for_questionnaire(toolkit.questionnaire, phase)
    action = launch_url_for("evaluation.questionnaire", launch, phase=phase.value)
    return _page("evaluation/questionnaire.html", launch, status, form=form, phase=phase.value, action=action,
                 scale=CONFIDENCE_SCALE)  # fmt: skip


@bp.route("/questionnaire/<phase>", methods=["GET", "POST"])
@launch_required
def questionnaire(phase: str) -> ResponseReturnValue:
    launch = require_launch()
    toolkit = _toolkit(launch)
    which = _phase(phase)
    if toolkit.questionnaire is None:
        raise NotFound(N_("This toolkit has no questionnaire."), reason="no_questionnaire")
    form = QuestionnaireForm.for_questionnaire(toolkit.questionnaire, which)
    if not form.is_submitted():
        return _questionnaire_page(launch, toolkit, which, form)
    if not form.validate():
        return _questionnaire_page(launch, toolkit, which, form, 400)
    session = web.db_session()
    user_id, context_id = launch.user_id, launch.context_id
    if form.skipped:
        responses.skip(session, user_id=user_id, context_id=context_id, toolkit=toolkit, phase=which, now=now())
    else:
        responses.record(session, user_id=user_id, context_id=context_id, toolkit=toolkit, phase=which,
                         confidence=form.confidence(), open_answers=form.open_answers(),
                         share_text=bool(form.share.data), now=now())  # fmt: skip
    if which is Phase.BEFORE and launch.part == "l1" and launch.resource_link_id is not None:
        # Issue 15: the first L1 page answers this POST, its step recorded in this same transaction.
        return launch_targets.targets().page("l1.begin_after_questions", launch)
    session.commit()
    if which is Phase.BEFORE:
        return redirect(launch_url_for("player.start", launch), code=303)
    return redirect(launch_url_for("evaluation.after_l2", launch), code=303)


# --- Session feedback --------------------------------------------------------------------------------------


def _attended_session(launch: CurrentLaunch, session_id: int) -> GroupSession:
    session = web.db_session()
    group = session.get(GroupSession, session_id)
    if (
        group is None
        or group.context_id != launch.context_id
        or group.toolkit_id != launch.toolkit_id
        or not feedback.attended(session, group, launch.user_id)
    ):
        raise NotFound(N_("There is no group session you attended here."), reason="unknown_group_session")
    return group


@bp.route("/sessions/<int:session_id>/feedback", methods=["GET", "POST"])
@launch_required
def session_feedback(session_id: int) -> ResponseReturnValue:
    launch = require_launch()
    group = _attended_session(launch, session_id)
    form = SessionFeedbackForm()
    if form.is_submitted() and form.validate():
        session = web.db_session()
        if form.skipped:
            feedback.skip(session, group, user_id=launch.user_id, now=now())
        else:
            feedback.give(session, group, user_id=launch.user_id, usefulness=int(form.usefulness.data),
                          change_text=form.change.data or "", share_text=bool(form.share.data), now=now())  # fmt: skip
        session.commit()
        return redirect(launch_url_for("evaluation.after_l2", launch), code=303)
    action = launch_url_for("evaluation.session_feedback", launch, session_id=group.id)
    status = 400 if form.errors else 200
    return _page("evaluation/session_feedback.html", launch, status, form=form, group=group, action=action,
                 session_name=_session_name(group, _toolkit(launch)))  # fmt: skip


def _session_name(group: GroupSession, toolkit: Toolkit) -> Markup:
    """The session's name in the page's language: the default title (stored in English, as
    `views.l2.common.session_heading` shows it) translated with the toolkit's title marked as content."""
    if not group.title:
        return escape(gettext("Group session"))
    if group.title == f"{toolkit.title}: L2 group session":
        sentence = Markup(escape(gettext("%(toolkit)s: L2 group session")))
        return sentence % {"toolkit": in_content_language(toolkit.title)}
    return escape(group.title)


# --- Follow-up ---------------------------------------------------------------------------------------------


def _follow_up_page(launch: CurrentLaunch, form: FollowUpForm, status: int = 200) -> ResponseReturnValue:
    item = followups.due(web.db_session(), user_id=launch.user_id, now=now(), days=web.settings().follow_up_days)
    if item is None:
        return redirect(launch_url_for("evaluation.follow_up_done", launch), code=303)
    about = web.catalogue().get(item.toolkit_id)
    action = launch_url_for("evaluation.follow_up", launch)
    return _page("evaluation/follow_up.html", launch, status, form=form, item=item, about=about, action=action)


@bp.route("/follow-up", methods=["GET", "POST"])
@launch_required
def follow_up() -> ResponseReturnValue:
    launch = require_launch()
    form = FollowUpForm()
    if not form.is_submitted():
        return _follow_up_page(launch, form)
    if not form.validate():
        return _follow_up_page(launch, form, 400)
    session = web.db_session()
    item = followups.due(session, user_id=launch.user_id, now=now(), days=web.settings().follow_up_days)
    if item is not None:
        uid, cid, tid = launch.user_id, item.context_id, item.toolkit_id
        if form.skipped:
            followups.decline(session, user_id=uid, context_id=cid, toolkit_id=tid, now=now())
        elif form.later:
            followups.remind_later(session, user_id=uid, context_id=cid, toolkit_id=tid, now=now())
        else:
            followups.answer(
                session,
                user_id=uid,
                context_id=cid,
                toolkit_id=tid,
                carried_out=followups.CarriedOut(form.carried_out.data),
                what_happened=form.what_happened.data or "",
                impact=form.impact.data or "",
                in_portfolio=bool(form.in_portfolio.data),
                now=now(),
            )
        session.commit()
    kept = "1" if form.in_portfolio.data and not form.skipped and not form.later else ""
    return redirect(launch_url_for("evaluation.follow_up_done", launch, kept=kept), code=303)


@bp.get("/follow-up/done")
@launch_required
def follow_up_done() -> ResponseReturnValue:
    launch = require_launch()
    start = "player.start" if launch.part == LinkPart.L1 else "l2.home"
    return _page("evaluation/follow_up_done.html", launch, kept=request.args.get("kept") == "1",
                 next_url=launch_url_for(start, launch),
                 impact=followups.impact_records(web.db_session(), launch.user_id))  # fmt: skip


def register_launch_targets(targets: LaunchTargets) -> None:
    """Issue 12: a follow-up or questionnaire comes before the page a learner's launch opens."""
    targets.add_due_first(lambda launch, l1_started: on_launch(launch, l1_started=l1_started))
