"""Running a session: the control page, the shared screen and the live region both poll."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.errors import BadRequest, Forbidden
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.models import GroupSession
from lti_tool.services import l2 as l2_sessions
from lti_tool.views.l2.common import bp, commit, facilitator_and_toolkit, group_of, launch_and_toolkit, page_context
from toolkits.model import GroupFormat, Toolkit

# --- Facilitator: run the session ---------------------------------------------------------------------


def live_context(launch: CurrentLaunch, toolkit: Toolkit, group: GroupSession, view: str) -> dict[str, Any]:
    session = web.db_session()
    state = l2_sessions.live_state(session, group, toolkit, for_facilitator=view == "control")
    return {
        "group": group,
        "state": state,
        "view": view,
        "agenda": l2_sessions.agenda_for(toolkit, group.format),
        "preset": l2_sessions.PRESETS[GroupFormat(group.format)],
        "role_labels": l2_sessions.ROLE_LABELS,
        "fragment_url": launch_url_for("l2.live_fragment", launch, session_id=group.id, view=view),
        "reflection_open": view == "participant"
        and l2_sessions.reflection_open(session, user_id=launch.user_id, context_id=group.context_id, toolkit=toolkit),
        **page_context(launch, toolkit),
    }


@bp.get("/sessions/<int:session_id>/run")
def run(session_id: int) -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    group = group_of(launch, session_id)
    session = web.db_session()
    return render_template(
        "l2/run.html",
        learners=l2_sessions.course_learners(session, launch.context_id),
        invited={p.user_id for p in l2_sessions.participants(session, group)},
        **live_context(launch, toolkit, group, "control"),
    )


@bp.get("/sessions/<int:session_id>/screen")
def screen(session_id: int) -> ResponseReturnValue:
    """The shared screen: what the whole room sees (never the moderation queue)."""
    launch, toolkit = facilitator_and_toolkit()
    group = group_of(launch, session_id)
    return render_template("l2/screen.html", **live_context(launch, toolkit, group, "screen"))


@bp.post("/sessions/<int:session_id>/control")
def control(session_id: int) -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    group = group_of(launch, session_id)
    session = web.db_session()
    action = request.form.get("action", "")
    if action == "start":
        l2_sessions.start(session, group, toolkit)
    elif action in ("next", "previous", "agenda"):
        index = {"next": group.agenda_index + 1, "previous": group.agenda_index - 1}.get(action)
        l2_sessions.go_to_agenda_item(session, group, toolkit, index if index is not None else _int("index"))
    elif action == "reveal":
        l2_sessions.reveal_next_stage(session, group, toolkit)
    elif action == "attendance":
        present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        for person in l2_sessions.participants(session, group):
            if person.attended != (person.user_id in present):
                l2_sessions.set_attendance(session, group, person.user_id, person.user_id in present)
    elif action == "roles":
        roles = {
            int(key.removeprefix("role-")): value
            for key, value in request.form.items()
            if key.startswith("role-") and key.removeprefix("role-").isdigit() and value
        }
        l2_sessions.assign_roles(session, group, roles)
    elif action == "participants":
        chosen = [int(v) for v in request.form.getlist("participants") if v.isdigit()]
        l2_sessions.set_participants(session, group, chosen)
    elif action in ("approve", "reject"):
        l2_sessions.moderate(session, group, _int("feedback_id"), approve=action == "approve")
    elif action == "close":
        l2_sessions.close(session, group, toolkit)
    else:
        raise BadRequest("That is not something this page can do.", reason="bad_action")
    commit()
    return redirect(launch_url_for("l2.run", launch, session_id=group.id), code=303)


def _int(name: str) -> int:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        raise BadRequest("Something was missing from the form.", reason=f"bad_{name}") from None


@bp.get("/sessions/<int:session_id>/live-fragment")
def live_fragment(session_id: int) -> ResponseReturnValue:
    """The live region's HTML, or 204 when the revision the page has is still current."""
    launch, toolkit = launch_and_toolkit()
    group = group_of(launch, session_id)
    view = request.args.get("view", "participant")
    if view in ("control", "screen"):
        if not launch.is_facilitator:
            raise Forbidden("This page is for course facilitators.", reason="not_facilitator")
    else:
        view = "participant"
        require_participant_or_facilitator(launch, group)
    since = request.args.get("since", "")
    if since.isdigit() and int(since) == group.revision:
        return Response(status=204)
    html = render_template("l2/_live.html", **live_context(launch, toolkit, group, view))
    response = Response(html, mimetype="text/html")
    response.headers["X-L2-Revision"] = str(group.revision)
    response.headers["Cache-Control"] = "no-store"
    return response


def require_participant_or_facilitator(launch: CurrentLaunch, group: GroupSession) -> None:
    if not launch.is_facilitator:
        l2_sessions.require_participant(web.db_session(), group, launch.user_id)
