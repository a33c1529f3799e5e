"""A facilitator follows the guide's links inside the sandbox LMS's iframe and stays in the launch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lti_tool.browser.support import (
    assert_accessible,
    assert_no_horizontal_scroll,
    lms_stack,
    open_in_lms_frame,
)
from tests.lti_tool.l2_factories import catalogue

TOOLKIT = "social-ecological-assessment"
SHOTS = Path("/tmp/shots/guides")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[str, str]]:
    l2 = {"title": "Social-ecological assessment: L2", "custom": {"toolkit_id": TOOLKIT, "part": "l2"}}
    with lms_stack(tmp_path, {"l2": l2}) as served:
        yield served.sandbox.url, served.placements["l2"]


def test_the_guide_links_to_the_participant_sheet_inside_the_lms_frame(chromium: Any, stack: tuple[str, str]) -> None:
    sandbox_url, placement = stack
    kit = catalogue().get(TOOLKIT)
    assert kit is not None
    context = chromium.new_context(viewport={"width": 320, "height": 900})
    page = context.new_page()
    frame = open_in_lms_frame(page, sandbox_url, placement, "facilitator")
    frame.get_by_role("link", name="Set the L1 deadline and schedule L2 sessions").click()
    frame = page.query_selector("iframe.tool").content_frame()
    frame.get_by_role("heading", level=1, name="Plan L1 and L2").wait_for()
    frame.get_by_role("link", name=kit.l2.facilitator_guide.title).click()
    frame = page.query_selector("iframe.tool").content_frame()
    frame.get_by_role("heading", level=1, name=kit.l2.facilitator_guide.title).wait_for()
    frame.get_by_role("link", name="participant sheet").first.click()
    frame = page.query_selector("iframe.tool").content_frame()
    frame.get_by_role("heading", level=1, name=kit.l2.participant_sheet.title).wait_for()
    assert "launch=" in frame.url and "/l2/document/participant-sheet" in frame.url
    assert frame.locator("img[src*='/l1/asset/']").count() >= 1
    assert frame.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert_accessible(frame)
    assert_no_horizontal_scroll(frame)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 1280):
        shot = context.new_page()  # the same browser: the launch's cookie comes along
        shot.set_viewport_size({"width": width, "height": 900})
        shot.goto(frame.url)
        shot.get_by_role("heading", level=1, name=kit.l2.participant_sheet.title).wait_for()
        shot.screenshot(path=str(SHOTS / f"participant-sheet-{width}.png"), full_page=True)
        shot.screenshot(path=str(SHOTS / f"participant-sheet-{width}-top.png"))
        shot.goto(frame.url.replace("/l2/document/participant-sheet", "/l2/plan").replace("back=", "x="))
        shot.screenshot(path=str(SHOTS / f"plan-{width}-top.png"))
        shot.close()
    frame.get_by_role("link", name="Back").click()
    frame = page.query_selector("iframe.tool").content_frame()
    frame.get_by_role("heading", level=1, name=kit.l2.facilitator_guide.title).wait_for()
    context.close()
