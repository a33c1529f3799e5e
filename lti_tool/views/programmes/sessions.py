"""From a programme to its toolkit L2 sessions: the lead runs them, participants join, on the L2 pages.

The L2 pages belong to an L2 launch (its toolkit and placement decide what exists). A programme launch
is not one, so this page derives one from it: the same person, role and course, with the toolkit's L2
placement in this course (`services.programmes.group_sessions.l2_placement`). It is kept in the
session under a launch id derived from the programme launch's, so going back and forth replaces it
rather than pushing the programme launch out of the session's short list.
"""

from __future__ import annotations

from dataclasses import replace

from flask import redirect
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.access import launch_required
from lti_tool.errors import NotFound
from lti_tool.lti.session import CurrentLaunch, launch_url_for, remember, require_launch
from lti_tool.models import ResourceLink
from lti_tool.services.l2 import scheduling
from lti_tool.services.l2.formats import CLOSED
from lti_tool.services.programmes import group_sessions, runs
from lti_tool.views.programmes.common import bp, programme_of, the_run
from lti_tool.words import N_


def l2_launch(launch: CurrentLaunch, link: ResourceLink) -> CurrentLaunch:
    """The programme launch as a launch of the toolkit's L2 placement in the same course."""
    derived = replace(
        launch,
        launch_id=f"{launch.launch_id.split('~')[0]}~l2-{link.id}",
        resource_link_id=link.id,
        toolkit_id=link.toolkit_id,
        part="l2",
        deep_link={},
    )
    if not derived.cookieless:
        remember(derived)
    return derived


@bp.get("/<int:run_id>/events/<int:event_id>/l2")
@launch_required
def l2_session(run_id: int, event_id: int) -> ResponseReturnValue:
    """The lead to the session's control page; a participant to it live, or to their L2 reflection after."""
    launch = require_launch()
    run = the_run(launch, run_id)
    session = web.db_session()
    if not launch.is_facilitator and runs.participant_for(session, run, launch.user_id) is None:
        raise NotFound(N_("You are not a participant of this programme."), reason="not_programme_participant")
    event = runs.get_event(session, run, event_id)
    activity = group_sessions.toolkit_l2(programme_of(run), event)
    group = group_sessions.group_of(session, event)
    toolkit = web.catalogue().get(activity.toolkit) if activity and activity.toolkit else None
    if toolkit is None or group is None:
        raise NotFound(
            N_("This session has not been opened yet."),
            reason="programme_l2_not_open",
            advice=N_("Come back from your programme's timeline on the day of the session."),
        )
    derived = l2_launch(launch, group_sessions.l2_placement(session, context_id=run.context_id, toolkit=toolkit))
    session.commit()  # a placement made for the purpose
    if launch.is_facilitator:
        return redirect(launch_url_for("l2.run", derived, session_id=group.id), code=303)
    scheduling.require_participant(session, group, launch.user_id)
    if group.status == CLOSED:
        return redirect(launch_url_for("l2.reflection", derived), code=303)
    return redirect(launch_url_for("l2.live", derived, session_id=group.id), code=303)
