"""Programme pages in a real browser, inside the sandbox LMS's iframe, over real HTTP.

A lead launched from the course starts the ten-week programme for the course's learners, moves a date
onto a bank holiday and sees it pointed out, takes a register and reads the cohort view; a learner sees
their timeline. Every page passes axe-core (WCAG 2.2 AA) at 320 and 1280 pixels wide without sideways
scrolling. Screenshots go to /tmp/shots/programmes/ for people to look at (never into the repository).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lti_tool.browser.programme_support import submit_start
from tests.lti_tool.browser.support import (
    LmsStack,
    check_at_widths,
    go_in_frame,
    lms_stack,
    open_in_lms_frame,
    tool_frame,
)

SHOTS = Path("/tmp/shots/programmes")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LmsStack]:
    l1 = {"title": "Participatory practice: L1", "custom": {"toolkit_id": "participatory-practice", "part": "l1"}}
    with lms_stack(tmp_path, {"l1": l1}) as served:
        yield served


def test_a_lead_plans_a_programme_and_a_learner_follows_it(chromium: Any, stack: LmsStack) -> None:
    learners = ("learner1", "learner2", "learner3")
    for name in learners:  # each learner opens the course once, so the tool knows them
        context = chromium.new_context()
        open_in_lms_frame(context.new_page(), stack.sandbox.url, stack.placements["l1"], name)
        context.close()

    lead = chromium.new_context().new_page()
    open_in_lms_frame(lead, stack.sandbox.url, stack.placements["l1"], "facilitator")
    frame = go_in_frame(lead, "/programmes/", "Start a programme for a cohort")
    check_at_widths(lead, SHOTS, "index")
    lead.set_viewport_size({"width": 1280, "height": 900})
    frame = tool_frame(lead)
    # A wrong form comes back as the same page with an error summary, the name kept.
    frame.get_by_label("Ten weeks", exact=False).first.check()
    frame.fill("#cohort_name", "Cohort A")
    frame.get_by_role("button", name="Start the programme").click()
    frame = tool_frame(lead)
    frame.get_by_text("There is a problem").first.wait_for()
    assert frame.input_value("#cohort_name") == "Cohort A"
    check_at_widths(lead, SHOTS, "index-error")
    lead.set_viewport_size({"width": 1280, "height": 900})
    submit_start(tool_frame(lead))
    frame = tool_frame(lead)
    frame.get_by_text("Programme started").first.wait_for()
    assert "Monday 1 March 2027" in frame.content()
    check_at_widths(lead, SHOTS, "run")

    # Move the assessment workshop onto Easter Monday: the timeline points it out.
    lead.set_viewport_size({"width": 1280, "height": 900})
    frame = tool_frame(lead)
    frame.get_by_role("link", name="Workshop: assessment in practice", exact=False).first.click()
    frame = tool_frame(lead)
    frame.get_by_text("Date, time and place").first.wait_for()
    check_at_widths(lead, SHOTS, "event")
    frame = tool_frame(lead)
    frame.fill("#day-day", "29")
    frame.fill("#day-month", "3")
    frame.fill("#day-year", "2027")
    frame.fill("#place", "Civic Centre, room 4")
    frame.get_by_role("button", name="Save this date").click()
    frame = tool_frame(lead)
    frame.get_by_text("Bank holiday: Easter Monday").first.wait_for()

    # Register for the discovery day: two of three attended.
    frame.get_by_role("link", name="Discovery day", exact=False).first.click()
    frame = tool_frame(lead)
    frame.get_by_text("Who attended?").first.wait_for()
    boxes = frame.locator("input[name=present]").all()
    boxes[0].check()
    boxes[1].check()
    frame.get_by_role("button", name="Save the register").click()
    frame = tool_frame(lead)
    frame.get_by_text("Register saved").first.wait_for()
    assert frame.get_by_text("Done").count() >= 2
    check_at_widths(lead, SHOTS, "cohort")
    # And for the launch workshop, with the same two (issue 12: they are asked for feedback on it).
    frame = go_in_frame(lead, "/programmes/1", "Programme launch workshop")
    frame.get_by_role("link", name="Programme launch workshop", exact=False).first.click()
    frame = tool_frame(lead)
    frame.get_by_text("Who attended?").first.wait_for()
    for box in frame.locator("input[name=present]").all()[:2]:
        box.check()
    frame.get_by_role("button", name="Save the register").click()
    frame = tool_frame(lead)
    frame.get_by_text("Register saved").first.wait_for()
    frame = go_in_frame(lead, "/programmes/1/pairings", "Coaches, mentors and protected time")
    check_at_widths(lead, SHOTS, "pairings")
    frame = go_in_frame(lead, "/programmes/1/supporting", "Your one-to-ones")
    check_at_widths(lead, SHOTS, "supporting")

    learner = chromium.new_context().new_page()
    open_in_lms_frame(learner, stack.sandbox.url, stack.placements["l1"], "learner1")
    frame = go_in_frame(learner, "/programmes/1/timeline", "Your programme: Cohort A")
    assert "Week 10" in frame.content()
    check_at_widths(learner, SHOTS, "timeline")
    # Sam attended the discovery day: its reflection is open; an empty submit comes back with errors.
    frame.get_by_role("link", name="Discovery day", exact=False).first.click()
    frame = tool_frame(learner)
    frame.get_by_text("Reflection: Discovery day").first.wait_for()
    check_at_widths(learner, SHOTS, "reflection")
    frame = tool_frame(learner)
    frame.get_by_role("button", name="Submit to my CPD portfolio").click()
    frame = tool_frame(learner)
    frame.get_by_text("There is a problem").first.wait_for()
    check_at_widths(learner, SHOTS, "reflection-error")
    frame = go_in_frame(learner, "/programmes/1/timeline", "Your programme: Cohort A")
    frame.get_by_role("link", name="Mentoring conversation").first.click()
    frame = tool_frame(learner)
    frame.get_by_text("Actions agreed").first.wait_for()
    check_at_widths(learner, SHOTS, "meeting")
    frame = go_in_frame(learner, "/programmes/1/calendar", "Add your programme to your calendar")
    frame.get_by_role("button", name="Get my calendar address").click()
    frame = tool_frame(learner)
    frame.get_by_text("Copy it now").first.wait_for()
    check_at_widths(learner, SHOTS, "calendar")
    frame = go_in_frame(learner, "/programmes/1/plan", "Your development plan")
    check_at_widths(learner, SHOTS, "plan")
    # Two questions on the launch workshop they attended: a send without a rating comes back, then it goes.
    frame = go_in_frame(learner, "/programmes/1/timeline", "How did it go?")
    frame.get_by_role("link", name="Give feedback on Programme launch workshop").click()
    frame = tool_frame(learner)
    frame.get_by_text("Feedback on the session").first.wait_for()
    check_at_widths(learner, SHOTS, "session-feedback")
    frame = tool_frame(learner)
    frame.fill("#change", "Start on time")
    frame.get_by_role("button", name="Send feedback").click()
    frame = tool_frame(learner)
    frame.get_by_text("There is a problem").first.wait_for()
    assert frame.input_value("#change") == "Start on time"
    check_at_widths(learner, SHOTS, "session-feedback-error")
    frame = tool_frame(learner)
    frame.get_by_label("Useful", exact=True).check()
    frame.get_by_role("button", name="Send feedback").click()
    frame = tool_frame(learner)
    frame.get_by_text("your feedback on the session is sent").first.wait_for()
    assert "Feedback sent" in frame.content() and "How did it go?" not in frame.content()
