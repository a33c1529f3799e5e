"""The learner's L2 pages: their sessions (with a "running now: join" banner), the live page and feedback."""

from __future__ import annotations

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool import launch_targets, web
from lti_tool.access import launch_required
from lti_tool.errors import BadRequest
from lti_tool.i18n import translated_message
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.models import GroupSession
from lti_tool.services import l2 as l2_sessions
from lti_tool.services import reflections
from lti_tool.views.l2.common import bp, commit, group_of, launch_and_toolkit, page_context
from lti_tool.views.l2.forms import FEEDBACK_KINDS, FeedbackForm
from lti_tool.views.l2.run import live_context, require_participant_or_facilitator
from toolkits.model import Toolkit

# --- Participants ----------------------------------------------------------------------------------------


@bp.get("/")
@launch_required
def home() -> ResponseReturnValue:
    """A learner's L2: their sessions (when, where, the link), the live page while one runs, the reflection."""
    launch, toolkit = launch_and_toolkit()
    if launch.is_facilitator:
        return redirect(launch_url_for("l2.plan", launch), code=303)
    session = web.db_session()
    groups = l2_sessions.upcoming_for_learner(
        session, user_id=launch.user_id, context_id=launch.context_id, toolkit_id=toolkit.id
    )
    # "attended" here means the reflection is open: attending and the session at its reflections item.
    attended = l2_sessions.reflection_open(
        session, user_id=launch.user_id, context_id=launch.context_id, toolkit=toolkit
    )
    link = l2_sessions.l2_link(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    reflection = (
        reflections.find_reflection(session, user_id=launch.user_id, resource_link_id=link.id) if link else None
    )
    return render_template(
        "l2/home.html",
        groups=groups,
        running=[g for g in groups if g.status == l2_sessions.RUNNING],
        ends_at={g.id: l2_sessions.ends_at(g, toolkit) for g in groups},
        l1_deadline=l2_sessions.l1_deadline(session, context_id=launch.context_id, toolkit_id=toolkit.id),
        attended=attended,
        reflection=reflection,
        **page_context(launch, toolkit),
    )


def _feedback_form(launch: CurrentLaunch, toolkit: Toolkit, group: GroupSession, form: FeedbackForm) -> FeedbackForm:
    colleagues = {uid: n for uid, n in l2_sessions.names(web.db_session(), group).items() if uid != launch.user_id}
    form.recipient.choices = [("", gettext("The whole group")), *((str(uid), name) for uid, name in colleagues.items())]
    prompts = [*toolkit.l2.feedback_prompts, *toolkit.l2.feedforward_prompts]
    form.prompt.choices = [("", gettext("No particular prompt")), *((p, p) for p in prompts)]
    form.kind.choices = {value: gettext(label) for value, label in FEEDBACK_KINDS.items()}
    return form


def _live_page(
    launch: CurrentLaunch, toolkit: Toolkit, group: GroupSession, form: FeedbackForm | None = None, status: int = 200
) -> ResponseReturnValue:
    feedback = _feedback_form(launch, toolkit, group, form or FeedbackForm(formdata=None, kind="feedback"))
    html = render_template(
        "l2/live.html",
        form=feedback,
        sent=request.args.get("sent", ""),
        **live_context(launch, toolkit, group, "participant"),
    )
    return html, status


@bp.get("/sessions/<int:session_id>/live")
@launch_required
def live(session_id: int) -> ResponseReturnValue:
    launch, toolkit = launch_and_toolkit()
    group = group_of(launch, session_id)
    require_participant_or_facilitator(launch, group)
    return _live_page(launch, toolkit, group)


@bp.post("/sessions/<int:session_id>/feedback")
@launch_required
def give_feedback(session_id: int) -> ResponseReturnValue:
    launch, toolkit = launch_and_toolkit()
    group = group_of(launch, session_id)
    form = _feedback_form(launch, toolkit, group, FeedbackForm())
    if not form.validate_on_submit():
        return _live_page(launch, toolkit, group, form, 400)
    try:
        l2_sessions.give_feedback(
            web.db_session(),
            group,
            author_id=launch.user_id,
            kind=form.kind.data or "",
            text=form.text.data or "",
            recipient_id=int(form.recipient.data) if (form.recipient.data or "").isdigit() else None,
            anonymous=bool(form.anonymous.data),
            prompt=form.prompt.data or "",
        )
    except BadRequest as refused:
        web.db_session().rollback()
        form.text.errors = [translated_message(refused)]
        return _live_page(launch, toolkit, group, form, 400)
    commit()
    return redirect(launch_url_for("l2.live", launch, session_id=group.id, sent="1") + "#give-feedback", code=303)


def register_launch_targets(targets: launch_targets.LaunchTargets) -> None:
    """A learner's L2 launch: issue 12 first (a follow-up, or after-L2 questions not yet answered), else
    the learner's L2 page with their session's date, place or link (issue 10)."""
    targets.add("l2.home", lambda launch: launch_targets.due_first(launch, l1_started=True) or home())
