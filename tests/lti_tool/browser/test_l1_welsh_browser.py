"""The L1 journey for a learner whose LMS launches with `locale` `cy-GB` (issue 13), in the sandbox LMS's
iframe at 320 px and 1280 px: the start page, a content page, a knowledge check, the reflection and the
summary are `<html lang="cy">`, in Welsh, and axe-core (WCAG 2.0-2.2 A/AA, including 3.1.1 and 3.1.2 via
`lang`) finds nothing. Screenshots go to /tmp/shots/cymraeg/ (never the repository).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from tests.lti_tool.browser.support import (
    AXE,
    assert_accessible,
    assert_no_horizontal_scroll,
    open_in_lms_frame,
    tool_frame,
)
from tests.lti_tool.l1_stack import Stack, stack_fixture  # noqa: F401 - the `stack` fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci`"),
]
SHOTS = Path(os.environ.get("SWOTT_SHOTS_DIR", "/tmp/shots/cymraeg"))


def _welsh_page(page: Any, text: str, name: str, width: int) -> Any:
    """Wait for the new page's Welsh text; then lang="cy", a screenshot, axe clean, no sideways scroll."""
    frame = tool_frame(page)
    frame.get_by_text(text).first.wait_for()
    frame = tool_frame(page)
    assert frame.evaluate("document.documentElement.lang") == "cy"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    assert_accessible(frame)
    assert_no_horizontal_scroll(frame)
    return frame


@pytest.mark.parametrize("width", [320, 1280])
def test_a_cy_gb_launch_shows_l1_in_welsh_and_passes_axe(chromium: Any, stack: Stack, width: int) -> None:
    learner = stack.platform.user("learner1")
    stack.platform.users["learner1"] = dataclasses.replace(learner, locale="cy-GB")
    context = chromium.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner1")
    frame = _welsh_page(page, "L1 hunanastudio", "01-start", width)
    # The toolkit's own title stays English, and says so.
    assert frame.locator("h1").get_attribute("lang") == "en-GB"

    frame.locator("#start").click()
    frame = _welsh_page(page, "Tudalen 1 o 4", "02-page", width)
    assert frame.locator(".page-body").get_attribute("lang") == "en-GB"

    frame.locator("button[data-step-nav=next]").click()
    frame = _welsh_page(page, "Cwestiwn 1 o 2", "03-check", width)
    frame.locator("#q-q-one button[type=submit]").click()
    frame = _welsh_page(page, "Mae yna broblem", "04-check-error", width)
    assert "Dewiswch ateb cyn ei wirio." in frame.locator("#q-q-one-error").inner_text()

    frame.locator("button[data-step-nav=next]").click()
    frame = _welsh_page(page, "Mae eich nodiadau’n breifat", "05-thinking", width)
    frame.locator("button[name=go][value=reflection]").click()
    frame = _welsh_page(page, "Eich cofnod DPP ar gyfer Social Work England", "06-reflection", width)

    frame.locator("button[name=action][value=submit]").click()
    frame = _welsh_page(page, "Ni chafodd eich myfyrdod ei gyflwyno", "07-reflection-refused", width)

    frame.locator(".swott-contents summary").click()  # the contents ("Cynnwys") open on a click
    frame.locator("a", has_text="Eich cynnydd a’ch canlyniadau").first.click()
    _welsh_page(page, "Gwiriadau gwybodaeth", "08-summary", width)
    context.close()
