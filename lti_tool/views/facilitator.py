"""The facilitator's landing page after a launch: the toolkit, who they are here, and the placement.

Deliberately small: the facilitator dashboard (readiness, L2 session, grades) extends it later.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.access import facilitator_required
from lti_tool.launch_targets import LaunchTargets
from lti_tool.lti.session import launch_url_for, require_launch
from lti_tool.models import Context, LtiUser, ResourceLink
from lti_tool.services import outbox
from lti_tool.views import l1
from lti_tool.views.player import launched_toolkit

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")


@bp.get("/")
@facilitator_required
def home() -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    toolkit = launched_toolkit(launch)
    return render_template(
        "facilitator/home.html",
        **l1.roster_table(launch, toolkit),
        launch=launch,
        toolkit=toolkit,
        user=session.get(LtiUser, launch.user_id),
        context=session.get(Context, launch.context_id),
        link=session.get(ResourceLink, launch.resource_link_id) if launch.resource_link_id else None,
        dashboard_url=launch_url_for("l2.dashboard_page", launch),
        plan_url=launch_url_for("l2.plan", launch),
        passback_url=launch_url_for("passback.undelivered", launch),
        undelivered_count=len(outbox.undelivered(session, launch.context_id)),
    )


def register_launch_targets(targets: LaunchTargets) -> None:
    """A facilitator's L1 or L2 launch opens this page."""
    targets.add("facilitator.home", lambda _launch: home())
