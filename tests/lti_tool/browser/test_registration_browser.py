"""An attacker's Dynamic Registration cannot frame a learner's page (issue 9 defect 1), in a real browser.

The attack as the adversarial run found it: open `/lti/register` with your own platform, then show the
tool's pages inside your own site. Now that registration is pending, so the tool's CSP frame-ancestors
leaves its origin out and Chromium refuses to render the tool in the attacker's frame. After an operator
approves the platform the same page frames the tool, which shows the check can see framing at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Response

from lti_tool import web
from lti_tool.services import registrations
from lti_tool.views.admin import admin_link
from sandbox_platform.forge import Forge
from tests.lti_tool.browser.support import (
    WIDTHS,
    assert_accessible,
    assert_no_horizontal_scroll,
    open_in_lms_frame,
    tool_frame,
)
from tests.lti_tool.browser.test_l1_browser import launch, start
from tests.lti_tool.l1_stack import Stack, stack_fixture  # noqa: F401 - the `stack` fixture
from tests.lti_tool.lti.conftest import registration_params, sandbox

SHOTS = Path("/tmp/shots/lti-admin")


class AttackerSite:
    """The attacker's platform (a sandbox, for the registration) and, on its origin, a page that frames a URL."""

    def __init__(self, platform: Forge) -> None:
        self.platform = platform
        self.target = ""
        platform.server.app.add_url_rule("/evil", "evil", self._evil)

    def _evil(self) -> Response:
        body = f'<!doctype html><title>Totally your LMS</title><iframe id="victim" src="{self.target}"></iframe>'
        return Response(body, mimetype="text/html")


@pytest.fixture
def attacker() -> Iterator[AttackerSite]:
    with sandbox() as platform:
        yield AttackerSite(platform)


def _framed_heading(page: Any) -> str:
    """The framed page's h1, or "" when the browser refused to render the tool inside the frame."""
    page.wait_for_load_state("load")
    frame = page.frame_locator("#victim")
    try:
        frame.locator("h1").first.wait_for(timeout=3000)
    except Exception:  # Playwright's TimeoutError: the frame holds Chromium's error page, no h1
        return ""
    text: str = frame.locator("h1").first.inner_text()
    return text


def test_a_pending_registration_cannot_frame_a_learner_page(
    chromium: Any, stack: Stack, attacker: AttackerSite
) -> None:
    # The attacker registers through the plain registration URL (GET shows the approval page, POST registers).
    params = registration_params(attacker.platform)
    assert requests.get(stack.tool.url + "/lti/register", params=params, timeout=10).status_code == 200
    assert requests.post(stack.tool.url + "/lti/register", data=params, timeout=10).status_code == 200
    with stack.app.app_context():
        (row,) = registrations.platforms_for_issuer(web.db_session(), attacker.platform.issuer)
        assert row.status == "pending"

    # A learner has a page open in the tool; the attacker's page frames that very URL.
    context = chromium.new_context()
    learner = launch(context, stack, "learner1")
    start(learner)
    assert learner.locator("h1").first.inner_text() == "Introduction"
    attacker.target = learner.url
    refusals: list[str] = []
    evil = context.new_page()
    evil.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)
    evil.goto(attacker.platform.base_url + "/evil")
    assert _framed_heading(evil) == ""
    assert any("has been blocked" in r and attacker.platform.base_url not in r for r in refusals), refusals
    header = requests.get(stack.tool.url + "/healthz", timeout=5).headers["Content-Security-Policy"]
    assert attacker.platform.base_url not in header and stack.sandbox.url in header

    # Positive control: once an operator approves it, the same page can frame the tool.
    with stack.app.app_context():
        session = web.db_session()
        (row,) = registrations.platforms_for_issuer(session, attacker.platform.issuer)
        registrations.approve_platform(session, row, "test operator")
    evil.reload()
    assert _framed_heading(evil) == "Introduction"
    context.close()


def _shoot(page: Any, name: str) -> None:
    """A full-page screenshot for a person to look at (never in the repository)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _checked_at_each_width(page: Any, target: Any, name: str) -> None:
    """axe-core finds nothing and nothing scrolls sideways, at 320 px and at 1280 px."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(target)
        assert_no_horizontal_scroll(target)
        _shoot(page, f"{name}-{width}")


