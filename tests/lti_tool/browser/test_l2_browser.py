"""L2 end to end in a real browser (Debian chromium via Playwright), launched from the sandbox platform.

The issue's acceptance test: a facilitator sets the L1 deadline and schedules an L2 session; two
learners finish L1 in the L1 player; the facilitator runs the session from the control page while the
learners follow on their own browsers (stages appear by polling, no reload), the learners send peer
feedback and feedforward, the facilitator approves them and takes attendance, and closes the session;
both learners keep a feedforward and write their L2 reflection; the platform's gradebook receives the
L2 scores over real AGS; the dashboard and its CSV show the right statuses.

The sandbox platform and the tool are both served over real HTTP by Werkzeug in threads (127.0.0.1).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.models import Reflection, ResourceLink
from lti_tool.services import l2
from sandbox_platform import SandboxServer
from tests.lti_tool.browser.support import (
    WIDTHS,
    assert_accessible,
    assert_no_horizontal_scroll,
    lms_stack,
    open_in_lms_frame,
    press,
    save_attendance,
    tool_frame,
)
from tests.lti_tool.l2_factories import toolkit
from toolkits.model import PageKind

TOOLKIT = "participatory-practice"
POLL_WAIT_MS = 10_000


@dataclass
class Stack:
    sandbox: SandboxServer
    tool: SandboxServer
    app: Flask
    l1_placement: str
    l2_placement: str
    l1_line_item: str
    l2_line_item: str

    @property
    def platform(self) -> Any:
        return self.sandbox.platform

    def settle(self) -> None:
        """Wait for the tool's background work: scores, due dates and the roster go after the request."""
        assert self.app.extensions["swott.background"].wait_idle()

    def launch(self, context: Any, user: str, part: str) -> Any:
        """Open the course page's launch link for this person and part; returns the tool's page."""
        page = context.new_page()
        placement = self.l1_placement if part == "l1" else self.l2_placement
        page.goto(f"{self.sandbox.url}/launch?user={user}&placement={placement}")
        page.wait_for_load_state("load")
        assert page.url.startswith(self.tool.url), page.url
        return page

    def tool_url(self, page: Any, path: str) -> str:
        """A tool address carrying the page's launch (as the tool's own links do)."""
        launch = parse_qs(urlsplit(page.url).query).get("launch", [""])[0]
        assert launch, f"no launch id in {page.url}"
        return f"{self.tool.url}{path}{'&' if '?' in path else '?'}launch={launch}"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    placements = {
        part: {
            "title": title,
            "custom": {"toolkit_id": TOOLKIT, "part": part},
            "line_item": {"label": f"Participatory practice {part.upper()}", "scoreMaximum": 100},
        }
        for part, title in (("l1", "Participatory practice: L1"), ("l2", "Participatory practice: L2 group session"))
    }
    with lms_stack(tmp_path, placements) as served:
        l1, l2 = (served.platform.placement(served.placements[part]) for part in ("l1", "l2"))
        assert l1.line_item_id and l2.line_item_id
        yield Stack(served.sandbox, served.tool, served.app, l1.id, l2.id, l1.line_item_id, l2.line_item_id)


def fill_date(page: Any, name: str, day: str, month: str, year: str) -> None:
    """The GOV.UK date input: three boxes, `<name>-day`, `<name>-month`, `<name>-year`."""
    page.fill(f"#{name}-day", day)
    page.fill(f"#{name}-month", month)
    page.fill(f"#{name}-year", year)


def start_session(page: Any) -> None:
    """Start, confirming when the page asks (a session started on another day than scheduled)."""
    page.click("button[value=start]")
    page.wait_for_load_state("load")
    if page.locator("#confirm").count():
        page.click("#confirm")
    page.locator("button[value=next]").wait_for()


def close_session(page: Any) -> None:
    """Close: a warning button, then "Yes, close the session" on the confirm page."""
    page.click("button[value=close]")
    page.locator("#confirm").click()
    page.locator("text=This session is closed").first.wait_for()  # the close posts, then the run page


