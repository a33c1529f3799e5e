"""Programme pages (issue 16): the lead's planning, cohort view and registers; each participant's timeline,
reflections, one-to-ones, development plan and calendar. Thin views over `services.programmes`.

A run belongs to the launch's course: every page looks it up with the launch's context, so another
course's runs are "not found"; participant pages also check the launch's user is in the run.
"""

from __future__ import annotations

from lti_tool.views.programmes import evaluation, lead, learner
from lti_tool.views.programmes.common import bp

__all__ = ["bp", "evaluation", "lead", "learner"]
