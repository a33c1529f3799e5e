"""The L1 journey as a learner meets it: launched from the sandbox LMS, the tool inside the LMS's iframe
(issue 10 items 1, 3, 6 and 9), at 320 px and 1280 px.

On every L1 page: axe-core (WCAG 2.0-2.2 A/AA) finds nothing and nothing scrolls sideways. After every
submit the LMS frame is as tall as the tool's page (± 50 px, shrinking as well as growing) and the
result's heading is at the top of what the learner sees. The learner's L1 deadline and L2 session are on
their pages; coming back says where they left off; after completion no "minutes left" remains; and a
keyboard alone completes L1 from the LMS page into the frame.
Screenshots of each page go to /tmp/shots/l1-pages/ (never the repository) for a person to look at.
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool import web
from lti_tool.models import Context, LtiUser
from lti_tool.services import l2 as l2_sessions
from tests.lti_tool.browser.support import (
    AXE,
    assert_accessible,
    assert_no_horizontal_scroll,
    frame_fits_content,
    open_in_lms_frame,
    tool_frame,
)
from tests.lti_tool.browser.test_l1_browser import _choose_radio, _tab_to, press_and_wait
from tests.lti_tool.l1_stack import Stack, stack_fixture  # noqa: F401 - the `stack` fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci`"),
]
SHOTS = Path(os.environ.get("SWOTT_SHOTS_DIR", "/tmp/shots/l1-pages"))
DEADLINE = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)  # 5pm in January: GMT, so 5pm UK time
SESSION = datetime(2027, 1, 20, 14, 30, tzinfo=UTC)


def _plan_dates(stack: Stack, user: str) -> None:
    """The facilitator's plan, straight into the database: an L1 deadline and an L2 session for `user`."""
    with stack.app.app_context():
        session = web.db_session()
        learner = session.scalars(select(LtiUser).where(LtiUser.sub == stack.platform.user(user).sub)).one()
        context = session.scalars(select(Context)).one()
        toolkit = web.catalogue().get("mini")
        assert toolkit is not None
        l2_sessions.set_l1_deadline(session, context_id=context.id, toolkit_id="mini", deadline=DEADLINE)
        l2_sessions.schedule_session(
            session,
            context_id=context.id,
            toolkit=toolkit,
            starts_at=SESSION,
            place="Room 4, Civic Centre",
            participant_ids=[learner.id],
        )
        session.commit()


def _in_view(page: Any, frame: Any, selector: str) -> None:
    """The element's top is in the top half of the LMS window the learner is looking at."""
    where = (0, 0)
    for _ in range(60):
        frame_top = page.evaluate("document.querySelector('iframe.tool').getBoundingClientRect().top")
        element_top = frame.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().top")
        height = page.evaluate("window.innerHeight")
        where = (round(frame_top + element_top), height)
        if -5 <= where[0] <= height / 2:
            return
        time.sleep(0.1)
    raise AssertionError(f"{selector} is at {where[0]} px in a {where[1]} px window: not in view")


def _check(page: Any, frame: Any, name: str, width: int) -> None:
    assert_accessible(frame)
    assert_no_horizontal_scroll(frame)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _after_submit(page: Any, text: str, result: str) -> Any:
    frame = tool_frame(page)
    frame.get_by_text(text).first.wait_for()
    frame = tool_frame(page)
    frame_fits_content(page)
    _in_view(page, frame, result)
    return frame


