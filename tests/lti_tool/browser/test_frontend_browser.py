"""The GOV.UK Frontend layout in Debian's chromium: no font file requested, the council's colour in the
header, GOV.UK Frontend's JS running, and axe-core clean at 320 px and 1280 px (issue 10 item 1).

The tool is served over real HTTP by Werkzeug in a thread; a test route renders the base layout with a
brand colour and a form in its error state, as a converted page will.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.typing import ResponseReturnValue

from tests.conftest import make_app
from tests.lti_tool.browser.support import AXE, assert_accessible, assert_no_horizontal_scroll
from tests.lti_tool.lti.http_support import serve
from tests.lti_tool.test_frontend import PAGE, _Hours

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci`"),
]
BRAND = "#6a1b5c"  # a council purple: white on it is 9:1


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    app: Flask = make_app(tmp_path)

    @app.route("/_test/hours", methods=["GET", "POST"])
    def hours() -> ResponseReturnValue:
        form = _Hours()
        if form.validate_on_submit():
            return "saved"
        return render_template_string(PAGE, form=form, brand_colour=BRAND)

    with serve(app) as url:
        yield url
    app.extensions["swott.db"].dispose()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_layout_requests_no_font_shows_the_brand_and_passes_axe(chromium: Any, served: str, width: int) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(f"{request.resource_type} {request.url}"))
    for path in ("/", "/_test/hours"):
        page.goto(served + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
    header = page.evaluate("getComputedStyle(document.querySelector('.swott-header')).backgroundColor")
    assert header == "rgb(106, 27, 92)"
    name = page.evaluate("getComputedStyle(document.querySelector('.swott-header__name')).color")
    assert name == "rgb(255, 255, 255)"
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" not in font and "system-ui" in font

    # A form with an error: the same page, the summary focused (GOV.UK Frontend's JS), what was typed kept.
    page.fill("#title", "Court skills day")
    page.fill("#hours", "99")
    with page.expect_navigation():
        page.click("button.govuk-button")
    page.wait_for_load_state("networkidle")
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.input_value("#title") == "Court skills day"
    assert page.input_value("#hours") == "99"
    assert page.locator("#hours-error").inner_text().strip().endswith("Hours must be 1 to 40")
    assert_accessible(page)

    fonts = [r for r in requested if r.startswith("font ") or ".woff" in r or "/assets/" in r]
    assert fonts == [], fonts
    assert not [r for r in requested if " http" in r and "127.0.0.1" not in r and "data:" not in r]
    context.close()
