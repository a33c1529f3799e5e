"""The portfolio in Welsh in a real browser (issue 13): a learner whose LMS launches with `locale` `cy-GB`,
inside the sandbox LMS's iframe, on a Scottish platform (so the SSSC verification block shows too). The
portfolio, the record form (with an error), the settings page, the verification link and the employer's
verification page are `<html lang="cy">`, and axe-core (WCAG 2.0-2.2 A/AA, 3.1.1 and 3.1.2 through `lang`)
finds nothing at 320 px and 1280 px, with no sideways scroll. Screenshots go to /tmp/shots/welsh-b/.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import update

from lti_tool import web
from lti_tool.models import Platform
from tests.lti_tool.browser.support import (
    WIDTHS,
    assert_accessible,
    assert_no_horizontal_scroll,
    check_at_widths,
    goto_keeping_launch,
    needs_axe,
    open_in_lms_frame,
    tool_frame,
)
from tests.lti_tool.l1_stack import Stack, stack_fixture  # noqa: F401 - the `stack` fixture

SHOTS = Path(os.environ.get("SWOTT_SHOTS", "/tmp/shots/welsh-b"))


def _check(page: Any, text: str, name: str) -> None:
    """Wait for the page's Welsh text; lang="cy", then axe and reflow at each width, with screenshots."""
    tool_frame(page).get_by_text(text).first.wait_for()
    check_at_widths(page, SHOTS, name, ready=_is_welsh)


def _is_welsh(frame: Any) -> None:
    assert frame.evaluate("document.documentElement.lang") == "cy"


@needs_axe
def test_the_welsh_portfolio_passes_axe_inside_the_lms_frame(chromium: Any, stack: Stack) -> None:
    with stack.app.app_context():
        session = web.db_session()
        session.execute(update(Platform).values(default_regulator="sssc"))
        session.commit()
    learner = stack.platform.user("learner1")
    stack.platform.users["learner1"] = dataclasses.replace(learner, locale="cy-GB")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    frame = open_in_lms_frame(page, stack.sandbox.url, stack.placement_id, "learner1")
    goto_keeping_launch(frame, "/portfolio/")
    _check(page, "Eich portffolio DPP", "index")
    assert "0 o 8 elfen ddysgu graidd wedi’u cynnwys." in tool_frame(page).locator("#cpd-counter").inner_text()

    tool_frame(page).get_by_role("button", name="Ychwanegu DPP a wnaed yn rhywle arall").click()
    _check(page, "Math o ddysgu", "record-form")
    tool_frame(page).get_by_role("button", name="Ychwanegu’r cofnod hwn").click()
    _check(page, "Mae yna broblem", "record-form-error")
    assert "Rhowch deitl" in tool_frame(page).locator(".govuk-error-summary").inner_text()

    goto_keeping_launch(tool_frame(page), "/portfolio/settings")
    _check(page, "Pwy yw eich rheoleiddiwr?", "settings")

    goto_keeping_launch(tool_frame(page), "/portfolio/")
    tool_frame(page).get_by_role("button", name="Gwneud dolen ddilysu").click()
    _check(page, "Copïwch y ddolen nawr", "verification-link")
    link = tool_frame(page).locator("#verification-link").input_value().strip()
    employer = context.new_page()
    employer.goto(urlunsplit(urlsplit(link)._replace(path="/language/cy", query="next=" + urlsplit(link).path)))
    employer.get_by_text("Dilysu dysgu proffesiynol parhaus (CPL)").first.wait_for()
    assert employer.evaluate("document.documentElement.lang") == "cy"
    for width in WIDTHS:
        employer.set_viewport_size({"width": width, "height": 900})
        employer.screenshot(path=str(SHOTS / f"employer-{width}.png"), full_page=True)
        assert_accessible(employer)
        assert_no_horizontal_scroll(employer)
    context.close()
