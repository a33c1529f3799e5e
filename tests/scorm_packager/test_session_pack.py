"""The L2 session pack and the L1 pages: the same content as the toolkit, accessible and printable.

The content checks read the HTML a package holds; the accessibility check runs axe-core (WCAG 2.x A and
AA rules, from the repository's node_modules) in chromium on every L1 page and every pack page.
"""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scorm_packager.build import build
from scorm_packager.content import session_pack
from scorm_packager.editions import Format
from tests.lti_tool.browser.support import axe_violations
from toolkits import cpd
from toolkits.model import Toolkit
from toolkits.render import render_markdown

REPO = Path(__file__).resolve().parents[2]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: bytes) -> str:
    parser = _Text()
    parser.feed(html.decode())
    return " ".join(" ".join(parser.parts).split())


def test_session_pack_has_agenda_stages_prompts_guide_and_sheet(fixture_toolkit: Toolkit) -> None:
    pack = session_pack(fixture_toolkit)
    assert sorted(pack) == [
        "session/case-study.html",
        "session/facilitator-guide.html",
        "session/index.html",
        "session/participant-sheet.html",
    ]
    plan = text_of(pack["session/index.html"])
    assert "Agenda (60 minutes, SWOTT default format)" in plan
    assert "0–5 Check-in and ground rules 5" in plan
    assert "45–60 Actions and written reflections 15" in plan
    assert "What did you notice about how the child's view was sought?" in plan
    assert "Next time, what might you do to give the child more influence?" in plan
    case = text_of(pack["session/case-study.html"])
    assert "Sam is nine" in case
    for n in (1, 2, 3):
        assert f"Stage {n} — what happens next" in case
        assert f"What do we know at stage {n}, and what are we assuming?" in case
    assert case.index("Stage 1") < case.index("Stage 2") < case.index("Stage 3")
    case_html = pack["session/case-study.html"].decode()
    assert 'href="../index.html#page-03-model"' in case_html, "links to L1 pages go to the player"
    assert 'src="../assets/ladder.svg"' in case_html
    # A stage links a document the learner may open (toolkits/links.py: never the facilitator guide).
    assert 'href="participant-sheet.html"' in case_html
    guide = text_of(pack["session/facilitator-guide.html"])
    assert "stop advice dressed as questions" in guide and "Check-in and ground rules" in guide
    sheet = text_of(pack["session/participant-sheet.html"])
    assert "Bring your L1 reflection" in sheet
    for field in cpd.reflection_fields("gibbs", True):
        assert field.label in sheet, field.label
    assert "Peer reflection" in sheet


def test_pack_pages_are_printable_and_structured(fixture_toolkit: Toolkit) -> None:
    for name, html in session_pack(fixture_toolkit).items():
        text = html.decode()
        assert '<html lang="en-GB">' in text, name
        assert text.count("<h1>") == 1, name
        assert 'href="../swott/style.css"' in text, name
        assert "<script" not in text, f"{name}: the pack needs no script"
    css = (REPO / "scorm_packager" / "runtime" / "style.css").read_text()
    assert "@media print" in css and "size: A4" in css
    agenda = session_pack(fixture_toolkit)["session/index.html"].decode()
    assert '<th scope="col">' in agenda and '<th scope="row">' in agenda and "<caption>" in agenda


def test_l1_page_uses_the_shared_renderer_and_reflection_fields(fixture_toolkit: Toolkit) -> None:
    html = build(fixture_toolkit, Format.SCORM12).files["index.html"].decode()
    model_page = fixture_toolkit.l1.pages[2]
    rendered = render_markdown(model_page.body)
    assert rendered.strip() in html, "the page body is the shared renderer's output"
    for field in cpd.reflection_fields("driscoll", False):
        assert f'for="r-{field.id}"' in html and field.label in html
    # Links between toolkit files resolve to places in the package.
    assert 'href="#page-03-model"' in html
    assert 'src="assets/ladder.svg"' in html
    for question in fixture_toolkit.l1.questions:
        for option in question.options:
            assert f'data-option="{option.id}"' in html
            assert option.feedback in html


def test_html_export_is_a_static_site_with_l1_and_the_pack(fixture_toolkit: Toolkit) -> None:
    data = build(fixture_toolkit, Format.HTML).zip_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        index = archive.read("index.html").decode()
    assert {"index.html", "session/index.html", "swott/sco.js", "assets/ladder.svg"} <= names
    assert not any(n.endswith((".xml", ".xsd")) for n in names), "a static site carries no manifest"
    assert '"flavour": "none"' in index


@pytest.mark.browser
def test_pages_pass_axe_wcag_aa(chromium: Any, lms_host: Any, fixture_toolkit: Toolkit) -> None:
    base = lms_host.host("axe-html", build(fixture_toolkit, Format.HTML).zip_bytes())
    context = chromium.new_context()
    page = context.new_page()
    page.goto(base + "index.html")
    page.locator("#page-position").filter(has_text="Page").wait_for()
    page_ids = [p.id for p in fixture_toolkit.l1.pages] + ["reflection", "finish"]
    for page_id in page_ids:
        page.locator(f"#swott-toc a[data-page='{page_id}']").click()
        if page_id == "04-check":
            page.get_by_role("radio", name="Audience").check()
            page.locator("button.check-answer[data-question='q-space']").click()
        if page_id == "reflection":
            page.get_by_role("button", name="Save my reflection").click()
        assert axe_violations(page) == [], page_id
    for name in ("index", "case-study", "facilitator-guide", "participant-sheet"):
        page.goto(f"{base}session/{name}.html")
        assert axe_violations(page) == [], name
    context.close()
