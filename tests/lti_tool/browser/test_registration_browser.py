"""An attacker's Dynamic Registration cannot frame a learner's page (issue 9 defect 1), in a real browser.

The attack as the adversarial run found it: open `/lti/register` with your own platform, then show the
tool's pages inside your own site. Now that registration is pending, so the tool's CSP frame-ancestors
leaves its origin out and Chromium refuses to render the tool in the attacker's frame. After an operator
approves the platform the same page frames the tool, which shows the check can see framing at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from lti_tool import web
from lti_tool.services import registrations
from tests.lti_tool.browser.test_l1_browser import launch, start
from tests.lti_tool.l1_stack import Stack, stack_fixture  # noqa: F401 - the `stack` fixture
from tests.lti_tool.lti.lti_platform import FakePlatform, serve


class AttackerSite:
    """The attacker's platform (for the registration) and, on the same origin, a page that frames a URL."""

    def __init__(self) -> None:
        self.platform = FakePlatform()
        self.target = ""

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/evil":
            body = f'<!doctype html><title>Totally your LMS</title><iframe id="victim" src="{self.target}"></iframe>'
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body.encode()]
        return self.platform.wsgi(environ, start_response)


@pytest.fixture
def attacker() -> Iterator[AttackerSite]:
    site = AttackerSite()
    with serve(site.wsgi) as url:
        site.platform.base_url = url
        yield site


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
    params = {
        "openid_configuration": attacker.platform.base_url + "/.well-known/openid-configuration",
        "registration_token": attacker.platform.registration_token,
    }
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


def test_the_approval_and_operator_pages_pass_axe(chromium: Any, stack: Stack, attacker: AttackerSite) -> None:
    from lti_tool.views.admin import admin_link
    from tests.lti_tool.browser.support import assert_accessible

    params = {
        "openid_configuration": attacker.platform.base_url + "/.well-known/openid-configuration",
        "registration_token": attacker.platform.registration_token,
    }
    context = chromium.new_context()
    page = context.new_page()
    page.goto(stack.tool.url + "/lti/register?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert page.locator("h1").inner_text() == "Register SWOTT Connect with your platform"
    assert_accessible(page)
    page.get_by_role("button", name="Register SWOTT Connect").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "SWOTT Connect is registered"
    assert_accessible(page)

    with stack.app.app_context(), stack.app.test_request_context():
        link = admin_link("Sam Operator")
    page.goto(link)
    assert page.get_by_role("button", name=re.compile("^Approve")).count() == 1
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Approve")).click()
    page.wait_for_load_state("load")
    assert "The platform is approved" in page.inner_text("main")
    page.select_option("#grant-toolkit", "mini")
    page.get_by_role("button", name="Grant").click()
    page.wait_for_load_state("load")
    assert "The subscription is granted." in page.inner_text("main")
    assert "by Sam Operator (operator page)" in page.inner_text("main")
    assert_accessible(page)
    context.close()
