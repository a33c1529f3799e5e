"""`swott demo` in Debian's chromium: the launch inside the platform's iframe, and registration by postMessage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from swott.demo import Demo, start_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = start_demo(tool_port=0, platform_port=0, tool_settings={"database_url": f"sqlite:///{tmp_path / 'd.db'}"})
    yield running
    running.stop()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    yield context.new_page()
    context.close()


def test_launch_as_learner_shows_the_toolkit_inside_the_course_page(demo: Demo, page: Any) -> None:
    page.goto(demo.platform_server.url + "/")
    page.locator("select[name=user]").first.select_option("learner2")
    page.get_by_role("button", name="Launch as learner").first.click()

    frame = page.frame_locator("iframe.tool")
    frame.get_by_text("L1 self-study").first.wait_for(timeout=15000)
    assert page.url.startswith(demo.platform_server.url + "/play")


def test_register_a_tool_page_finishes_on_the_tools_close_message(demo: Demo, page: Any) -> None:
    page.goto(demo.platform_server.url + "/tools")
    page.fill("input[name=url]", demo.tool.url + "/lti/register")
    page.get_by_role("button", name="Register").first.click()
    # The tool's approval page, inside the platform's frame: what the platform will receive, then Register.
    frame = page.frame_locator("iframe#registration")
    frame.get_by_text("What your platform will receive").wait_for(timeout=15000)
    frame.get_by_role("button", name="Register SWOTT Connect").click()

    page.wait_for_url("**/tools?registered=1", timeout=15000)
    assert "The tool finished its registration." in page.content()
    assert len(demo.platform.tools) == 2


def test_add_a_toolkit_in_the_iframe_returns_to_the_course_with_new_placements(demo: Demo, page: Any) -> None:
    before = len(demo.platform.placements)
    page.goto(demo.platform_server.url + "/")
    page.get_by_role("button", name="Add a toolkit (deep link)").first.click()

    frame = page.frame_locator("iframe.tool")
    frame.locator("input[name=item]").first.check(timeout=15000)
    frame.get_by_role("button", name="Add to course").click()

    page.wait_for_url("**/?added=1", timeout=15000)
    assert "1 placement(s) added by deep linking." in page.content()
    assert len(demo.platform.placements) == before + 1


def _play_l1_with_storage(demo: Demo, page: Any, user: str) -> list[str]:
    """Open the course's L1 as `user` with the platform storage offered; the sandbox's log of its messages."""
    l1 = demo.platform.placements[0]
    page.goto(f"{demo.platform_server.url}/play?placement={l1.id}&user={user}&storage=1")
    page.frame_locator("iframe.tool").get_by_text("L1 self-study").first.wait_for(timeout=15000)
    log: list[str] = page.evaluate("window.sandboxStorageLog")
    return log


def test_a_launch_with_platform_storage_keeps_the_tools_state_in_the_course_page(demo: Demo, page: Any) -> None:
    log = _play_l1_with_storage(demo, page, "learner1")
    assert "lti.capabilities" in log
    assert "lti.put_data" in log


def test_platform_storage_carries_the_launch_when_the_tools_cookie_is_blocked(demo: Demo, page: Any) -> None:
    """As Safari does to third-party iframes: the tool's state cookie never arrives, so only the
    value the tool put into the sandbox's storage proves the launch came from this browser."""

    def forget_cookies(route: Any) -> None:
        # The tool set its state cookie at login; drop it before the platform posts the id_token back.
        # (Playwright does not route the redirect into the tool's login, so strip it here instead.)
        page.context.clear_cookies()
        route.continue_()

    page.route(f"{demo.platform_server.url}/auth?*", forget_cookies)
    log = _play_l1_with_storage(demo, page, "learner2")
    assert "lti.put_data" in log
    assert "lti.get_data" in log


def test_the_course_page_sizes_its_iframe_to_the_tools_page(demo: Demo, page: Any) -> None:
    """The tool asks for `lti.frameResize`, so the learner sees the whole contents list and the Start
    button without scrolling inside the frame."""
    page.set_viewport_size({"width": 1000, "height": 700})
    page.goto(demo.platform_server.url + "/")
    page.get_by_role("button", name="Launch as learner").first.click()
    page.frame_locator("iframe.tool").get_by_text("L1 self-study").first.wait_for(timeout=15000)
    # The tool's frame itself (its address moves from /lti/launch to the page's own once launch.js runs).
    tool = page.locator("iframe.tool").element_handle().content_frame()
    assert tool is not None
    content = tool.evaluate("document.documentElement.scrollHeight")
    assert content > 700 * 0.75  # longer than the frame's default 75vh, so resizing is needed
    page.wait_for_function(
        "h => Math.abs(document.querySelector('iframe.tool').clientHeight - h) <= 2", arg=content, timeout=10000
    )
