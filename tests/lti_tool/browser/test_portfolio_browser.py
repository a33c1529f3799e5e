"""The CPD portfolio in a real browser (Debian chromium), inside the sandbox LMS's iframe (issue 10 item 10).

A learner adds CPD done elsewhere, gets the date wrong, sees the error summary with everything they
typed still there, fixes it, and finds the record counted; every portfolio page has no axe-core
violation and no sideways scroll at 320 px and 1280 px. Screenshots go to /tmp/shots/portfolio/ (set
SWOTT_SHOTS to change it) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import update

from lti_tool import web
from lti_tool.models import Platform
from tests.lti_tool.browser.support import (
    check_at_widths,
    goto_keeping_launch,
    needs_axe,
    open_in_lms_frame,
    tool_frame,
)
from tests.lti_tool.l1_stack import Stack, stack_fixture  # noqa: F401 - the `stack` fixture

SHOTS = Path(os.environ.get("SWOTT_SHOTS", "/tmp/shots/portfolio"))


def _heading(frame: Any) -> None:
    frame.locator("h1").first.wait_for()


@needs_axe
def test_add_cpd_done_elsewhere_with_an_error_then_fixed_inside_the_lms_frame(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    frame = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner1")
    goto_keeping_launch(frame, "/portfolio/")
    frame = tool_frame(page)
    frame.get_by_role("heading", name="Your CPD portfolio").wait_for()
    assert "0 of 2 pieces of CPD, 0 of 1 with peer reflection." in frame.locator("#cpd-counter").inner_text()
    check_at_widths(page, SHOTS, ready=_heading, name="index-empty")

    frame.get_by_role("button", name="Add CPD done elsewhere").click()
    frame = tool_frame(page)
    frame.get_by_role("heading", name="Add CPD done elsewhere").wait_for()
    check_at_widths(page, SHOTS, ready=_heading, name="add")

    frame = tool_frame(page)
    frame.get_by_label("Title").fill("Safeguarding adults refresher")
    frame.locator("#done_on-day").fill("31")
    frame.locator("#done_on-month").fill("2")
    frame.locator("#done_on-year").fill("2026")
    frame.get_by_label("Course or training").check()
    frame.get_by_label("Time spent, in hours").fill("1.5")
    frame.get_by_label("What you learnt", exact=True).fill("Making safeguarding personal in practice")
    frame.locator("#impact").fill("I ask the person what they want first")
    frame.locator("#peer").check()  # "Yes"
    frame.locator("#peer_with").fill("a colleague in my team")
    frame.locator("#peer_reflection").fill("We compared two of our cases")
    frame.get_by_role("button", name="Add this record").click()

    frame = tool_frame(page)
    frame.get_by_text("There is a problem").first.wait_for()
    summary = frame.locator(".govuk-error-summary")
    assert "Date must be a real date" in summary.inner_text()
    # Everything typed is kept, the wrong date included.
    assert frame.locator("#title").input_value() == "Safeguarding adults refresher"
    assert frame.locator("#done_on-day").input_value() == "31"
    assert frame.locator("#hours").input_value() == "1.5"
    assert frame.locator("#peer_reflection").input_value() == "We compared two of our cases"
    assert frame.locator("#peer").is_checked()
    check_at_widths(page, SHOTS, ready=_heading, name="add-error")

    frame = tool_frame(page)
    frame.locator("#done_on-day").fill("28")
    today = frame.evaluate("new Date().toISOString().slice(0, 10)")
    year, month, day = today.split("-")
    frame.locator("#done_on-day").fill(str(int(day)))
    frame.locator("#done_on-month").fill(str(int(month)))
    frame.locator("#done_on-year").fill(year)
    frame.get_by_role("button", name="Add this record").click()

    frame = tool_frame(page)
    frame.get_by_text("CPD record added.").first.wait_for()
    assert "1 of 2 pieces of CPD, 1 of 1 with peer reflection." in frame.locator("#cpd-counter").inner_text()
    assert frame.get_by_role("heading", name="Safeguarding adults refresher").is_visible()
    check_at_widths(page, SHOTS, ready=_heading, name="index-with-record")

    frame = tool_frame(page)
    frame.get_by_role("link", name="Delete Safeguarding adults refresher").click()
    frame = tool_frame(page)
    frame.get_by_role("heading", name="Delete “Safeguarding adults refresher”?").wait_for()
    check_at_widths(page, SHOTS, ready=_heading, name="delete")

    goto_keeping_launch(tool_frame(page), "/portfolio/settings")
    frame = tool_frame(page)
    frame.get_by_role("heading", name="Your regulator and registration").wait_for()
    check_at_widths(page, SHOTS, ready=_heading, name="settings")
    context.close()


@needs_axe
def test_a_scottish_platforms_learner_sees_the_sssc_portfolio_inside_the_lms_frame(chromium: Any, stack: Stack) -> None:
    with stack.app.app_context():
        session = web.db_session()
        session.execute(update(Platform).values(default_regulator="sssc"))
        session.commit()
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    frame = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner2")
    goto_keeping_launch(frame, "/portfolio/")
    frame = tool_frame(page)
    frame.get_by_role("heading", name="This declaration year", exact=True).wait_for()
    assert "0 of 8 core learning elements covered." in frame.locator("#cpd-counter").inner_text()
    check_at_widths(page, SHOTS, ready=_heading, name="sssc-index")
    goto_keeping_launch(tool_frame(page), "/portfolio/records/add")
    frame = tool_frame(page)
    frame.get_by_text("Core learning elements it covers (optional)").wait_for()
    assert frame.get_by_label("Title of the learning").is_visible()
    check_at_widths(page, SHOTS, ready=_heading, name="sssc-add")
    context.close()
