"""L2 pages: the facilitator's plan, control page, shared screen and dashboard; the participant's pages.

Thin views over `services.l2` and `services.dashboard`. Every page belongs to the launch: its
course and toolkit decide what exists, so a session, learner or reflection of another course is
"not found". Facilitator pages need a facilitator launch. Live pages poll `…/live-fragment?since=N`
(`static/l2.js`): the server answers 204 while nothing changed, else the new HTML of the live region,
so there is one renderer (Jinja) and every page also works without JavaScript (reload to update).
"""

from lti_tool.views.l2 import dashboard, documents, participant, plan, reflection, run  # register the routes
from lti_tool.views.l2.common import bp
from lti_tool.views.l2.participant import register_launch_targets

__all__ = ["bp", "dashboard", "documents", "participant", "plan", "reflection", "register_launch_targets", "run"]
