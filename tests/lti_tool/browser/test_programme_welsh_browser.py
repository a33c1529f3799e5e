"""The programme lead's pages and a participant's development plan in Welsh in a real browser (issue 13):
a lead starts a programme (in English), then the lead and a learner whose LMS launches with `locale`
`cy-GB` open the run's dates, one date with its register, the cohort view and the development plan inside
the sandbox LMS's iframe. Each is `<html lang="cy">`, axe-core finds nothing at 320 px and 1280 px, and
nothing scrolls sideways (the cohort's tables scroll inside their own focusable region).
Screenshots: /tmp/shots/welshprog/.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from tests.lti_tool.browser.support import check_at_widths, needs_axe, open_in_lms_frame, tool_frame
from tests.lti_tool.browser.support import go_in_frame as _go
from tests.lti_tool.browser.test_programme_browser import Stack
from tests.lti_tool.browser.test_programme_browser import stack as stack

SHOTS = Path("/tmp/shots/welshprog")


def _in_welsh(frame: Any) -> None:
    assert frame.evaluate("document.documentElement.lang") == "cy"


def _welsh(lms: Stack, name: str) -> None:
    users = lms.sandbox.platform.users
    users[name] = dataclasses.replace(users[name], locale="cy-GB")


@needs_axe
def test_the_welsh_programme_pages_pass_axe_at_320_and_1280(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context()
    open_in_lms_frame(context.new_page(), stack.sandbox.url, stack.placement, "learner1")
    context.close()
    lead = chromium.new_context().new_page()
    open_in_lms_frame(lead, stack.sandbox.url, stack.placement, "facilitator")
    frame = _go(lead, "/programmes/", "Start a programme for a cohort")
    frame.get_by_label("Ten weeks", exact=False).first.check()
    frame.fill("#cohort_name", "Carfan Gwynedd")
    frame.fill("#starts_on-day", "1")
    frame.fill("#starts_on-month", "3")
    frame.fill("#starts_on-year", "2027")
    for checkbox in frame.locator("input[name=participants]").all():
        checkbox.check()
    frame.get_by_role("button", name="Start the programme").click()
    tool_frame(lead).get_by_text("Programme started").first.wait_for()

    _welsh(stack, "facilitator")
    welsh_lead = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    open_in_lms_frame(welsh_lead, stack.sandbox.url, stack.placement, "facilitator")
    frame = _go(welsh_lead, "/programmes/", "Rhaglenni yn y cwrs hwn")
    check_at_widths(welsh_lead, SHOTS, "programmes", ready=_in_welsh)
    frame = _go(welsh_lead, "/programmes/1", "Symud y rhaglen gyfan")
    check_at_widths(welsh_lead, SHOTS, "run", ready=_in_welsh)
    frame.locator("a[href*='/programmes/1/events/']").first.click()
    frame = tool_frame(welsh_lead)
    frame.get_by_text("Dyddiad, amser a lle").first.wait_for()
    check_at_widths(welsh_lead, SHOTS, "event", ready=_in_welsh)
    _go(welsh_lead, "/programmes/1/cohort", "Cynnydd fesul cyfranogwr")
    check_at_widths(welsh_lead, SHOTS, "cohort", ready=_in_welsh)

    _welsh(stack, "learner1")
    learner = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    open_in_lms_frame(learner, stack.sandbox.url, stack.placement, "learner1")
    _go(learner, "/programmes/1/plan", "Ychwanegu nod")
    check_at_widths(learner, SHOTS, "plan", ready=_in_welsh)
