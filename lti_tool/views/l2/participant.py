"""The learner's L2 pages: their sessions, the live page and giving feedback."""

from __future__ import annotations

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.lti.session import launch_url_for
from lti_tool.services import l2 as l2_sessions
from lti_tool.services import reflections
from lti_tool.views.l2.common import bp, commit, group_of, launch_and_toolkit, page_context
from lti_tool.views.l2.run import live_context, require_participant_or_facilitator

# --- Participants ----------------------------------------------------------------------------------------


@bp.get("/")
def home() -> ResponseReturnValue:
    """A learner's L2: their sessions, the live page while one runs, then the reflection."""
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
        "l2/home.html", groups=groups, attended=attended, reflection=reflection, **page_context(launch, toolkit)
    )


@bp.get("/sessions/<int:session_id>/live")
def live(session_id: int) -> ResponseReturnValue:
    launch, toolkit = launch_and_toolkit()
    group = group_of(launch, session_id)
    require_participant_or_facilitator(launch, group)
    session = web.db_session()
    colleagues = {uid: name for uid, name in l2_sessions.names(session, group).items() if uid != launch.user_id}
    return render_template(
        "l2/live.html",
        colleagues=colleagues,
        sent=request.args.get("sent", ""),
        **live_context(launch, toolkit, group, "participant"),
    )


@bp.post("/sessions/<int:session_id>/feedback")
def give_feedback(session_id: int) -> ResponseReturnValue:
    launch, _toolkit = launch_and_toolkit()
    group = group_of(launch, session_id)
    recipient = request.form.get("recipient", "")
    l2_sessions.give_feedback(
        web.db_session(),
        group,
        author_id=launch.user_id,
        kind=request.form.get("kind", ""),
        text=request.form.get("text", ""),
        recipient_id=int(recipient) if recipient.isdigit() else None,
        anonymous=bool(request.form.get("anonymous")),
        prompt=request.form.get("prompt", ""),
    )
    commit()
    return redirect(launch_url_for("l2.live", launch, session_id=group.id, sent="1") + "#give-feedback", code=303)
