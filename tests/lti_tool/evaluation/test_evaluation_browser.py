"""Issue 12's acceptance in a real browser, launched from the sandbox LMS inside its iframe.

Five learners answer the before questionnaire when they first open L1 and the after questionnaire; the
course lead's report says "Not enough responses to show" while 4 have answered both times and shows
the change per outcome (chart and table) once 5 have, and its CSV holds the same figures as the table.
Every evaluation page passes axe-core and fits 320 px without sideways scrolling.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.models import Attempt, GroupParticipant, GroupSession, LtiUser, Reflection, ResourceLink
from lti_tool.services import l2 as l2_sessions
from sandbox_platform.model import User
from tests.lti_tool.browser.support import (
    WIDTHS,
    LmsStack,
    assert_accessible,
    assert_no_horizontal_scroll,
    lms_stack,
    needs_axe,
    open_in_lms_frame,
    tool_frame,
)
from tests.lti_tool.evaluation.support import T0
from tests.lti_tool.l2_factories import toolkit

TOOLKIT = "participatory-practice"
SHOTS = Path("/tmp/shots/evaluation")
LEARNERS = ("learner1", "learner2", "learner3", "learner4", "learner5")
# Each learner's ratings (before, after) for every outcome: the report's first row must add up to these.
RATINGS = {"learner1": (1, 3), "learner2": (2, 4), "learner3": (2, 2), "learner4": (3, 5), "learner5": (1, 4)}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LmsStack]:
    l1 = {"title": "Participatory practice: L1", "custom": {"toolkit_id": TOOLKIT, "part": "l1"}}
    with lms_stack(tmp_path, {"l1": l1}) as served:
        platform = served.platform
        # The sandbox course has three learners; the threshold needs five.
        for n in (4, 5):
            platform.users[f"learner{n}"] = User(
                f"learner{n}", f"200{n}", "Learner", f"Number{n}", f"learner{n}@example.org",
                platform.users["learner1"].roles,
            )  # fmt: skip
        yield served


def _launch_id(frame: Any) -> str:
    launch: str = parse_qs(urlsplit(str(frame.url)).query).get("launch", [""])[0]
    assert launch, f"no launch id in {frame.url}"
    return launch


def _look(page: Any, name: str) -> None:
    """axe-core and no sideways scrolling at 320 px and 1280 px, with a screenshot of each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        frame = tool_frame(page)
        assert_accessible(frame)
        assert_no_horizontal_scroll(frame)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _answer(frame: Any, rating: int, words: str) -> None:
    kit = toolkit()
    assert kit.questionnaire is not None
    for number in range(1, len(kit.questionnaire.confidence) + 1):
        frame.check(f"input[name='confidence-{number}'][value='{rating}']")
    frame.locator("textarea").first.fill(words)
    frame.check("input[name='share']")
    frame.click("button[value=send]")


def _report(page: Any, stack: LmsStack) -> Any:
    frame = open_in_lms_frame(page, stack.sandbox.url, stack.placements["l1"], "facilitator")
    frame.click("text=Evaluation report")
    frame = tool_frame(page)
    frame.get_by_text("Evaluation report for this course").first.wait_for()
    return frame


