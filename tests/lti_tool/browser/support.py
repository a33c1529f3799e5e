"""One place for what every browser test of the tool needs: axe-core, reflow checks and the LMS frame.

Issue 10's bar is "launched from the sandbox LMS inside its iframe", so `open_in_lms_frame` opens the
sandbox course's play page (the tool in `iframe.tool`, with lti.frameResize handled as Canvas does) and
hands back the tool's Playwright `Frame`. `assert_accessible` and `assert_no_horizontal_scroll` take a
page or a frame.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
from flask import Flask

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (320, 1280)

needs_axe = pytest.mark.skipif(
    not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci` in the repository root"
)


def axe_violations(page: Any) -> list[str]:
    """axe-core from the npm package, injected into the page or frame: its WCAG 2.x A/AA violations."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `npm ci` in the repository root")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations: list[str] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
        }""",
        AXE_TAGS,
    )
    return violations


def assert_accessible(page: Any) -> None:
    """No WCAG 2.x A/AA violation that axe-core finds on the page or frame."""
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {page.url}: {violations}"


def sideways_scroll(page: Any) -> int:
    """How many pixels the page or frame scrolls sideways (0 when it reflows)."""
    overflow: int = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return max(overflow, 0)


def too_wide(page: Any) -> list[str]:
    """The innermost elements reaching past the page's right edge (what to fix when it scrolls sideways)."""
    found: list[str] = page.evaluate(
        """() => {
            const edge = document.documentElement.clientWidth;
            const wide = [...document.body.querySelectorAll('*')]
                .filter(e => e.getBoundingClientRect().right > edge + 0.5);
            return wide.filter(e => !wide.some(o => o !== e && e.contains(o))).slice(0, 5).map(e =>
                `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`
                + ` (${Math.round(e.getBoundingClientRect().right - edge)}px)`);
        }"""
    )
    return found


