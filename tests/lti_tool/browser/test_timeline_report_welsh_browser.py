"""The programme timeline and the evaluation report in Welsh in a real browser (issue 13): a lead starts a
programme (in English), then a learner and the lead whose LMS launches with `locale` `cy-GB` open the
timeline and the course's evaluation report inside the sandbox LMS's iframe. Both are `<html lang="cy">`
and axe-core finds nothing at 320 px and 1280 px, with no sideways scroll. Screenshots: /tmp/shots/welsh-b/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.lti_tool.browser.programme_support import in_welsh, open_in_welsh, start_ten_week_programme
from tests.lti_tool.browser.support import LmsStack, check_at_widths, needs_axe
from tests.lti_tool.browser.support import go_in_frame as _go
from tests.lti_tool.browser.test_programme_browser import stack as stack

SHOTS = Path("/tmp/shots/welsh-b")


@needs_axe
def test_the_welsh_timeline_and_evaluation_report_pass_axe(chromium: Any, stack: LmsStack) -> None:
    start_ten_week_programme(chromium, stack.sandbox.url, stack.placements["l1"], "Cohort A")

    learner = open_in_welsh(chromium, stack, "learner1")
    _go(learner, "/programmes/1/timeline", "Eich rhaglen: Cohort A")
    check_at_widths(learner, SHOTS, "timeline", ready=in_welsh)

    welsh_lead = open_in_welsh(chromium, stack, "facilitator")
    _go(welsh_lead, "/evaluation/report", "Adroddiad gwerthuso ar gyfer y cwrs hwn")
    check_at_widths(welsh_lead, SHOTS, "evaluation-report", ready=in_welsh)