@needs_axe
def test_questionnaires_before_and_after_and_the_report_with_four_then_five(chromium: Any, stack: LmsStack) -> None:
    kit = toolkit()
    for index, name in enumerate(LEARNERS):
        context = chromium.new_context()
        page = context.new_page()
        before, after = RATINGS[name]
        frame = open_in_lms_frame(page, stack.sandbox.url, stack.placements["l1"], name)
        # Asked before L1 starts: the questionnaire comes first, inside the LMS's frame.
        assert frame.locator("h1").inner_text() == "Before you start: how confident are you?"
        if index == 0:
            _look(page, "questionnaire-before")
        _answer(frame, before, f"I hope to listen better ({name})")
        frame = tool_frame(page)
        frame.locator(".progress-text").wait_for()  # the post answers with the first L1 page (issue 15)
        launch = _launch_id(frame)
        frame.goto(f"{stack.tool.url}/evaluation/questionnaire/after?launch={launch}")
        frame = tool_frame(page)
        frame.get_by_text("Now you have finished").first.wait_for()
        if index == 0:
            _look(page, "questionnaire-after")
        _answer(frame, after, f"I will ask children first ({name})")
        tool_frame(page).get_by_text("You have finished the group session").first.wait_for()
        if index == 0:
            _look(page, "finished")
        context.close()

        if index == 3:  # four have answered both times: the lead sees no figures
            lead = chromium.new_context()
            lead_page = lead.new_page()
            frame = _report(lead_page, stack)
            assert "Not enough responses to show" in frame.locator("#confidence ~ .govuk-inset-text").first.inner_text()
            assert frame.locator("#confidence-table").count() == 0 and frame.locator("svg").count() == 0
            assert "I hope to listen better" not in frame.content()
            _look(lead_page, "report-four")
            csv_url = frame.get_by_text("Download these figures").get_attribute("href")
            body = lead.request.get(f"{stack.tool.url}{csv_url}").text()
            assert "Not enough responses to show" in body and "listen better" not in body
            lead.close()

    lead = chromium.new_context()
    lead_page = lead.new_page()
    frame = _report(lead_page, stack)
    table = frame.locator("#confidence-table")
    assert table.count() == 1 and frame.locator("svg[role=img]").count() == 1
    _look(lead_page, "report-five")
    # Five answered after: five were asked, never "0 asked" beside "5 (100% of those asked)".
    summary = " ".join(frame.locator("main dl").first.inner_text().split())
    assert "Finished L2 (asked after) 5" in summary, summary
    lead_page.set_viewport_size({"width": 320, "height": 900})
    tool_frame(lead_page).locator("svg[role=img]").screenshot(path=str(SHOTS / "chart-320.png"))
    lead_page.set_viewport_size({"width": 1280, "height": 900})
    frame = tool_frame(lead_page)
    first = frame.locator("#confidence-table table").first
    cells = [row.locator("td").all_inner_texts() for row in first.locator("tbody tr").all()]
    first_before, first_after = [c[0] for c in cells], [c[1] for c in cells]
    assert first_before == ["2", "2", "1", "0", "0", "1.8"]
    assert first_after == ["0", "1", "1", "2", "1", "3.6"]
    assert "I will ask children first (learner3)" in frame.content()  # shared, so shown, without a name
    csv_url = frame.get_by_text("Download these figures").get_attribute("href")
    rows = list(csv.reader(io.StringIO(lead.request.get(f"{stack.tool.url}{csv_url}").text())))
    before_rows = [r for r in rows if r[0] == "Confidence before"]
    after_rows = [r for r in rows if r[0] == "Confidence after"]
    assert len(before_rows) == len(after_rows) == len(kit.learning_outcomes)
    assert before_rows[0][3:9] == first_before and after_rows[0][3:9] == first_after
    lead.close()


def _seed_finished_toolkit(app: Flask, sub: str) -> None:
    """The learner launched L2 once; give them a completed L1, an attended closed session and a submitted
    L2 reflection in that course, as the L1 and L2 pages would have left them on T0."""
    kit = toolkit()
    with app.extensions["swott.db"].session() as session:
        user = session.scalars(select(LtiUser).where(LtiUser.sub == sub)).one()
        l2 = session.scalars(select(ResourceLink).where(ResourceLink.part == "l2")).one()
        l1 = ResourceLink(context_id=l2.context_id, link_id="l1-seeded", toolkit_id=kit.id, part="l1")
        session.add(l1)
        session.flush()
        session.add(Attempt(user_id=user.id, resource_link_id=l1.id, toolkit_id=kit.id, status="completed",
                            started_at=T0 - timedelta(days=20), completed_at=T0 - timedelta(days=10)))  # fmt: skip
        values = {f.id: f"My {f.label}" for f in l2_sessions.reflection_form_fields(kit)}
        values["now_what"] = "Ask each child where they want to sit at their review"
        session.add(Reflection(user_id=user.id, resource_link_id=l2.id, toolkit_id=kit.id,
                               model=kit.l2.reflection.model, fields=values, status="submitted",
                               submitted_at=T0))  # fmt: skip
        group = GroupSession(context_id=l2.context_id, toolkit_id=kit.id, title="Team room session",
                             starts_at=T0 - timedelta(hours=2), format="swott-default", status="closed")  # fmt: skip
        session.add(group)
        session.flush()
        session.add(GroupParticipant(session_id=group.id, user_id=user.id, attended=True))
        session.commit()


