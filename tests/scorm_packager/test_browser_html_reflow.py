"""The static HTML export read on a phone: no page of any shipped toolkit's package scrolls sideways at 320 px.

Each shipped toolkit is built as the `html` package, unzipped and served over HTTP; every HTML file in it
(the L1 pages, the L2 session pack with its agenda table, the guide and sheet) is opened at 320 px wide.
WCAG 1.4.10 (reflow): the agenda table and authored tables wrap inside the page rather than push it wider.
"""

from __future__ import annotations

from typing import Any

import pytest

from scorm_packager.build import build
from scorm_packager.editions import Format
from tests.lti_tool.browser.support import sideways_scroll, too_wide
from toolkits.loader import Catalogue

pytestmark = pytest.mark.browser
SHIPPED = ("participatory-practice", "making-safeguarding-personal", "social-ecological-assessment")


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_no_page_of_the_html_package_scrolls_sideways_at_320px(chromium: Any, lms_host: Any, toolkit_id: str) -> None:
    toolkit = Catalogue().get(toolkit_id)
    assert toolkit is not None
    package = build(toolkit, Format.HTML)
    base = lms_host.host(f"html-{toolkit_id}", package.zip_bytes())
    pages = sorted(name for name in package.files if name.endswith(".html"))
    assert any("agenda" in package.files[name].decode() for name in pages), "no page holds the agenda table"
    context = chromium.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    problems = []
    for name in pages:
        page.goto(base + name)
        page.wait_for_load_state("load")
        if overflow := sideways_scroll(page):
            problems.append(f"{name} scrolls sideways by {overflow}px: {too_wide(page)}")
    context.close()
    assert problems == [], "\n".join(problems)
