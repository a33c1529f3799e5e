"""Evaluation built in (issue 12): before and after questionnaires, session feedback, follow-ups on the
action planned in L2, reports for leads that show only groups of 5 or more, and certificates.

Plain modules, no Flask. Every function that depends on the time takes `now` (the views pass the app's
clock, which tests replace), so "three months after L2" is tested without waiting three months.
Evaluation data are kept apart from reflections (ARCHITECTURE.md, "Evaluation"); docs/evaluation.md.
"""

from __future__ import annotations

from lti_tool.services.evaluation.followups import ImpactRecord, impact_records

__all__ = ["ImpactRecord", "impact_records"]