def finish_l1(stack: Stack, page: Any) -> None:
    """Work through every L1 page in the L1 player: answer each check, then submit the reflection."""
    kit = toolkit()
    if page.locator("#start").count():
        page.click("#start")
        page.wait_for_load_state("load")
    for l1_page in kit.l1.pages:
        page.goto(stack.tool_url(page, f"/l1/page/{l1_page.id}"))
        if l1_page.kind is PageKind.CHECK:
            for question in l1_page.questions:
                page.check(f"#q-{question.id}-{question.options[0].id}")
                page.click(f"#q-{question.id} button[type=submit]")
                page.locator(f"#feedback-{question.id}").wait_for()
    page.goto(stack.tool_url(page, "/l1/page/reflection"))
    for field_id in ("description", "feelings", "evaluation", "analysis", "conclusion", "action_plan"):
        page.fill(f"#field-{field_id}", f"My {field_id.replace('_', ' ')} after the L1 module.")
    # The L1 reflection's date is a GOV.UK day / month / year input that starts as today.
    assert page.input_value("#field-cpd_date-year") == str(date.today().year)
    for field_id in ("cpd_description", "cpd_learnt", "cpd_impact"):
        page.fill(f"#field-{field_id}", f"Written for {field_id}.")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("load")


def move_to_agenda_item(page: Any, frame: Any, index: int) -> Any:
    """The facilitator presses Next until agenda item `index` (from 0) is current; the tool's frame.

    Each press waits for the following item to be marked current, which proves the press landed: a wait
    for a Next button alone passes on the page before the press too, and a learner launching straight
    after could then still see the earlier item.
    """
    for step in range(1, index + 1):
        frame.click("button[value=next]")
        frame = tool_frame(page)
        frame.locator(f".l2-agenda li:nth-child({step + 1})[aria-current=step]").wait_for()
    return frame


