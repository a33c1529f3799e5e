"""Issue 12 for programmes in a real browser, inside the sandbox LMS's frame: a participant answers the
programme's before and after questionnaire; the lead's cohort report says "Not enough responses to show"
while 4 have answered both times and shows the change (chart and table) at 5; the programme report too.
Each page passes axe-core and fits 320 px and 1280 px without sideways scrolling.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from lti_tool.models import Certificate, Context, LtiUser
from lti_tool.services.evaluation import certificates, programme_feedback
from lti_tool.services.programmes import cohort, runs
from sandbox_platform.model import User
from tests.lti_tool.browser.support import LmsStack, check_at_widths, needs_axe, open_in_lms_frame, tool_frame
from tests.lti_tool.browser.support import go_in_frame as _go
from tests.lti_tool.browser.test_programme_browser import stack as stack  # the fixture
from tests.lti_tool.evaluation.programme_support import AFTER_END, answer_programme
from tests.lti_tool.programme_factories import START, template

SHOTS = Path("/tmp/shots/eval")
LEARNERS = ("learner1", "learner2", "learner3", "learner4", "learner5")


def _wait_text(page: Any, text: str, timeout: float = 30.0) -> Any:
    """The tool's frame once its new page shows `text` in a heading or the body (after a click or post,
    the frame holds a new document: look it up again until the text is there)."""
    deadline = time.monotonic() + timeout
    while True:
        frame = tool_frame(page)
        try:
            if text in frame.locator("body").inner_text(timeout=2000):
                return frame
        except PlaywrightError:  # the frame was mid-navigation
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} did not appear in {frame.url}")
        page.wait_for_timeout(200)


def _seed(stack: LmsStack) -> int:
    """A ten-week run for the five learners; the first four have answered before and after."""
    with stack.app.extensions["swott.db"].session() as session:
        context = session.scalars(select(Context)).one()
        people = {u.sub: u for u in session.scalars(select(LtiUser))}
        users = [people[stack.sandbox.platform.users[name].sub] for name in LEARNERS]
        run = runs.create_run(session, context_id=context.id, programme=template(), cohort_name="Cohort A",
                              starts_on=START, participant_ids=[u.id for u in users])  # fmt: skip
        for user in users[:4]:
            answer_programme(session, run, user, 2, 4)
        # All five were at the launch workshop; four answered its session feedback so far.
        workshop = next(e for e in runs.events(session, run) if e.activity_id == "launch-workshop")
        members = runs.members(session, run)
        cohort.record_attendance(session, workshop, [m.participant.id for m in members],
                                 {m.participant.id for m in members})  # fmt: skip
        for index, user in enumerate(users[:4]):
            programme_feedback.give(session, workshop, user_id=user.id, usefulness=3 + index % 3,
                                    change_text=f"Change number {index}", share_text=True, now=AFTER_END)  # fmt: skip
        session.commit()
        return run.id


def _answer(frame: Any, rating: int) -> None:
    programme = template()
    assert programme.questionnaire is not None
    for number in range(1, len(programme.questionnaire.confidence) + 1):
        frame.check(f"input[name='confidence-{number}'][value='{rating}']")
    frame.click("button[value=send]")


@needs_axe
def test_a_participant_answers_and_the_cohort_report_shows_nothing_at_4_and_the_change_at_5(
    chromium: Any, stack: LmsStack
) -> None:
    platform = stack.sandbox.platform
    for n in (4, 5):
        platform.users[f"learner{n}"] = User(
            f"learner{n}", f"200{n}", "Learner", f"Number{n}", f"learner{n}@example.org",
            platform.users["learner1"].roles,
        )  # fmt: skip
    for name in LEARNERS:  # each opens the course once, so the tool knows them
        context = chromium.new_context()
        open_in_lms_frame(context.new_page(), stack.sandbox.url, stack.placements["l1"], name)
        context.close()
    run_id = _seed(stack)

    lead = chromium.new_context().new_page()
    open_in_lms_frame(lead, stack.sandbox.url, stack.placements["l1"], "facilitator")
    frame = _go(lead, f"/programmes/{run_id}", "Coaches, mentors and protected time")
    frame.get_by_role("link", name="Evaluation report: confidence before and after", exact=True).click()
    frame = _wait_text(lead, "Evaluation report for one cohort: Cohort A")
    assert "Not enough responses to show" in frame.locator("#confidence ~ .govuk-inset-text").first.inner_text()
    assert frame.locator("svg").count() == 0
    assert "Not enough responses to show" in frame.locator("#session-feedback ~ .govuk-inset-text").first.inner_text()
    check_at_widths(lead, SHOTS, "cohort-report-four")

    learner = chromium.new_context().new_page()
    open_in_lms_frame(learner, stack.sandbox.url, stack.placements["l1"], "learner5")
    frame = _go(learner, f"/programmes/{run_id}/questionnaire/before", "Before the programme starts")
    check_at_widths(learner, SHOTS, "programme-before")
    frame = tool_frame(learner)
    frame.click("button[value=send]")  # nothing chosen: the same page with the error summary
    _wait_text(learner, "There is a problem")
    check_at_widths(learner, SHOTS, "programme-before-error")
    _answer(tool_frame(learner), 1)
    _wait_text(learner, "Your programme: Cohort A")
    frame = _go(learner, f"/programmes/{run_id}/questionnaire/after", "At the end of the programme")
    check_at_widths(learner, SHOTS, "programme-after")
    _answer(tool_frame(learner), 5)
    _wait_text(learner, "Your programme certificate")
    check_at_widths(learner, SHOTS, "programme-certificate")
    frame = _go(learner, f"/programmes/{run_id}/timeline", "How did it go?")
    frame.get_by_role("link", name="Give feedback on Programme launch workshop").click()
    frame = _wait_text(learner, "Feedback on the session")
    frame.get_by_label("Very useful", exact=True).check()
    frame.fill("#change", "More time for the case study")
    frame.get_by_label("My answer about what to change can be shown", exact=False).check()
    frame.get_by_role("button", name="Send feedback").click()
    _wait_text(learner, "your feedback on the session is sent")

    frame = _go(lead, f"/evaluation/cohort/{run_id}", "Evaluation report for one cohort: Cohort A")
    assert frame.locator("svg[role=img]").count() == 1 and frame.locator("#confidence-table").count() == 1
    first = frame.locator("#confidence-table table").first
    cells = [row.locator("td").all_inner_texts() for row in first.locator("tbody tr").all()]
    assert [c[0] for c in cells] == ["1", "4", "0", "0", "0", "1.8"]  # before: learner5 1, four at 2
    assert [c[1] for c in cells] == ["0", "0", "0", "4", "1", "4.2"]
    useful = frame.locator("#feedback-table tbody td").all_inner_texts()
    assert useful == ["0", "0", "2", "1", "2", "4.0"]  # 3, 4, 5, 3 and learner5's 5
    assert "More time for the case study" in frame.locator(".swott-comments").last.inner_text()
    check_at_widths(lead, SHOTS, "cohort-report-five")
    frame.get_by_text("The report for every cohort of this programme").first.click()
    frame = _wait_text(lead, "Evaluation report for every cohort of this programme")
    assert frame.locator("svg[role=img]").count() == 1
    check_at_widths(lead, SHOTS, "programme-report")


@needs_axe
def test_the_lead_withdraws_a_certificate_after_the_confirm_step(chromium: Any, stack: LmsStack) -> None:
    context = chromium.new_context()
    open_in_lms_frame(context.new_page(), stack.sandbox.url, stack.placements["l1"], "learner1")
    context.close()
    with stack.app.extensions["swott.db"].session() as session:
        holder = session.scalars(
            select(LtiUser).where(LtiUser.sub == stack.sandbox.platform.users["learner1"].sub)
        ).one()
        course = session.scalars(select(Context)).one()
        certificate = Certificate(
            code=certificates.new_code(), user_id=holder.id, platform_id=course.platform_id, context_id=course.id,
            kind="toolkit", subject_id="participatory-practice", started_on=START, completed_on=START, minutes=170,
        )  # fmt: skip
        session.add(certificate)
        session.commit()
        code = certificate.code
    lead = chromium.new_context().new_page()
    open_in_lms_frame(lead, stack.sandbox.url, stack.placements["l1"], "facilitator")
    frame = _go(lead, "/certificates/course", "Withdraw a certificate only if")
    assert code in frame.content()
    check_at_widths(lead, SHOTS, "certificates-course")
    tool_frame(lead).get_by_role("link", name="Withdraw", exact=False).first.click()
    frame = _wait_text(lead, "Withdraw this certificate?")
    assert frame.locator("button.govuk-button--warning").count() == 1
    check_at_widths(lead, SHOTS, "certificate-withdraw")
    tool_frame(lead).locator("button.govuk-button--warning").click()
    _wait_text(lead, f"Certificate {code} has been withdrawn")
    check_at_widths(lead, SHOTS, "certificates-course-withdrawn")
