"""Programme pages (issue 16): the lead's planning, cohort view and registers; each participant's timeline,
reflections, one-to-ones, development plan and calendar. Thin views over `services.programmes`.

A run belongs to the launch's course: every page looks it up with the launch's context, so another
course's runs are "not found"; participant pages also check the launch's user is in the run.
"""

from __future__ import annotations

from typing import Any

from lti_tool.launch_targets import LaunchTargets
from lti_tool.lti.session import CurrentLaunch
from lti_tool.views.programmes import evaluation, lead, learner, sessions
from lti_tool.views.programmes.common import bp

__all__ = ["bp", "evaluation", "lead", "learner", "register_launch_targets", "sessions"]


def _participant_run(launch: CurrentLaunch) -> tuple[str, dict[str, Any]] | None:
    run = learner.launch_run(launch)
    return None if run is None else ("programmes.timeline_page", {"run_id": run.id})


def register_launch_targets(targets: LaunchTargets) -> None:
    """A programme placement: the lead's landing page; a participant's run timeline, or their runs."""
    targets.add("programmes.index", lambda _launch: lead.landing())
    targets.add("programmes.mine", lambda _launch: learner.mine(), resolve=_participant_run)
    # Issue 12: the programme's before questionnaire on the first launch, the after one at its end.
    targets.add(
        "programmes.timeline_page",
        lambda launch, run_id: evaluation.on_launch(launch, run_id) or learner.timeline_page(run_id),
    )