@pytest.mark.parametrize("width", [320, 1280])
def test_l1_in_the_lms_frame_fits_shows_results_and_passes_axe(chromium: Any, stack: Stack, width: int) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    frame = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner1")
    frame_fits_content(page)
    _check(page, frame, "01-start", width)
    _plan_dates(stack, "learner1")

    frame.locator("#start").click()
    frame = _after_submit(page, "Page 1 of 4", "h1")
    main = frame.inner_text("main")
    # The learner's dates on their L1 pages, written the GOV.UK way in UK time.
    assert "Finish L1 by" in main and "15 January 2027, 5pm" in main
    assert "20 January 2027, 2:30pm" in main and "Room 4, Civic Centre" in main
    _check(page, frame, "02-page", width)

    frame.locator("button[data-step-nav=next]").click()
    frame = _after_submit(page, "Question 1 of 2", "h1")
    _check(page, frame, "03-check", width)
    # Checking without choosing: the error summary at the top, the message by the question.
    frame.locator("#q-q-one button[type=submit]").click()
    frame = _after_submit(page, "There is a problem", ".govuk-error-summary")
    assert frame.locator("#q-q-one-error").inner_text().strip().endswith("Choose an answer before checking it.")
    _check(page, frame, "04-check-error", width)
    frame.locator("label[for=q-q-one-a]").click()  # the label beside the box chooses it
    frame.locator("#q-q-one button[type=submit]").click()
    frame = _after_submit(page, "You got this one right.", "#feedback-q-one")
    frame.locator("#q-q-two-a").check()
    frame.locator("#q-q-two-c").check()
    frame.locator("#q-q-two button[type=submit]").click()
    frame = _after_submit(page, "Not quite.", "#feedback-q-two")
    _check(page, frame, "05-check-feedback", width)

    frame.locator("button[data-step-nav=next]").click()
    frame = _after_submit(page, "Your notes are private", "h1")
    frame.fill("#note-think-one", "Ladders and audiences")
    _check(page, frame, "06-thinking", width)
    frame.locator("button[name=go][value=reflection]").click()
    frame = _after_submit(page, "Your Social Work England CPD record", "h1")
    _check(page, frame, "07-reflection", width)

    # Submitting too soon: the same page, errors listed at the top, every word kept.
    frame.fill("#field-description", "A review meeting where the child's views were read out.")
    frame.fill("#field-cpd_date-day", "31")
    frame.fill("#field-cpd_date-month", "2")
    frame.fill("#field-cpd_date-year", "2026")
    frame.locator("button[name=action][value=submit]").click()
    frame = _after_submit(page, "There is a problem", ".govuk-error-summary")
    assert frame.input_value("#field-description") == "A review meeting where the child's views were read out."
    assert frame.input_value("#field-cpd_date-day") == "31"
    assert "The date must be a real date" in frame.inner_text(".govuk-error-summary")
    _check(page, frame, "08-reflection-errors", width)

    for box in ("feelings", "evaluation", "analysis", "conclusion", "action_plan", "cpd_description",
                "cpd_learnt", "cpd_impact"):  # fmt: skip
        frame.fill(f"#field-{box}", f"My {box.replace('_', ' ')}")
    frame.fill("#field-cpd_date-day", "20")
    frame.fill("#field-cpd_date-month", "11")
    # The long reflection form's button is far down the LMS page; the summary is much shorter.
    reflection_height, _ = frame_fits_content(page)
    frame.locator("button[name=action][value=submit]").click()
    frame = _after_submit(page, "You have completed L1", "#result-title")  # the banner's heading
    summary_height, _ = frame_fits_content(page)
    assert summary_height < reflection_height - 500, "the frame shrinks to the shorter page"
    assert "minutes left" not in frame.inner_text("main")
    _check(page, frame, "09-summary", width)

    frame.locator("#read-reflection").click()
    frame = tool_frame(page)
    frame.get_by_text("This is your record of learning").first.wait_for()
    frame_fits_content(page)
    assert "minutes left" not in frame.inner_text("main")
    _check(page, tool_frame(page), "10-reflection-submitted", width)

    # Coming back: the page says where the learner left off, and nothing about minutes left.
    frame = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner1")
    frame.get_by_text("Welcome back").first.wait_for()
    assert re.search(r"You left off at Reflection", frame.inner_text("main"))
    assert "minutes left" not in frame.inner_text("main")
    frame_fits_content(page)
    _check(page, frame, "11-welcome-back", width)

    frame.goto(stack.tool.url + "/accessibility")
    frame = tool_frame(page)
    frame.get_by_text("Accessibility statement for SWOTT Connect").first.wait_for()
    frame_fits_content(page)
    _check(page, frame, "12-accessibility", width)
    context.close()


def test_a_returning_learner_part_way_through_is_told_where_they_left_off(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    frame = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner2")
    frame.locator("#start").click()
    frame = _after_submit(page, "Page 1 of 4", "h1")
    frame.locator("button[data-step-nav=next]").click()
    frame = _after_submit(page, "Question 1 of 2", "h1")
    frame = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner2")
    banner = frame.locator(".welcome-back")
    banner.wait_for()
    assert "You left off at Check, page 2 of 4." in banner.inner_text()
    assert "Page 2 of 4 — about" in frame.inner_text("#progress")
    # Reloading the page (its own address now) does not greet again.
    frame.evaluate("location.reload()")
    frame = tool_frame(page)
    frame.locator("h1").first.wait_for()
    frame.get_by_text("Question 1 of 2").first.wait_for()
    assert frame.locator(".welcome-back").count() == 0
    context.close()


class KeyboardInFrame:
    """The LMS page's keyboard, the tool frame's document: what `_tab_to` and friends need of a page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.keyboard = page.keyboard

    @property
    def url(self) -> str:
        url: str = tool_frame(self.page).url
        return url

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return tool_frame(self.page).evaluate(script, arg)

    def expect_navigation(self) -> Any:
        return tool_frame(self.page).expect_navigation()


def test_keyboard_only_completion_inside_the_lms_frame_at_320px(chromium: Any, stack: Stack) -> None:
    """Tab, arrows, Space and Enter alone, from the LMS page into the tool's frame and through L1."""
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner3")
    keys = KeyboardInFrame(page)
    _tab_to(keys, "#start")
    press_and_wait(keys, "Enter")
    _tab_to(keys, "button[data-step-nav=next]")
    press_and_wait(keys, "Enter")
    _choose_radio(keys, "#q-q-one", "#q-q-one-a")
    page.keyboard.press("Space")
    _tab_to(keys, "#q-q-one button[type=submit]")
    press_and_wait(keys, "Enter")
    _tab_to(keys, "#q-q-two-a")
    page.keyboard.press("Space")
    _tab_to(keys, "#q-q-two-b")
    page.keyboard.press("Space")
    _tab_to(keys, "#q-q-two button[type=submit]")
    press_and_wait(keys, "Enter")
    assert tool_frame(page).inner_text("#feedback-q-two").startswith("You got this one right.")
    _tab_to(keys, "button[data-step-nav=next]")
    press_and_wait(keys, "Enter")
    _tab_to(keys, "button[name=go][value=reflection]")
    press_and_wait(keys, "Enter")
    for box in ("description", "feelings", "evaluation", "analysis", "conclusion", "action_plan",
                "cpd_description", "cpd_learnt", "cpd_impact"):  # fmt: skip
        _tab_to(keys, f"#field-{box}")
        page.keyboard.type(f"My {box.replace('_', ' ')}")
    _tab_to(keys, "button[name=action][value=submit]")
    press_and_wait(keys, "Enter")
    frame = tool_frame(page)
    frame.get_by_text("You have completed L1").first.wait_for()
    assert "2 of 2" in frame.inner_text("main")
    _in_view(page, frame, "#result-title")
    context.close()
