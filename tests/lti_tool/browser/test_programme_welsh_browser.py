"""The programme lead's pages and a participant's development plan in Welsh in a real browser (issue 13):
a lead starts a programme (in English), then the lead and a learner whose LMS launches with `locale`
`cy-GB` open the run's dates, one date with its register, the cohort view and the development plan inside
the sandbox LMS's iframe. Each is `<html lang="cy">`, axe-core finds nothing at 320 px and 1280 px, and
nothing scrolls sideways (the cohort's tables scroll inside their own focusable region).
Screenshots: /tmp/shots/welshprog/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.lti_tool.browser.programme_support import in_welsh, open_in_welsh, start_ten_week_programme
from tests.lti_tool.browser.support import LmsStack, check_at_widths, needs_axe, tool_frame
from tests.lti_tool.browser.support import go_in_frame as _go
from tests.lti_tool.browser.test_programme_browser import stack as stack

SHOTS = Path("/tmp/shots/welshprog")


@needs_axe
def test_the_welsh_programme_pages_pass_axe_at_320_and_1280(chromium: Any, stack: LmsStack) -> None:
    start_ten_week_programme(chromium, stack.sandbox.url, stack.placements["l1"], "Carfan Gwynedd")

    welsh_lead = open_in_welsh(chromium, stack, "facilitator")
    frame = _go(welsh_lead, "/programmes/", "Rhaglenni yn y cwrs hwn")
    check_at_widths(welsh_lead, SHOTS, "programmes", ready=in_welsh)
    frame = _go(welsh_lead, "/programmes/1", "Symud y rhaglen gyfan")
    check_at_widths(welsh_lead, SHOTS, "run", ready=in_welsh)
    frame.locator("a[href*='/programmes/1/events/']").first.click()
    frame = tool_frame(welsh_lead)
    frame.get_by_text("Dyddiad, amser a lle").first.wait_for()
    check_at_widths(welsh_lead, SHOTS, "event", ready=in_welsh)
    _go(welsh_lead, "/programmes/1/cohort", "Cynnydd fesul cyfranogwr")
    check_at_widths(welsh_lead, SHOTS, "cohort", ready=in_welsh)

    learner = open_in_welsh(chromium, stack, "learner1")
    _go(learner, "/programmes/1/plan", "Ychwanegu nod")
    check_at_widths(learner, SHOTS, "plan", ready=in_welsh)
