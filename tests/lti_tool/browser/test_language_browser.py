"""The language switch in Debian's chromium (issue 13): a person picks Cymraeg, the page comes back in
Welsh (dates too), the switch says which language is shown, and axe-core is clean at 320 px and 1280 px.

A test route renders the base layout with the switch in `beforeContent`, as base.html will once the lead
adds the include (docs/welsh.md), and the error page in whichever language was chosen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.typing import ResponseReturnValue

from lti_tool.errors import NotFound
from tests.conftest import make_app
from tests.lti_tool.browser.support import AXE, assert_accessible, assert_no_horizontal_scroll
from tests.lti_tool.lti.http_support import serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci`"),
]
ROOT = Path(__file__).resolve().parents[3]
PAGE = """{% extends "base.html" %}{% block beforeContent %}{% include "_language_switch.html" %}{% endblock %}
{% block content %}<h1 class="govuk-heading-l">{{ _("Choose a language") }}</h1>
<p class="govuk-body" id="when">{{ when|day }}, {{ when|time }}</p>{% endblock %}"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    app: Flask = make_app(tmp_path)

    @app.get("/_test/language")
    def page() -> ResponseReturnValue:
        return render_template_string(PAGE, when=datetime(2027, 1, 15, 17, 30, tzinfo=UTC))

    @app.get("/_test/missing")
    def missing() -> ResponseReturnValue:
        raise NotFound("There is no page at this address.", reason="test")

    with serve(app) as url:
        yield url
    app.extensions["swott.db"].dispose()


@pytest.mark.parametrize("width", [320, 1280])
def test_choosing_cymraeg_shows_the_page_and_the_error_page_in_welsh(chromium: Any, served: str, width: int) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(served + "/_test/language")
    assert page.locator("#when").inner_text() == "Friday 15 January 2027, 5:30pm"
    assert_accessible(page)
    page.get_by_role("link", name="Cymraeg – Newid yr iaith i’r Gymraeg").click()
    page.get_by_text("Dewis iaith").first.wait_for()
    assert page.locator("#when").inner_text() == "Dydd Gwener 15 Ionawr 2027, 5:30yh"
    assert page.locator('nav [aria-current="true"]').inner_text() == "Cymraeg"
    assert page.get_by_role("navigation", name="Dewis iaith").is_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    if "html_lang()" in (ROOT / "lti_tool" / "templates" / "base.html").read_text(encoding="utf-8"):
        assert page.evaluate("document.documentElement.lang") == "cy"
    page.screenshot(path=f"/tmp/shots/welsh/switch-browser-cy-{width}.png", full_page=True)
    page.goto(served + "/_test/missing")
    assert page.get_by_role("heading", level=1).inner_text() == "Nid oedd modd inni ddod o hyd i hynny"
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    # The error page has the switch once base.html includes it; the switch's own address works already.
    page.goto(served + "/language/en?next=/_test/missing")
    page.get_by_text("We could not find that").first.wait_for()
    context.close()
