"""One place for what every browser test of the tool needs: axe-core, reflow checks and the LMS frame.

Issue 10's bar is "launched from the sandbox LMS inside its iframe", so `open_in_lms_frame` opens the
sandbox course's play page (the tool in `iframe.tool`, with lti.frameResize handled as Canvas does) and
hands back the tool's Playwright `Frame`. `assert_accessible` and `assert_no_horizontal_scroll` take a
page or a frame.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (320, 1280)

needs_axe = pytest.mark.skipif(
    not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci` in the repository root"
)


def assert_accessible(page: Any) -> None:
    """axe-core from the npm package, injected into the page or frame: no WCAG 2.x A/AA violation."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `npm ci` in the repository root")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
        }""",
        AXE_TAGS,
    )
    assert violations == [], f"axe-core on {page.url}: {violations}"


def assert_no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def open_in_lms_frame(page: Any, platform_url: str, placement_id: str, user: str, *, timeout: int = 15000) -> Any:
    """Open the sandbox course's play page for this placement and person; return the tool's frame.

    The frame's address changes after launch (launch.js names the page), so the frame is taken from
    its iframe element each time rather than kept by URL.
    """
    page.goto(f"{platform_url}/play?placement={placement_id}&user={user}")
    element = page.wait_for_selector("iframe.tool", timeout=timeout)
    frame = element.content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    frame.locator("h1").first.wait_for(timeout=timeout)
    return frame


def tool_frame(page: Any) -> Any:
    """The tool's frame as it is now (after a submit the frame holds a new document)."""
    frame = page.query_selector("iframe.tool").content_frame()
    assert frame is not None
    return frame


def frame_fits_content(page: Any, *, tolerance: int = 50, timeout: float = 10.0) -> tuple[int, int]:
    """(iframe height, tool page height) once the tool has asked the LMS to resize; they agree ± tolerance.

    The tool is on another origin than the LMS page, so its document is read through Playwright's frame
    (`iframe.contentDocument` is null across origins). Its height is where its body ends, not its
    scrollHeight, which inside a frame is never less than the frame and so would hide a frame left too tall.
    """
    measured = (0, 0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame_height = page.evaluate("Math.round(document.querySelector('iframe.tool').getBoundingClientRect().height)")
        content = tool_frame(page).evaluate("Math.ceil(document.body.getBoundingClientRect().bottom + window.scrollY)")
        measured = (frame_height, content)
        if abs(frame_height - content) <= tolerance:
            return measured
        time.sleep(0.1)
    raise AssertionError(f"the LMS frame is {measured[0]} px tall for a {measured[1]} px page")


def go_in_frame(page: Any, path: str, wait_text: str) -> Any:
    """Open a tool page in the LMS frame, keeping the frame's launch; wait for its text; the frame."""
    from urllib.parse import parse_qs, urlsplit

    frame = tool_frame(page)
    launch = parse_qs(urlsplit(frame.url).query).get("launch", [""])[0]
    assert launch, f"no launch id in {frame.url}"
    frame.evaluate("(url) => { window.location.href = url; }", f"{path}{'&' if '?' in path else '?'}launch={launch}")
    # Wait for the new document, not only its text: the page being left may hold the same words (a nav link).
    wanted = urlsplit(path).path
    deadline = time.monotonic() + 20
    while urlsplit(tool_frame(page).url).path != wanted and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    frame = tool_frame(page)
    frame.wait_for_load_state("load")
    frame.get_by_text(wait_text).first.wait_for()
    return frame