def test_the_approval_page_then_the_registered_page(chromium: Any, stack: Stack, attacker: AttackerSite) -> None:
    params = registration_params(attacker.platform)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(stack.tool.url + "/lti/register?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert page.locator("h1").inner_text() == "Register SWOTT Connect with your platform"
    # What the LMS will receive, before anything is sent.
    main = page.inner_text("main")
    assert stack.tool.url + "/lti/jwks.json" in main and "Send scores and completion to your gradebook" in main
    _checked_at_each_width(page, page, "register-approval")
    page.get_by_role("button", name="Register SWOTT Connect").click()
    page.get_by_text("SWOTT Connect is registered").first.wait_for()
    assert "will check and approve the registration" in page.inner_text("main")
    _checked_at_each_width(page, page, "register-done")
    context.close()


def test_the_operator_page_approves_grants_and_revokes(chromium: Any, stack: Stack, attacker: AttackerSite) -> None:
    params = registration_params(attacker.platform)
    assert requests.post(stack.tool.url + "/lti/register", data=params, timeout=10).status_code == 200
    with stack.app.app_context(), stack.app.test_request_context():
        link = admin_link("Sam Operator")
    context = chromium.new_context()
    page = context.new_page()
    page.goto(link)
    assert page.get_by_role("button", name=re.compile("^Approve")).count() == 1
    _checked_at_each_width(page, page, "operator-pending")
    page.get_by_role("button", name=re.compile("^Approve")).click()
    page.get_by_text("The platform is approved").first.wait_for()

    # A last day in the past: the same page, an error summary, the message by the field, the values kept.
    with stack.app.app_context():
        (row,) = registrations.platforms_for_issuer(web.db_session(), attacker.platform.issuer)
        platform_id = str(row.id)
    page.select_option("#platform", platform_id)
    page.select_option("#toolkit", "mini")
    page.fill("#until-day", "1")
    page.fill("#until-month", "1")
    page.fill("#until-year", "2001")
    page.get_by_role("button", name="Grant").click()
    page.get_by_text("There is a problem").first.wait_for()
    assert page.locator(".govuk-error-message", has_text="The last day must be today or in the future").count() == 1
    assert page.input_value("#until-year") == "2001" and page.input_value("#toolkit") == "mini"
    _checked_at_each_width(page, page, "operator-grant-error")

    page.fill("#until-year", "2099")
    page.get_by_role("button", name="Grant").click()
    page.get_by_text("The subscription is granted.").first.wait_for()
    assert "by Sam Operator (operator page)" in page.inner_text("main")
    page.get_by_role("button", name=re.compile("^Revoke mini")).click()
    page.get_by_text("The subscription is revoked.").first.wait_for()
    assert page.get_by_role("button", name=re.compile("^Revoke mini")).count() == 0
    _checked_at_each_width(page, page, "operator-after")
    context.close()


def test_the_deep_link_picker_inside_the_lms_frame(chromium: Any, stack: Stack) -> None:
    (tool,) = stack.platform.tools
    before = len(stack.platform.placements)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{stack.sandbox.url}/play?deep_link={tool.client_id}&user=facilitator")
    frame = page.wait_for_selector("iframe.tool").content_frame()
    frame.get_by_text("Add a SWOTT toolkit to your course").first.wait_for()
    _checked_at_each_width(page, frame, "deep-link-picker")

    frame.get_by_role("button", name="Add to course").click()
    frame = tool_frame(page)
    frame.get_by_text("There is a problem").first.wait_for()
    assert frame.get_by_role("link", name="Choose at least one part of a toolkit to add to your course").count() == 1
    _checked_at_each_width(page, frame, "deep-link-picker-error")

    frame.get_by_label("L1 self-study").check()
    frame.fill("#due-mini-day", "31")
    frame.fill("#due-mini-month", "3")
    frame.fill("#due-mini-year", "2099")
    frame.get_by_role("button", name="Add to course").click()
    page.wait_for_url("**/?added=1", timeout=15000)
    added = stack.platform.placements[before:]
    assert [p.custom for p in added] == [{"toolkit_id": "mini", "part": "l1"}]
    assert added[0].due is not None and added[0].due.date().isoformat() == "2099-03-31"
    context.close()


def test_the_catalogue_start_passback_and_error_pages(chromium: Any, stack: Stack) -> None:
    """The other pages on GOV.UK Frontend here: public catalogue, a learner's start page, a facilitator's
    passback page (inside the LMS frame), and an error page."""
    context = chromium.new_context()
    page = context.new_page()
    page.goto(stack.tool.url + "/")
    assert page.locator("h1").inner_text() == "SWOTT toolkits"
    _checked_at_each_width(page, page, "catalogue")
    page.get_by_role("link", name="A minimal test toolkit").click()
    page.get_by_text("Learning outcomes").first.wait_for()
    _checked_at_each_width(page, page, "catalogue-toolkit")

    learner = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner1")
    assert learner.get_by_role("button", name="Start").count() == 1
    _checked_at_each_width(page, learner, "player-start")

    facilitator = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "facilitator")
    launch_id = re.search(r"[?&]launch=([^&]+)", facilitator.url)
    assert launch_id, facilitator.url
    facilitator.goto(f"{stack.tool.url}/passback/?launch={launch_id.group(1)}")
    facilitator.get_by_text("Grades not yet in your LMS").first.wait_for()
    assert "Every score has reached your LMS." in facilitator.inner_text("main")
    _checked_at_each_width(page, facilitator, "passback")

    page.goto(stack.tool.url + "/toolkits/no-such-toolkit")
    assert "There is no toolkit with that name." in page.inner_text("main")
    _checked_at_each_width(page, page, "error")
    context.close()