def test_a_facilitated_l2_from_scheduling_to_grades_and_dashboard(chromium: Any, stack: Stack) -> None:
    kit = toolkit()
    facilitator_browser = chromium.new_context()
    learner_browsers = {name: chromium.new_context() for name in ("learner1", "learner2", "learner3")}

    # Two learners open L1; the third never opens anything and is known only from the course list (NRPS).
    l1_pages = {name: stack.launch(learner_browsers[name], name, "l1") for name in ("learner1", "learner2")}

    # --- The facilitator sets the deadline and schedules the session ---------------------------------
    fac = stack.launch(facilitator_browser, "facilitator", "l2")
    fac.click("text=Set the L1 deadline and schedule L2 sessions")
    stack.settle()  # the first sync of the course list runs in the background ...
    fac.reload()  # ... and the page shows it once it has arrived
    assert "Course list from your LMS, last updated at" in fac.content()
    fill_date(fac, "deadline_day", "1", "12", "2030")
    fac.fill("#deadline-time", "5pm")
    fac.click("text=Save the deadline")
    fac.get_by_text("1 December 2030, 5pm").first.wait_for()  # the post, then its page
    assert "The due date in your LMS gradebook is being updated" in fac.content()
    # The sandbox gradebook's L1 column got the due date through AGS, after the facilitator's request.
    stack.settle()
    assert stack.platform.line_item(None, stack.l1_line_item).end_date_time.startswith("2030-12-01T17:00:00")
    fill_date(fac, "day", "15", "11", "2030")
    fac.fill("#s-time", "10:00")
    fac.fill("#s-place", "Civic Centre, room 4")
    fac.fill("#s-video", "https://meet.example.org/l2")
    names = {name: stack.platform.user(name).name for name in learner_browsers}
    fac.uncheck(f"label:text-is('{names['learner3']}') >> xpath=preceding-sibling::input")
    fac.click("text=Schedule the session")
    fac.get_by_text("2 invited").first.wait_for()  # the post, then its page
    # The L2 column is due when the session ends: 10:00 UK time (GMT in November) plus the 100-minute agenda.
    assert "L2 due date in your LMS gradebook is being updated to match the end of the latest session" in (
        fac.content()
    )
    stack.settle()
    assert stack.platform.line_item(None, stack.l2_line_item).end_date_time.startswith("2030-11-15T11:40:00")
    assert_accessible(fac)

    # --- Two learners finish L1 ---------------------------------------------------------------------
    for name in ("learner1", "learner2"):
        finish_l1(stack, l1_pages[name])
    stack.settle()
    l1_scores = [
        s.body for s in stack.platform.scores if s.line_item_id == stack.l1_line_item and s.status in (200, 201, 204)
    ]
    assert {s["gradingProgress"] for s in l1_scores if s["activityProgress"] == "Completed"} == {"FullyGraded"}

    # --- The facilitator runs the session; learners follow on their own browsers -------------------
    fac.click("text=Run this session")
    run_url = fac.url
    start_session(fac)
    live = {}
    for name in ("learner1", "learner2"):
        page = stack.launch(learner_browsers[name], name, "l2")
        page.click("text=Your group session")
        page.click("text=Follow the session")
        live[name] = page
    assert "Check-in and ground rules" in live["learner1"].locator("[data-l2-timer]").evaluate(
        "el => el.closest('div').innerText"
    )
    fac.click("button[value=reveal]")
    for page in live.values():
        page.locator("#case-introduction").wait_for(state="attached", timeout=POLL_WAIT_MS)
        # No reload: the page polls and the stage appears.
        page.locator("#l2-live h3", has_text=kit.l2.stages[0].title).wait_for(timeout=POLL_WAIT_MS)
        assert page.locator("#l2-live h3", has_text=kit.l2.stages[1].title).count() == 0
    press(fac, fac.locator("button[value=next]"))  # a reveal pressed while Next loads would cancel it
    press(fac, fac.locator("button[value=reveal]"))
    live["learner2"].locator("#l2-live h3", has_text=kit.l2.stages[1].title).wait_for(timeout=POLL_WAIT_MS)
    live["learner2"].locator(".l2-now__title", has_text="Recap of L1 ideas").wait_for(timeout=POLL_WAIT_MS)

    # Feedback from both participant browsers (one anonymous), moderated by the facilitator.
    one, two = live["learner1"], live["learner2"]
    one.get_by_label("Feedforward", exact=False).check()
    one.select_option("#fb-recipient", label=names["learner2"])
    one.fill("#fb-text", "Next conference, ask Maya where she wants to sit.")
    one.click("text=Send to the facilitator")
    one.get_by_text("Sent.").first.wait_for()  # the post, then its page
    two.get_by_label("Feedforward", exact=False).check()
    two.select_option("#fb-recipient", label=names["learner1"])
    two.fill("#fb-text", "Try a drawing with Theo before the review.")
    two.check("#anonymous")
    two.click("text=Send to the facilitator")
    assert "Maya where she wants" not in two.locator("#l2-live").inner_text()  # not approved yet

    assert_accessible(one)
    fac.goto(run_url)
    assert_accessible(fac)
    pending = fac.locator(".l2-pending")
    assert "from Anonymous" in pending.inner_text()
    for author in ("Maya", "Theo"):  # one at a time: a second press while the first loads would cancel it
        press(fac, fac.locator(".l2-pending li", has_text=author).locator("button[value=approve]"))
    for page in live.values():
        page.locator(".l2-approved li", has_text="Try a drawing with Theo").wait_for(timeout=POLL_WAIT_MS)
        page.locator(".l2-approved li", has_text="Maya where she wants").wait_for(timeout=POLL_WAIT_MS)
    assert "— Anonymous" in one.locator(".l2-approved").inner_text()

    # Attendance, then close.
    for name in ("learner1", "learner2"):
        fac.check(f"label:text-is('{names[name]}') >> xpath=preceding-sibling::input")
    save_attendance(fac)
    close_session(fac)

    # --- Both learners keep their feedforward and write the L2 reflection ---------------------------
    for name, kept in (("learner1", "Try a drawing with Theo"), ("learner2", "Maya where she wants")):
        page = live[name]
        page.goto(stack.tool_url(page, "/l2/reflection"))
        page.check(f"label:has-text('{kept}') >> xpath=preceding-sibling::input")
        page.click("text=Start writing")
        # The peer box starts empty, with the kept feedforward beside it as a prompt (issue 11).
        assert page.input_value("#field-cpd_peer") == ""
        assert kept in page.locator(".kept-feedforward").inner_text()
        assert_accessible(page)
        for field_id in ("what", "so_what", "now_what", "cpd_description", "cpd_learnt", "cpd_impact", "cpd_peer"):
            page.fill(f"#field-{field_id}", f"{name} reflects: {field_id}.")
        page.click("button[value=submit]")
        page.get_by_text("Submitted").first.wait_for()  # the submit posts, then the reflection page returns

    # --- The platform received the L2 scores ---------------------------------------------------------
    stack.settle()
    for name in ("learner1", "learner2"):
        grade = stack.platform.grade(stack.l2_line_item, name)
        assert grade is not None, name
        assert (grade.activity_progress, grade.grading_progress) == ("Completed", "FullyGraded")
        assert (grade.score_given, grade.score_maximum) == (100.0, 100.0)
    assert stack.platform.grade(stack.l2_line_item, "learner3") is None

    # --- Dashboard and CSV ------------------------------------------------------------------------------
    fac.goto(run_url)
    fac.click("text=Back to the plan")
    fac.click("text=See who is ready and who has finished (dashboard)")
    assert_accessible(fac)
    rows = {name: fac.locator("tr", has_text=names[name]).inner_text() for name in learner_browsers}
    for name in ("learner1", "learner2"):
        assert "Completed" in rows[name] and "Attended" in rows[name]
        assert rows[name].count("Submitted") == 2
    assert "Not started" in rows["learner3"] and "Not invited" in rows["learner3"]
    # Reflection text is never on the dashboard.
    assert "reflects" not in fac.content() and "after the L1 module" not in fac.content()

    csv_url = fac.locator("text=Download as CSV").get_attribute("href")
    assert csv_url
    download = fac.request.get(stack.tool.url + csv_url if csv_url.startswith("/") else csv_url)
    assert download.ok
    by_name = {r["Name"]: r for r in csv.DictReader(io.StringIO(download.text()))}
    for name in ("learner1", "learner2"):
        row = by_name[names[name]]
        assert (row["L1 status"], row["L1 reflection submitted"]) == ("Completed", "yes")
        assert (row["L2 attendance"], row["L2 reflection submitted"]) == ("Attended", "yes")
    assert (by_name[names["learner3"]]["L1 status"], by_name[names["learner3"]]["L2 attendance"]) == (
        "Not started",
        "Not invited",
    )

    # --- The learner's portfolio counts two pieces, one with peer reflection, and exports a PDF ---------
    portfolio = live["learner1"]
    portfolio.goto(stack.tool_url(portfolio, "/portfolio/"))
    assert "2 of 2 pieces of CPD, 1 of 1 with peer reflection — requirement met." in portfolio.content()
    assert_accessible(portfolio)
    pdf = portfolio.request.get(stack.tool_url(portfolio, "/portfolio/portfolio.pdf"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    for ctx in (facilitator_browser, *learner_browsers.values()):
        ctx.close()


def test_an_attended_learner_writes_the_l2_reflection_in_the_session_before_it_closes(
    chromium: Any, stack: Stack
) -> None:
    """Issue 11: once the facilitator reaches the written-reflections item, an attended learner opens,
    writes and submits the L2 reflection while the session is still running; the peer box starts empty."""
    kit = toolkit()
    facilitator_browser = chromium.new_context()
    learner_browser = chromium.new_context()
    fac = stack.launch(facilitator_browser, "facilitator", "l2")
    fac.click("text=Set the L1 deadline and schedule L2 sessions")
    fill_date(fac, "day", "15", "11", "2030")
    fac.fill("#s-time", "10:00")
    fac.fill("#s-place", "Civic Centre, room 4")
    names = {name: stack.platform.user(name).name for name in ("learner1", "learner2", "learner3")}
    for other in ("learner2", "learner3"):
        fac.uncheck(f"label:text-is('{names[other]}') >> xpath=preceding-sibling::input")
    fac.click("text=Schedule the session")
    fac.click("text=Run this session")
    start_session(fac)

    page = stack.launch(learner_browser, "learner1", "l2")
    page.click("text=Your group session")
    page.click("text=Follow the session")
    # Before the reflections item the reflection is not open, even with attendance taken.
    fac.check(f"label:text-is('{names['learner1']}') >> xpath=preceding-sibling::input")
    save_attendance(fac)
    assert page.locator("#l2-reflection-open").count() == 0
    closed_early = page.request.get(stack.tool_url(page, "/l2/reflection"))
    assert closed_early.status == 403 and "marked as attending" in closed_early.text()

    agenda = [a.title for a in kit.l2.agenda]
    reflections_item = agenda.index("Actions and written reflections")
    for _ in range(reflections_item):
        press(fac, fac.locator("button[value=next]"))
    assert "Actions and written reflections" in fac.locator("[aria-current=step]").inner_text()

    # The learner's live page polls: the invitation to write appears without a reload.
    page.locator("#l2-reflection-open").wait_for(timeout=POLL_WAIT_MS)
    assert_accessible(page)
    page.click("#l2-reflection-open a")
    page.wait_for_load_state("load")
    page.click("text=Start writing")
    assert page.input_value("#field-cpd_peer") == ""
    for field_id in ("what", "so_what", "now_what", "cpd_description", "cpd_learnt", "cpd_impact", "cpd_peer"):
        page.fill(f"#field-{field_id}", f"Written in the session: {field_id}.")
    assert_accessible(page)
    page.click("button[value=submit]")
    page.get_by_text("Submitted").first.wait_for()  # the submit posts, then the reflection page returns

    # Still running: the facilitator has not closed it, and the gradebook already has the full score.
    fac.goto(fac.url)
    assert "This session is closed" not in fac.content()
    grade = stack.platform.grade(stack.l2_line_item, "learner1")
    assert grade is not None
    assert (grade.activity_progress, grade.grading_progress, grade.score_given) == ("Completed", "FullyGraded", 100.0)
    # Closing afterwards leaves the grade as it is (no InProgress over a FullyGraded score).
    close_session(fac)
    grade = stack.platform.grade(stack.l2_line_item, "learner1")
    assert grade is not None and grade.grading_progress == "FullyGraded"
    for ctx in (facilitator_browser, learner_browser):
        ctx.close()


# --- Issue 10: every L2 page inside the sandbox LMS's iframe ------------------------------------------

SHOTS = os.environ.get("SWOTT_SHOTS", "")  # a folder to keep screenshots in while developing; off in CI


def look(page: Any, name: str, *, widths: tuple[int, ...] = WIDTHS, height: int = 900) -> Any:
    """axe-core (0 violations) on the tool's frame at each width, no sideways scroll at 320 px; returns
    the frame. With SWOTT_SHOTS set, a full-page screenshot of the LMS page at each width too."""
    frame = None
    for width in widths:
        page.set_viewport_size({"width": width, "height": height})
        frame = tool_frame(page)
        frame.wait_for_load_state("load")
        page.wait_for_timeout(300)  # the frame's resize message after reflow
        assert_accessible(frame)
        if width == 320:
            assert_no_horizontal_scroll(frame)
        if SHOTS:
            box = page.locator("iframe.tool").bounding_box()
            tall = box["y"] + frame.evaluate("document.documentElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": width, "height": tall}
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True, clip=clip)
    return frame


def tab_to(page: Any, frame: Any, element_id: str, *, limit: int = 150) -> None:
    """Press Tab (only the keyboard) until the element with this id has focus inside the tool's frame."""
    for _ in range(limit):
        if frame.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def tab_to_button(page: Any, frame: Any, text: str, *, limit: int = 150) -> None:
    for _ in range(limit):
        if frame.evaluate("document.activeElement && document.activeElement.textContent.trim()") == text:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached the button {text!r}")


def type_over(page: Any, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def saved_l2_field(stack: Stack, field_id: str) -> str:
    with stack.app.extensions["swott.db"].session() as session:
        found = session.scalars(
            select(Reflection).join(ResourceLink, ResourceLink.id == Reflection.resource_link_id)
            .where(ResourceLink.part == "l2")
        ).first()  # fmt: skip
        return str((found.fields or {}).get(field_id, "")) if found else ""


def test_every_l2_page_in_the_lms_frame_passes_axe_at_320_and_1280(chromium: Any, stack: Stack) -> None:
    kit = toolkit()
    fac_context, learner_context = chromium.new_context(), chromium.new_context()
    for name in ("learner1", "learner2", "learner3"):  # each opens the activity once, so the course knows them
        open_in_lms_frame(learner_context.new_page(), stack.sandbox.url, stack.l2_placement, name).page.close()
    fac = fac_context.new_page()
    frame = open_in_lms_frame(fac, stack.sandbox.url, stack.l2_placement, "facilitator")
    look(fac, "facilitator-home")
    frame.click("text=Set the L1 deadline and schedule L2 sessions")
    frame = tool_frame(fac)
    frame.get_by_text("Schedule a session").first.wait_for()
    look(fac, "plan")

    # A scheduling error (neither place nor video link) comes back on the same page, everything kept.
    names = {name: stack.platform.user(name).name for name in ("learner1", "learner2", "learner3")}
    frame.fill("#s-title", "Team Blue group session")
    fill_date(frame, "day", "15", "11", "2030")
    frame.fill("#s-time", "2:30pm")
    frame.get_by_label("Action learning set").check()
    frame.get_by_label(names["learner3"]).uncheck()
    frame.click("text=Schedule the session")
    frame = tool_frame(fac)
    frame.locator(".govuk-error-summary").wait_for()
    assert "Enter a place, a video link, or both" in frame.locator(".govuk-error-summary").inner_text()
    assert frame.input_value("#s-title") == "Team Blue group session"
    assert [frame.input_value(f"#day-{part}") for part in ("day", "month", "year")] == ["15", "11", "2030"]
    assert frame.input_value("#s-time") == "2:30pm"
    assert frame.get_by_label("Action learning set").is_checked()
    assert frame.get_by_label(names["learner1"]).is_checked()
    assert not frame.get_by_label(names["learner3"]).is_checked()
    look(fac, "plan-error")
    frame.get_by_label("Action learning set").check()  # still the choice; a place now
    frame.fill("#s-place", "Civic Centre, room 4")
    frame.fill("#s-video", "https://meet.example.org/l2")
    frame.click("text=Schedule the session")
    frame = tool_frame(fac)
    frame.get_by_text("Session scheduled").first.wait_for()

    # Run: starting on another day than scheduled asks first.
    frame.click("text=Run this session")
    frame = tool_frame(fac)
    frame.click("button[value=start]")
    frame = tool_frame(fac)
    frame.get_by_text("Start the session today?").first.wait_for()
    look(fac, "confirm-start")
    frame.click("#confirm")
    frame = tool_frame(fac)
    frame.locator("button[value=next]").wait_for()
    press(frame, frame.locator("button[value=reveal]"))  # the page before has Next too
    frame = tool_frame(fac)
    look(fac, "run")

    # The shared screen opens in its own tab for the projector.
    with fac_context.expect_page() as opened:
        frame.click("text=Open the shared screen")
    screen = opened.value
    screen.wait_for_load_state("load")
    screen.locator(".l2-now__title").wait_for()
    for width, height in ((1920, 1080), (1280, 720), (320, 640)):
        screen.set_viewport_size({"width": width, "height": height})
        assert_accessible(screen)
        if SHOTS:
            screen.screenshot(path=f"{SHOTS}/screen-{width}x{height}.png")
    screen.set_viewport_size({"width": 1280, "height": 720})
    # Readable across a room: the timer and the current item are large, and both are on the first screen.
    assert screen.locator("[data-l2-timer]").evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 64
    assert screen.locator(".l2-now__title").bounding_box()["y"] < 720
    assert screen.evaluate("document.querySelector('.l2-screen').getBoundingClientRect().width") > 1100
    screen.close()

    # The learner: their session and the "running now" banner on their L2 page, then the live page.
    learner = learner_context.new_page()
    frame = open_in_lms_frame(learner, stack.sandbox.url, stack.l2_placement, "learner1")
    assert "Your session is running now:" in frame.locator("#running-now").inner_text()
    assert "Civic Centre, room 4" in frame.inner_text("main") and "Join the video call" in frame.inner_text("main")
    look(learner, "home")
    frame.click("#running-now a")
    frame = tool_frame(learner)
    frame.locator("#give-feedback").wait_for()
    look(learner, "live")
    learner.set_viewport_size({"width": 320, "height": 640})
    frame = tool_frame(learner)
    learner.wait_for_timeout(300)
    # In reach at 320 px: the current stage first, and a link straight to the feedback form before it.
    stage = frame.locator("#l2-live h3", has_text=kit.l2.stages[0].title)
    jump = frame.locator("main a[href='#give-feedback']").first
    assert jump.bounding_box()["y"] < stage.bounding_box()["y"] < 1200
    jump.click()
    learner.wait_for_timeout(300)
    assert frame.evaluate("document.activeElement.id") == "give-feedback"
    frame.click("text=Send to the facilitator")  # nothing written: the same page, with the error
    frame = tool_frame(learner)
    frame.locator(".govuk-error-summary").wait_for()
    assert "Write something before sending it" in frame.inner_text("main")
    look(learner, "live-error", widths=(320,))

    # Attendance, on to the written reflections: the learner's reflection opens.
    fac.set_viewport_size({"width": 1280, "height": 900})
    frame = tool_frame(fac)
    frame.locator("form:has(input[name=present])").get_by_label(names["learner1"]).check()
    save_attendance(frame)
    frame = tool_frame(fac)
    # An action learning set has no written-reflections item: its last item opens the reflection.
    frame = move_to_agenda_item(fac, frame, l2.reflection_item_index(l2.agenda_for(kit, "action-learning-set")))
    frame = tool_frame(learner)
    frame.locator("#l2-reflection-open").wait_for(timeout=POLL_WAIT_MS)
    frame.click("#l2-reflection-open a")
    frame = tool_frame(learner)
    frame.get_by_text("Start writing").wait_for()
    look(learner, "keep")
    frame.click("text=Start writing")
    frame = tool_frame(learner)
    frame.locator("#field-what").wait_for()
    today = date.today()
    assert frame.input_value("#field-cpd_date-day") == str(today.day)  # its date starts as today
    assert frame.input_value("#field-cpd_date-year") == str(today.year)
    look(learner, "reflection")

    frame = tool_frame(fac)
    frame.click("text=Back to the plan")
    frame = tool_frame(fac)
    frame.click("text=See who is ready and who has finished (dashboard)")
    frame = tool_frame(fac)
    frame.locator("table").wait_for()
    look(fac, "dashboard")
    frame.click("text=Plan the deadline and L2 sessions")
    frame = tool_frame(fac)
    frame.locator("#s-title").wait_for()
    frame.click("text=Run this session")
    frame = tool_frame(fac)
    frame.click("button[value=close]")
    frame = tool_frame(fac)
    frame.get_by_text("Close the session?").first.wait_for()
    assert "govuk-button--warning" in (frame.locator("#confirm").get_attribute("class") or "")
    look(fac, "confirm-close")
    for ctx in (fac_context, learner_context):
        ctx.close()


def test_keyboard_only_scheduling_and_reflection_and_a_closed_tab_keeps_the_text(chromium: Any, stack: Stack) -> None:
    """Scheduling a session and completing the L2 reflection with the keyboard alone, inside the LMS frame;
    text typed in the reflection survives the tab being closed without pressing save."""
    kit = toolkit()
    fac_context, learner_context = chromium.new_context(), chromium.new_context()
    open_in_lms_frame(learner_context.new_page(), stack.sandbox.url, stack.l2_placement, "learner1").page.close()
    fac = fac_context.new_page()
    frame = open_in_lms_frame(fac, stack.sandbox.url, stack.l2_placement, "facilitator")
    frame.click("text=Set the L1 deadline and schedule L2 sessions")
    frame = tool_frame(fac)
    frame.locator("#s-title").wait_for()

    # --- Scheduling, keyboard only: Tab to each box, type, Enter to submit ---------------------------------
    tomorrow = date.today() + timedelta(days=1)
    tab_to(fac, frame, "s-title")
    fac.keyboard.type("Keyboard group")
    for element_id, text in (("day-day", str(tomorrow.day)), ("day-month", str(tomorrow.month)),
                             ("day-year", str(tomorrow.year)), ("s-time", "11am"), ("s-place", "Room 9")):  # fmt: skip
        tab_to(fac, frame, element_id)
        type_over(fac, text)
    fac.keyboard.press("Enter")
    frame = tool_frame(fac)
    frame.get_by_text("Session scheduled").first.wait_for()
    assert "Keyboard group" in frame.inner_text("main") and "Room 9" in frame.inner_text("main")

    frame.click("text=Run this session")
    frame = tool_frame(fac)
    frame.click("button[value=start]")
    frame = tool_frame(fac)
    frame.click("#confirm")  # tomorrow's session, started today
    frame = tool_frame(fac)
    frame.locator("form:has(input[name=present])").get_by_label(stack.platform.user("learner1").name).check()
    save_attendance(frame)
    frame = tool_frame(fac)
    frame = move_to_agenda_item(fac, frame, [a.title for a in kit.l2.agenda].index("Actions and written reflections"))

    # --- The reflection: typed, the tab closed without saving, relaunched: the text is there ---------------
    learner = learner_context.new_page()
    frame = open_in_lms_frame(learner, stack.sandbox.url, stack.l2_placement, "learner1")
    frame.click("text=Write your L2 reflection")
    frame = tool_frame(learner)
    frame.click("text=Start writing")
    frame = tool_frame(learner)
    frame.locator("#field-what").wait_for()
    frame.click("#field-what")
    learner.keyboard.type("A review where the family spoke first.")
    learner.wait_for_timeout(3500)  # autosave runs a couple of seconds after typing stops
    frame.click("#field-so_what")
    learner.keyboard.type("Typed just before the tab closed.")
    learner.close(run_before_unload=True)  # no save button pressed: the pagehide beacon carries it
    for _ in range(50):
        if saved_l2_field(stack, "so_what"):
            break
        fac.wait_for_timeout(100)
    assert saved_l2_field(stack, "what") == "A review where the family spoke first."
    assert saved_l2_field(stack, "so_what") == "Typed just before the tab closed."

    learner = learner_context.new_page()
    frame = open_in_lms_frame(learner, stack.sandbox.url, stack.l2_placement, "learner1")
    frame.click("text=Carry on with your draft")
    frame = tool_frame(learner)
    frame.locator("#field-what").wait_for()
    assert frame.input_value("#field-what") == "A review where the family spoke first."
    assert frame.input_value("#field-so_what") == "Typed just before the tab closed."

    # --- The rest of the reflection with the keyboard alone, then submitted with Enter ---------------------
    for field_id in ("now_what", "cpd_description", "cpd_learnt", "cpd_impact", "cpd_peer"):
        tab_to(learner, frame, f"field-{field_id}")
        learner.keyboard.type(f"Written with the keyboard: {field_id}.")
    tab_to_button(learner, frame, "Submit reflection")
    learner.keyboard.press("Enter")
    frame = tool_frame(learner)
    # The toolkit has a questionnaire (issue 12): the submit leads to the after questions, saying it is in.
    frame.get_by_text("Your L2 reflection is submitted").first.wait_for()
    stack.settle()
    grade = stack.platform.grade(stack.l2_line_item, "learner1")
    assert grade is not None and (grade.activity_progress, grade.grading_progress) == ("Completed", "FullyGraded")
    for ctx in (fac_context, learner_context):
        ctx.close()
