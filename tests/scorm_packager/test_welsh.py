"""Packages in Welsh (`swott package --lang cy`, issue 13): the chrome in Welsh, the content as written.

The content is English (no toolkit has Welsh content yet), so inside a Welsh page every piece of it
carries `lang="en-GB"` (WCAG 2.2 SC 3.1.2), and the first page says so in both languages.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scorm_packager.build import build
from scorm_packager.editions import Format
from scorm_packager.i18n import chrome
from swott.cli import main
from tests.lti_tool.browser.support import axe_violations
from tests.scorm_packager.test_session_pack import text_of
from toolkits.model import Toolkit

REPO = Path(__file__).resolve().parents[2]
WELSH_CHROME = ("Tudalen nesaf", "Tudalen flaenorol", "Gwirio fy ateb", "Cadw fy myfyrdod", "Eich cynnydd",
                "Neidio i’r dudalen", "Cadw a chau", "Deilliannau dysgu")  # fmt: skip
ENGLISH_CHROME = ("Next page", "Previous page", "Check my answer", "Save my reflection", "Skip to the page",
                  "Save and close", "Learning outcomes", "Choose one answer.")  # fmt: skip


def _files(toolkit: Toolkit, fmt: Format) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(build(toolkit, fmt, "cy").zip_bytes())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_a_welsh_package_passes_the_same_checks_as_an_english_one(
    fixture_toolkit: Toolkit, fmt: Format, tmp_path: Path
) -> None:
    target = tmp_path / "package.zip"
    target.write_bytes(build(fixture_toolkit, fmt, "cy").zip_bytes())
    result = CliRunner().invoke(main, ["package", "--check", str(target)])  # manifest against the XSDs, files
    assert result.exit_code == 0, result.output


def test_swott_package_lang_cy_writes_a_welsh_package_beside_the_english_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["package", "participatory-practice", "--format", "scorm2004-4", "--lang", "cy", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    (zipped,) = tmp_path.glob("*.zip")
    assert zipped.name.endswith("-scorm2004-4-cy.zip")
    with zipfile.ZipFile(zipped) as archive:
        index = archive.read("index.html").decode()
    assert '<html lang="cy">' in index and "Tudalen nesaf" in index


def test_an_unknown_language_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["package", "participatory-practice", "--format", "html", "--lang", "fr"])
    assert result.exit_code != 0
    assert "'en'" in result.output and "'cy'" in result.output


def test_the_welsh_player_has_welsh_chrome_and_marks_the_english_content(fixture_toolkit: Toolkit) -> None:
    index = _files(fixture_toolkit, Format.HTML)["index.html"].decode()
    assert '<html lang="cy">' in index
    text = text_of(index.encode())
    for words in WELSH_CHROME:
        assert words in text, words
    for words in ENGLISH_CHROME:
        assert words not in text, words
    # The content is the toolkit's, unchanged, and says which language it is in.
    assert f'<h1 lang="en-GB">{fixture_toolkit.title}</h1>' in index
    for page in fixture_toolkit.l1.pages:
        assert f'id="title-{page.id}" tabindex="-1" lang="en-GB">' in index
    assert '<nav aria-label="Tudalennau’r uned hon">' in index
    assert "Mae cynnwys yr uned hon yn Saesneg am y tro" in text
    assert '<span lang="en-GB">The content of this unit is in English for now' in index


def test_the_runtime_gets_its_welsh_words_in_the_page_data(fixture_toolkit: Toolkit) -> None:
    index = _files(fixture_toolkit, Format.SCORM12)["index.html"].decode()
    match = re.search(r'<script type="application/json" id="swott-data">(.*?)</script>', index, re.S)
    assert match
    strings = json.loads(match.group(1))["strings"]
    assert strings["pageOf"] == "Tudalen {n} o {total}"
    assert strings["right"] == "Cywir."


def test_the_welsh_session_pack_has_welsh_navigation(fixture_toolkit: Toolkit) -> None:
    files = _files(fixture_toolkit, Format.HTML)
    for name in ("index", "case-study", "facilitator-guide", "participant-sheet"):
        html = files[f"session/{name}.html"].decode()
        assert '<html lang="cy">' in html, name
        text = text_of(html.encode())
        assert "Cynllun y sesiwn" in text and "Canllaw’r hwylusydd" in text, name
        assert "Session plan" not in text and "Skip to the content" not in text, name
    plan = files["session/index.html"].decode()
    # The format's name is the toolkit's method, so it stays English, and says so.
    assert '<caption>Agenda (60 munud, fformat <span lang="en-GB">SWOTT default</span>)</caption>' in plan


def test_english_packages_are_unchanged_by_the_welsh_path(fixture_toolkit: Toolkit) -> None:
    assert build(fixture_toolkit, Format.CMI5).zip_bytes() == build(fixture_toolkit, Format.CMI5, "en").zip_bytes()
    assert chrome("en").content("<p>x</p>") == "<p>x</p>"


@pytest.mark.browser
@pytest.mark.slow
def test_welsh_pages_pass_axe_and_the_runtime_speaks_welsh(
    chromium: Any, lms_host: Any, fixture_toolkit: Toolkit
) -> None:
    base = lms_host.host("axe-html-cy", build(fixture_toolkit, Format.HTML, "cy").zip_bytes())
    context = chromium.new_context()
    page = context.new_page()
    page.goto(base + "index.html")
    page.locator("#page-position").filter(has_text="Tudalen 1 o").wait_for()
    assert axe_violations(page) == [], "first page"
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path="/tmp/shots/welsh/package-cy-320.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/shots/welsh/package-cy-1280.png", full_page=True)
    page.locator("#swott-toc a[data-page='04-check']").click()
    page.get_by_role("radio", name="Audience").check()
    page.get_by_role("button", name="Gwirio fy ateb").first.click()
    page.locator("#feedback-q-space .verdict").filter(has_text=re.compile("Cywir|Ddim yn hollol")).wait_for()
    assert axe_violations(page) == [], "check page"
    page.locator("#swott-toc a[data-page='finish']").click()
    assert page.locator("#summary-status").inner_text() in ("ar waith", "wedi’i gwblhau")
    assert axe_violations(page) == [], "finish page"
    for name in ("index", "participant-sheet"):
        page.goto(f"{base}session/{name}.html")
        assert axe_violations(page) == [], name
    context.close()
