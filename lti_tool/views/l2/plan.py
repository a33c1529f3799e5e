"""The facilitator's plan: the L1 deadline and scheduling L2 sessions."""

from __future__ import annotations

from datetime import datetime

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.errors import BadRequest
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.services import l2 as l2_sessions
from lti_tool.views.l2.common import (
    LOCAL,
    bp,
    commit,
    facilitator_and_toolkit,
    page_context,
    parse_local,
    refresh_roster,
)
from toolkits.model import GroupFormat, Toolkit

# --- Facilitator: plan ---------------------------------------------------------------------------------


@bp.get("/plan")
def plan() -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    roster_state = refresh_roster(launch)
    session = web.db_session()
    deadline = l2_sessions.l1_deadline(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    groups = l2_sessions.sessions_for(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    return render_template(
        "l2/plan.html",
        deadline=deadline,
        deadline_day=deadline.astimezone(LOCAL).date().isoformat() if deadline else "",
        deadline_time=deadline.astimezone(LOCAL).strftime("%H:%M") if deadline else "17:00",
        groups=groups,
        invited={g.id: len(l2_sessions.participants(session, g)) for g in groups},
        learners=l2_sessions.course_learners(session, launch.context_id),
        formats=list(GroupFormat),
        due_date=request.args.get("due_date", ""),
        l2_due_date=request.args.get("l2_due_date", ""),
        **roster_state,
        **page_context(launch, toolkit),
    )


@bp.post("/plan/deadline")
def set_deadline() -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    session = web.db_session()
    deadline = (
        None
        if request.form.get("clear")
        else parse_local(request.form.get("day", ""), request.form.get("time", ""), "deadline")
    )
    l2_sessions.set_l1_deadline(session, context_id=launch.context_id, toolkit_id=toolkit.id, deadline=deadline)
    commit()
    outcome = _push_due_date(launch, toolkit, "l1", deadline)
    return redirect(launch_url_for("l2.plan", launch, due_date=outcome), code=303)


def _push_due_date(launch: CurrentLaunch, toolkit: Toolkit, part: str, deadline: datetime | None) -> str:
    """After the deadline is safely saved, have the background tell the LMS gradebook the due date too.

    Never inside this request (issue 15): "queued" when a line item will be updated, else "not_offered".
    """
    session = web.db_session()
    if not l2_sessions.due_date_links(session, context_id=launch.context_id, toolkit_id=toolkit.id, part=part):
        return "not_offered"
    task = l2_sessions.due_date_task(
        web.database(),
        web.settings().redis_url,
        context_id=launch.context_id,
        toolkit_id=toolkit.id,
        part=part,
        deadline=deadline,
    )
    # The key names the line items and the date, so each change is sent once and in order.
    web.background().submit(f"due-date:{launch.context_id}:{toolkit.id}:{part}:{deadline}", task)
    return "queued"


@bp.post("/sessions")
def create_session() -> ResponseReturnValue:
    launch, toolkit = facilitator_and_toolkit()
    starts_at = parse_local(request.form.get("day", ""), request.form.get("time", ""), "start")
    ids: list[int] = []
    for raw in request.form.getlist("participants"):
        try:
            ids.append(int(raw))
        except ValueError:
            raise BadRequest("Choose participants from the list.", reason="bad_participant") from None
    group = l2_sessions.schedule_session(
        web.db_session(),
        context_id=launch.context_id,
        toolkit=toolkit,
        starts_at=starts_at,
        place=request.form.get("place", ""),
        video_link=request.form.get("video_link", ""),
        group_format=request.form.get("format", ""),
        participant_ids=ids,
        title=request.form.get("title", ""),
    )
    commit()
    due = l2_sessions.l2_due(web.db_session(), context_id=launch.context_id, toolkit=toolkit)
    outcome = _push_due_date(launch, toolkit, "l2", due)
    url = launch_url_for("l2.plan", launch, scheduled=group.id, l2_due_date=outcome)
    return redirect(url + f"#session-{group.id}", code=303)
