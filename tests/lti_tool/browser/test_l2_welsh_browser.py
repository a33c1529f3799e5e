"""The facilitator's and the live L2 pages for people whose LMS launches with `locale` `cy-GB` (issue 13),
in Debian chromium from the sandbox platform: the facilitator's home, the plan, the dashboard, the
control page before and during the session, a participant's live page and the deep-link picker are
`<html lang="cy">`, in Welsh, and axe-core (WCAG 2.0-2.2 A/AA, including 3.1.1 and 3.1.2 via `lang`)
finds nothing at 320 px and at 1280 px, with nothing scrolling sideways. Screenshots go to
/tmp/shots/cymraeg-l2/ (never the repository).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.lti_tool.browser.support import (
    AXE,
    WIDTHS,
    assert_accessible,
    assert_no_horizontal_scroll,
)
from tests.lti_tool.browser.test_l2_browser import Stack, fill_date, stack  # noqa: F401 - the `stack` fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci`"),
]
SHOTS = Path(os.environ.get("SWOTT_SHOTS_DIR", "/tmp/shots/cymraeg-l2"))


def _welsh_at_each_width(page: Any, target: Any, text: str, name: str) -> None:
    """Wait for the page's Welsh `text`; then lang="cy" and, at 320 and 1280 px, axe clean, no sideways
    scroll, and a screenshot."""
    target.get_by_text(text).first.wait_for()
    assert target.evaluate("document.documentElement.lang") == "cy"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(target)
        assert_no_horizontal_scroll(target)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _in_welsh(lms: Stack, user: str) -> None:
    """The sandbox LMS launches this person with `locale` `cy-GB`."""
    lms.platform.users[user] = dataclasses.replace(lms.platform.user(user), locale="cy-GB")


def test_the_facilitator_and_live_l2_pages_in_welsh_pass_axe(chromium: Any, stack: Stack) -> None:  # noqa: F811
    _in_welsh(stack, "facilitator")
    _in_welsh(stack, "learner1")
    context = chromium.new_context()
    fac = stack.launch(context, "facilitator", "l2")
    _welsh_at_each_width(fac, fac, "Beth i’w wneud nesaf", "01-facilitator-home")

    fac.click("text=Gosod y dyddiad cau L1 a threfnu sesiynau L2")
    _welsh_at_each_width(fac, fac, "Cynllunio L1 ac L2", "02-plan")
    fac.get_by_role("button", name="Trefnu’r sesiwn").click()  # nothing filled in: the errors, in Welsh
    fac.get_by_text("Mae yna broblem").first.wait_for()
    _welsh_at_each_width(fac, fac, "Rhowch ddyddiad y sesiwn", "03-plan-errors")

    fill_date(fac, "day", "15", "11", "2030")
    fac.fill("#s-time", "10am")
    fac.fill("#s-place", "Canolfan Ddinesig, ystafell 4")
    fac.get_by_role("button", name="Trefnu’r sesiwn").click()
    _welsh_at_each_width(fac, fac, "Sesiwn wedi’i threfnu", "04-plan-scheduled")
    assert "Dydd Gwener 15 Tachwedd 2030, 10yb" in fac.inner_text("main")

    fac.click("text=Gweld pwy sy’n barod a phwy sydd wedi gorffen (dangosfwrdd)")
    _welsh_at_each_width(fac, fac, "Pwy sy’n barod, pwy sydd wedi gorffen", "05-dashboard")
    fac.go_back()
    fac.click("text=Cynnal y sesiwn hon")
    _welsh_at_each_width(fac, fac, "Rheoli’r sesiwn", "06-run-scheduled")
    fac.click("button[value=start]")
    _welsh_at_each_width(fac, fac, "Dechrau’r sesiwn heddiw?", "07-confirm-start")
    fac.click("#confirm")
    fac.locator("button[value=next]").wait_for()
    _welsh_at_each_width(fac, fac, "Eitem nesaf yr agenda", "08-run-running")
    run_path = urlsplit(fac.url).path  # /l2/sessions/<id>/run

    learner = stack.launch(chromium.new_context(), "learner1", "l2")
    learner.goto(stack.tool_url(learner, run_path.replace("/run", "/live")))
    _welsh_at_each_width(learner, learner, "Rhoi adborth neu adborth ymlaen", "09-live")
    context.close()


def test_the_deep_link_picker_in_welsh_passes_axe(chromium: Any, stack: Stack) -> None:  # noqa: F811
    _in_welsh(stack, "facilitator")
    (tool,) = stack.platform.tools
    page = chromium.new_context().new_page()
    page.goto(f"{stack.sandbox.url}/play?deep_link={tool.client_id}&user=facilitator")
    frame = page.wait_for_selector("iframe.tool").content_frame()
    _welsh_at_each_width(page, frame, "Ychwanegu pecyn cymorth SWOTT at eich cwrs", "10-deep-link")
    frame.get_by_role("button", name="Ychwanegu at y cwrs").click()
    frame = page.wait_for_selector("iframe.tool").content_frame()
    _welsh_at_each_width(page, frame, "Mae yna broblem", "11-deep-link-error")
