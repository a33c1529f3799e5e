"""What the programme browser tests share: a lead starting the ten-week programme, and a Welsh speaker."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.lti_tool.browser.support import LmsStack, go_in_frame, open_in_lms_frame, tool_frame


def start_ten_week_programme(chromium: Any, sandbox_url: str, placement: str, cohort_name: str) -> None:
    """learner1 launches once (so the roster knows them), then the lead starts the ten-week programme
    for 1 March 2027 with every participant ticked, from the programme page in the LMS's frame."""
    context = chromium.new_context()
    open_in_lms_frame(context.new_page(), sandbox_url, placement, "learner1")
    context.close()
    lead = chromium.new_context().new_page()
    open_in_lms_frame(lead, sandbox_url, placement, "facilitator")
    frame = go_in_frame(lead, "/programmes/", "Start a programme for a cohort")
    frame.get_by_label("Ten weeks", exact=False).first.check()
    frame.fill("#cohort_name", cohort_name)
    submit_start(frame)
    tool_frame(lead).get_by_text("Programme started").first.wait_for()
    lead.context.close()


def submit_start(frame: Any) -> None:
    """On the start form: 1 March 2027, every participant ticked, then Start the programme."""
    frame.fill("#starts_on-day", "1")
    frame.fill("#starts_on-month", "3")
    frame.fill("#starts_on-year", "2027")
    for checkbox in frame.locator("input[name=participants]").all():
        checkbox.check()
    frame.get_by_role("button", name="Start the programme").click()


def speaks_welsh(platform: Any, name: str) -> None:
    """The sandbox LMS sends this person's launches with the locale cy-GB from now on."""
    platform.users[name] = dataclasses.replace(platform.users[name], locale="cy-GB")


def open_in_welsh(chromium: Any, stack: LmsStack, name: str) -> Any:
    """From now on `name` speaks Welsh: a new 1280 px page holding their launch of the L1 placement."""
    speaks_welsh(stack.platform, name)
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    open_in_lms_frame(page, stack.sandbox.url, stack.placements["l1"], name)
    return page


def in_welsh(frame: Any) -> None:
    """`check_at_widths`'s `ready`: the tool's page is in Welsh at this width too."""
    assert frame.evaluate("document.documentElement.lang") == "cy"
