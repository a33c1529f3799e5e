"""The L1 journey for a launch with `locale` `cy-GB` (issue 13): the start page, a content page, a knowledge
check, the reflection and the summary come out with `<html lang="cy">`, Welsh interface text, and no English
interface string left outside the toolkit's own content (marked `lang="en-GB"`, WCAG 2.2 SC 3.1.2).
English launches are covered, unchanged, by test_l1.py.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests.lti_tool.l1_factories import FIXTURE_TOOLKITS, launch_for, make_learner, sign_in

pytestmark = pytest.mark.app_settings(toolkits_dir=str(FIXTURE_TOOLKITS))  # the small fixture toolkits
ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "lti_tool" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class InterfaceText(HTMLParser):
    """The text a reader meets in the page's own language: the body's text and aria-labels, leaving out
    everything inside an element marked with another language (toolkit content, the switch's 'English')."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: is it (or an ancestor) in another language?
        self.parts: list[str] = []
        self.in_body = False

    def _foreign(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "body":
            self.in_body = True
        foreign = self._foreign() or (values.get("lang") or "cy").lower() not in ("cy", "cy-gb")
        if self.in_body and not foreign and values.get("aria-label"):
            self.parts.append(values["aria-label"] or "")
        if tag not in VOID:
            self.stack.append(foreign)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_body and not self._foreign():
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def interface_text(html: str) -> str:
    parser = InterfaceText()
    parser.feed(html)
    return parser.text


def english_fragments() -> list[str]:
    """The English of every catalogue entry whose Welsh differs, cut at its placeholders and markup,
    keeping the pieces a reader would recognise (two words or more, or one word of 4+ letters) that the
    Welsh does not itself keep (a name such as "Social Work England")."""
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    fragments: set[str] = set()
    welsh = " ".join(m.string for m in catalogue if m.id and isinstance(m.string, str))
    for message in catalogue:
        if not message.id or not isinstance(message.id, str) or message.string == message.id:
            continue
        for piece in re.split(r"%\(\w+\)s|%%|<[^>]+>", message.id):
            piece = piece.strip(" .,:;()—")
            kept_in_welsh = piece in welsh  # a name, such as "Social Work Online Team Training"
            if (" " in piece or len(piece) >= 4) and not kept_in_welsh:
                fragments.add(piece)
    return sorted(fragments)


def english_left(html: str) -> list[str]:
    text = interface_text(html)
    return [f for f in english_fragments() if re.search(rf"(?<![\w’']){re.escape(f)}(?![\w’'])", text)]


@pytest.fixture
def welsh(app: Flask) -> Iterator[tuple[FlaskClient, str]]:
    """A learner whose LMS launched the tool with `locale` `cy-GB`: their client and launch id."""
    with app.extensions["swott.db"].session() as db:
        learner = make_learner(db)
        db.commit()
        launch = dataclasses.replace(launch_for(learner), locale="cy-GB")
    client = app.test_client()
    sign_in(client, launch)
    yield client, launch.launch_id


def _get(client: FlaskClient, launch_id: str, path: str) -> str:
    response = client.get(f"{path}?launch={launch_id}", follow_redirects=True)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _post(client: FlaskClient, launch_id: str, path: str, data: dict[str, object], form_page: str) -> str:
    token = CSRF.search(_get(client, launch_id, form_page))
    assert token is not None
    response = client.post(f"{path}?launch={launch_id}", data={**data, "csrf_token": token.group(1)},
                           follow_redirects=True)  # fmt: skip
    return response.get_data(as_text=True)


def _assert_welsh(html: str, *welsh: str) -> None:
    assert '<html lang="cy"' in html
    assert "&lt;span" not in html, "markup put together with a translation came out escaped"
    text = interface_text(html)
    for words in welsh:
        assert words in text
    assert english_left(html) == [], "English interface text on a Welsh page"


def test_the_catalogue_check_sees_english_left_on_a_page() -> None:
    """The check itself: it finds wrapped English outside content, and ignores it inside lang="en-GB"."""
    page = '<html lang="cy"><body><p>Save and continue</p><div lang="en-GB">Your draft</div></body></html>'
    assert "Save and continue" in english_left(page)  # (and "Save", a catalogue entry of its own)
    assert english_left(page.replace("Save and continue", "Cadw a pharhau")) == []


def test_the_start_page_is_in_welsh(welsh: tuple[FlaskClient, str]) -> None:
    client, launch_id = welsh
    html = _get(client, launch_id, "/player/")
    _assert_welsh(html, "L1 hunanastudio", "Cynnwys", "Heb ddechrau", "Dechrau", "Neidio i’r prif gynnwys")
    assert re.search(r'<h1 class="govuk-heading-l" lang="en-GB">', html)  # the toolkit's own title


def test_a_content_page_and_a_knowledge_check_are_in_welsh(welsh: tuple[FlaskClient, str]) -> None:
    client, launch_id = welsh
    html = _post(client, launch_id, "/l1/page/01-intro/view", {}, "/l1/page/01-intro")
    _assert_welsh(html, "Tudalen 1 o 4", "Cynnwys", "Y dudalen hon", "Nesaf", "Datganiad hygyrchedd")
    assert 'class="page-body govuk-body" lang="en-GB"' in html
    # The evidence line (toolkits.evidence) in Welsh, its dates too; the citations themselves stay English.
    assert "Pob cyfeiriad ar gyfer y pecyn cymorth hwn" in interface_text(html)
    assert "Adolygwyd y cynnwys ddiwethaf ar 1 Rhagfyr 2026" in interface_text(html)
    check = _get(client, launch_id, "/l1/page/02-check")
    _assert_welsh(check, "Cwestiwn 1 o", "Gwirio’r ateb", "Blaenorol")
    refused = _post(client, launch_id, "/l1/page/02-check/answer", {"question": "q-one"}, "/l1/page/02-check")
    _assert_welsh(refused, "Mae yna broblem", "Dewiswch ateb cyn ei wirio.")


def test_the_reflection_and_the_summary_are_in_welsh(welsh: tuple[FlaskClient, str]) -> None:
    client, launch_id = welsh
    html = _get(client, launch_id, "/l1/page/reflection")
    _assert_welsh(html, "Statws:", "Cadw’r drafft", "Cyflwyno’r myfyrdod", "Diwrnod", "Blwyddyn")
    refused = _post(client, launch_id, "/l1/page/reflection", {"action": "submit", "version": "0"},
                    "/l1/page/reflection")  # fmt: skip
    _assert_welsh(refused, "Ni chafodd eich myfyrdod ei gyflwyno")
    summary = _get(client, launch_id, "/l1/summary")
    _assert_welsh(
        summary, "Eich cynnydd a’ch canlyniadau", "Gwiriadau gwybodaeth", "Myfyrdod", "Ysgrifennu eich myfyrdod"
    )


def test_the_same_summary_for_an_english_launch_stays_english(app: Flask) -> None:
    """An English launch of the same journey reads in English: nothing Welsh leaks across."""
    with app.extensions["swott.db"].session() as db:
        learner = make_learner(db)
        db.commit()
        launch = launch_for(learner)
    client = app.test_client()
    sign_in(client, launch)
    html = _get(client, launch.launch_id, "/l1/summary")
    assert '<html lang="en-GB"' in html and "Your progress and results" in html
    assert "Myfyrdod" not in html and "Gwiriadau gwybodaeth" not in html