@needs_axe
def test_follow_up_session_feedback_certificate_and_its_check(chromium: Any, stack: LmsStack) -> None:
    l2 = stack.sandbox.platform.add_placement(
        title="Participatory practice: L2", custom={"toolkit_id": TOOLKIT, "part": "l2"}
    )
    context = chromium.new_context()
    page = context.new_page()
    open_in_lms_frame(page, stack.sandbox.url, l2.id, "learner1")
    _seed_finished_toolkit(stack.app, stack.sandbox.platform.users["learner1"].sub)
    stack.app.extensions["swott.clock"] = lambda: T0 + timedelta(days=92)

    # Three months on, the next launch asks about the action planned in L2.
    frame = open_in_lms_frame(page, stack.sandbox.url, l2.id, "learner1")
    assert frame.locator("h1").inner_text() == "Did you carry out your action?"
    assert "Ask each child where they want to sit" in frame.content()
    _look(page, "follow-up")
    frame.check("input[name=carried_out][value=partly]")
    frame.fill("textarea[name=what_happened]", "I asked two children before their reviews.")
    frame.fill("textarea[name=impact]", "Both chose to speak for themselves.")
    frame.check("input[name=in_portfolio]")
    frame.click("button[value=send]")
    tool_frame(page).get_by_text("Your records of impact on practice").first.wait_for()
    _look(page, "follow-up-done")

    # The next launch offers what is left after L2: the after questions (skipped), then session feedback.
    frame = open_in_lms_frame(page, stack.sandbox.url, l2.id, "learner1")
    frame.get_by_text("Now you have finished").first.wait_for()
    frame.click("button[value=skip]")
    frame = tool_frame(page)
    frame.get_by_text("Feedback on your group session").first.wait_for()
    frame.click("button[value=send]")  # nothing chosen: the same page, with the error summary
    frame = tool_frame(page)
    frame.locator(".govuk-error-summary").wait_for()
    _look(page, "session-feedback-error")
    frame = tool_frame(page)
    frame.check("input[name=usefulness][value='4']")
    frame.fill("textarea[name=change]", "More time for the case study.")
    frame.click("button[value=send]")
    frame = tool_frame(page)
    frame.get_by_text("Get your certificate for this toolkit").first.click()
    frame = tool_frame(page)
    frame.get_by_text("your certificate is ready").first.wait_for()
    _look(page, "certificate-ready")
    tool_frame(page).click("button:has-text('Get your certificate')")
    frame = tool_frame(page)
    frame.get_by_text("Download your certificate (PDF)").first.wait_for()
    _look(page, "certificate")
    verify_url = (
        tool_frame(page).locator("main a[href*='/certificates/']:not([href*='/language/'])").first.get_attribute("href")
    )
    assert verify_url and "/certificates/" in verify_url

    public = chromium.new_context().new_page()
    for url, heading, name in (
        (verify_url, "This certificate is genuine", "verify-genuine"),
        (verify_url[:-1] + ("2" if verify_url[-1] != "2" else "3"), "No certificate has this code", "verify-not-found"),
    ):
        public.goto(url)
        assert public.locator("h1").first.inner_text() == heading
        assert "Sam Okafor" not in public.content() and toolkit().title not in public.content()
        for width in WIDTHS:
            public.set_viewport_size({"width": width, "height": 800})
            assert_accessible(public)
            assert_no_horizontal_scroll(public)
            public.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
