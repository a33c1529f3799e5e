"""The learner's landing pages after a launch: the L1 start page and the L2 session landing page.

Deliberately small: the full L1 player and L2 session pages extend these (see issue 4 onwards).
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template
from flask.typing import ResponseReturnValue

from lti_tool import launch_targets, web
from lti_tool.access import launch_required
from lti_tool.errors import NotFound
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.services import progress
from lti_tool.views import l1
from lti_tool.views.l1_player import LearnerDates, learner_dates
from toolkits.model import Toolkit

bp = Blueprint("player", __name__, url_prefix="/player")


def launched_toolkit(launch: CurrentLaunch) -> Toolkit:
    toolkit = web.catalogue().get(launch.toolkit_id)
    if toolkit is None:
        raise NotFound("This toolkit is no longer available.", reason="toolkit_gone")
    return toolkit


def landing(launch: CurrentLaunch) -> ResponseReturnValue:
    """What an L1 launch answers with (the launch POST renders it, no redirect): a returning learner's
    page where they stopped, or the start page for a learner who has not started."""
    page, player = l1.landing_page()
    page = launch_targets.due_first(launch, l1_started=page is not None) or page  # issue 12
    if page is not None:
        return page
    g.launch_page_url = launch_url_for("player.start", launch)
    return _start_page(launch, player.dates or learner_dates(launch))


def _start_page(launch: CurrentLaunch, dates: LearnerDates) -> ResponseReturnValue:
    toolkit = launched_toolkit(launch)
    return render_template(
        "player/start.html",
        toolkit=toolkit,
        launch=launch,
        start_url=l1.view_url(progress.steps(toolkit)[0], launch),
        steps=[progress.step_title(toolkit, step) for step in progress.steps(toolkit)],
        dates=dates,
        l2_url=launch_url_for("l2.home", launch),
    )


@bp.get("/")
@launch_required
def start() -> ResponseReturnValue:
    launch = require_launch()
    # A returning learner goes straight back to the page where they stopped in the L1 player.
    if l1.has_started(launch):
        return redirect(launch_url_for("l1.resume", launch), code=303)
    return _start_page(launch, learner_dates(launch))


@bp.get("/session")
@launch_required
def session() -> ResponseReturnValue:
    launch = require_launch()
    due = launch_targets.due_first(launch, l1_started=True)  # issue 12: a follow-up or after-L2 questions left
    if due is not None:
        return due
    return render_template("player/session.html", toolkit=launched_toolkit(launch), launch=launch)


def register_launch_targets(targets: launch_targets.LaunchTargets) -> None:
    """A learner's L1 launch opens the page where they stopped, or the start page."""
    targets.add("player.start", landing)
    targets.add("l1.begin_after_questions", lambda _launch: l1.begin_after_questions())