def assert_no_horizontal_scroll(page: Any) -> None:
    overflow = sideways_scroll(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def open_every_details(page: Any) -> int:
    """Open every `<details>` on the page or frame (what is folded away must pass too); how many."""
    opened: int = page.evaluate(
        "() => { const all = [...document.querySelectorAll('details')]; all.forEach(d => { d.open = true; });"
        " return all.length; }"
    )
    return opened


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


def check_at_widths(page: Any, shots: Path, name: str, *, ready: Callable[[Any], None] | None = None) -> None:
    """axe-core and no sideways scroll at each width, with a screenshot of the LMS page holding the tool;
    `ready(frame)` first waits for (or asserts) what the page must show at that width."""
    shots.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        frame = tool_frame(page)
        if ready is not None:
            ready(frame)
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        assert_accessible(frame)
        assert_no_horizontal_scroll(frame)
    page.set_viewport_size({"width": max(WIDTHS), "height": 900})


def goto_keeping_launch(frame: Any, path: str) -> None:
    """Open another tool page inside the frame, keeping the launch (its `launch`/`lt` query)."""
    parts = urlsplit(frame.url)
    frame.goto(urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")))


def launch_of(frame: Any) -> str:
    """The launch id the tool's frame carries in its address (the tool's own links keep it)."""
    launch: str = parse_qs(urlsplit(frame.url).query).get("launch", [""])[0]
    assert launch, f"no launch id in {frame.url}"
    return launch


def go_in_frame(page: Any, path: str, wait_text: str | None, *, timeout: int = 15000) -> Any:
    """Open a tool page in the LMS frame with the frame's launch, as a link inside the tool would; wait
    for `wait_text` (or the page's heading) on the new page and return the tool's frame."""
    frame = tool_frame(page)
    url = f"{path}{'&' if '?' in path else '?'}launch={launch_of(frame)}"
    with page.expect_event("framenavigated", predicate=lambda f: f.parent_frame is not None, timeout=timeout):
        frame.evaluate("(url) => { window.location.href = url; }", url)
    frame = tool_frame(page)
    (frame.get_by_text(wait_text) if wait_text else frame.locator("h1")).first.wait_for(timeout=timeout)
    return frame


@dataclass
class LmsStack:
    """The sandbox LMS and the tool, both over real HTTP, registered with each other."""

    sandbox: Any
    tool: Any
    app: Flask
    placements: dict[str, str] = field(default_factory=dict)

    @property
    def platform(self) -> Any:
        return self.sandbox.platform

    def settle(self) -> None:
        """Wait for the tool's background work (scores, due dates and the roster go after the request)."""
        assert self.app.extensions["swott.background"].wait_idle()


@contextmanager
def lms_stack(tmp_path: Path, placements: dict[str, dict[str, Any]]) -> Iterator[LmsStack]:
    """Serve the sandbox LMS and the tool, register them, and add these placements (key: add_placement's
    keyword arguments); yields the stack with each placement's id under its key."""
    from sandbox_platform import SandboxServer
    from tests.conftest import make_app
    from tests.lti_tool.l1_stack import register_with_each_other
    from tests.lti_tool.lti.http_support import Dispatcher

    sandbox = SandboxServer().start()
    dispatcher = Dispatcher()
    tool = SandboxServer(dispatcher).start()
    app = make_app(tmp_path, base_url=tool.url)
    dispatcher.app = app
    register_with_each_other(sandbox, tool, app)
    stack = LmsStack(sandbox, tool, app)
    for key, values in placements.items():
        stack.placements[key] = sandbox.platform.add_placement(**values).id
    try:
        yield stack
    finally:
        tool.stop()
        sandbox.stop()
        app.extensions["swott.db"].dispose()


@dataclass
class PageChecks:
    """Check pages at each width as they are met, keeping every problem to report at the end.

    At each width: every `<details>` opened, axe-core, no sideways scroll at 320 px, and a screenshot of the
    LMS page holding the tool (or of the page itself) in `shots` for people to look at.
    """

    shots: Path
    language: Callable[[Any], list[str]] | None = None  # the page's language problems, if its language is checked
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def check(self, page: Any, name: str, *, framed: bool = True) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(200)
            target = tool_frame(page) if framed else page
            open_every_details(target)
            page.wait_for_timeout(100)
            page.screenshot(path=str(self.shots / f"{name}-{width}.png"), full_page=True)
            self.problems.extend(f"{name} at {width}px: {v}" for v in axe_violations(target))
            if width == min(WIDTHS) and (overflow := sideways_scroll(target)):
                self.problems.append(f"{name} at {width}px scrolls sideways by {overflow}px: {too_wide(target)}")
        page.set_viewport_size({"width": max(WIDTHS), "height": 900})
        if self.language is not None:
            self.problems.extend(
                f"{name}: {problem}" for problem in self.language(tool_frame(page) if framed else page)
            )
        self.checked.append(name)
        print(f"{name} checked; {len(self.problems)} problems so far", *self.problems[-3:], sep="\n  ")

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


def press(target: Any, control: Any, *, timeout: float = 15000) -> None:
    """Press a button or link (`control`, a locator) that loads a new page in `target` (the page, or the
    tool's frame) and wait for that page to load.

    Waiting for something on the next page proves nothing when the page before shows it too (a heading,
    the run page's buttons): the test then acts on the old page while the new one is in flight, and a
    second press or `location.href` cancels the first, as a second click does for a person. A POST
    answered with a redirect is one navigation, so this waits for the page at the end of it.
    """
    with target.expect_navigation(timeout=timeout):
        control.click()


def save_attendance(target: Any) -> None:
    """Press "Save attendance" on the L2 run page (`target`: the page, or the tool's frame) and wait for the
    run page it redirects to, `…/run#attendance`.

    The page before the press has the same button and heading, so waiting for either proves nothing: a
    press still in flight when the next one (closing the session) starts is cancelled by the browser, and
    the learner is then refused their reflection as not attending.
    """
    press(target, target.locator("button[value=attendance]"))
    target.wait_for_url(re.compile(r"#attendance$"))
