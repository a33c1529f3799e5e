"""Evidence in every package: references reachable from every L1 page, every session-pack page and the
participant sheet; citations resolve; the diagrams travel with their text alternatives."""

from __future__ import annotations

import re

import pytest
from lxml import html

from scorm_packager.build import build
from scorm_packager.editions import Format
from toolkits.loader import Catalogue

CATALOGUE = Catalogue()
SHIPPED = ["participatory-practice", "social-ecological-assessment"]
DIAGRAMS = {
    "participatory-practice": ["assets/harts-ladder.svg", "assets/lundy-model.svg"],
    "social-ecological-assessment": [
        "assets/bronfenbrenner-nested-systems.svg",
        "assets/assessment-framework-triangle.svg",
    ],
}


@pytest.mark.parametrize("toolkit_id", SHIPPED)
@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_every_export_links_every_page_to_the_references(toolkit_id: str, fmt: Format) -> None:
    toolkit = CATALOGUE.get(toolkit_id)
    assert toolkit is not None
    files = build(toolkit, fmt).files
    pages = {name: html.fromstring(body) for name, body in files.items() if name.endswith(".html")}
    assert "session/participant-sheet.html" in pages
    for name, doc in pages.items():
        section = doc.get_element_by_id("references")
        listed = [li.get("id") for li in section.iter("li")]
        assert listed == [r.anchor for r in toolkit.references], name
        assert "Content last reviewed" in section.text_content()
        assert doc.xpath("//a[@href='#references']"), f"{name} has no link to its references"
    player = pages["index.html"]
    for section in player.find_class("swott-page"):
        if section.get("data-kind") == "finish":
            continue
        assert section.xpath(".//a[@href='#references']"), section.get("id")
    # Every citation in the unit names an anchor that exists in the same file.
    ids = set(player.xpath("//@id"))
    cited = [a.get("href")[1:] for a in player.xpath("//a[starts-with(@href, '#ref-')]")]
    assert cited and set(cited) <= ids
    for path in DIAGRAMS[toolkit_id]:
        assert path in files and b"<desc" in files[path] and b"<title" in files[path]


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_the_diagrams_are_in_the_unit_and_the_session_pack_with_text_alternatives(toolkit_id: str) -> None:
    toolkit = CATALOGUE.get(toolkit_id)
    assert toolkit is not None
    files = build(toolkit, Format.HTML).files
    for name in ("index.html", "session/participant-sheet.html"):
        doc = html.fromstring(files[name])
        images = [img for img in doc.iter("img") if img.get("src", "").endswith(".svg")]
        assert images, name
        for img in images:
            assert len(img.get("alt", "")) > 80, f"{name}: {img.get('src')} needs a full text alternative"
            target = re.sub(r"^(\.\./)+", "", img.get("src", ""))
            assert target in files, f"{name}: {img.get('src')} is not in the package"
