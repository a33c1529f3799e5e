"""Evidence shown in the player: every L1 and L2 page links to the toolkit's references, claims link to
their source, the diagrams are served with their text alternatives, and review dates are shown."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask
from flask.testing import FlaskClient

from lti_tool.services import progress
from tests.lti_tool.l2_factories import course_in, launch_of, sign_in, toolkit

REFERENCES_LINK = 'href="/toolkits/participatory-practice#references"'
IMG = re.compile(r'<img src="([^"]+)" alt="([^"]*)"')


def _client(app: Flask, part: str, role: str = "learner") -> FlaskClient:
    course = course_in(app, learners=1)
    user = course.facilitator if role == "facilitator" else course.learners[0]
    client = app.test_client()
    sign_in(client, launch_of(course, user, part=part, role=role))
    return client


def test_every_l1_page_links_to_the_references_and_cites_its_sources(app: Flask) -> None:
    client = _client(app, "l1")
    kit = toolkit()
    for step in progress.steps(kit):
        page = client.get(f"/l1/page/{step}").get_data(as_text=True)
        assert REFERENCES_LINK in page, step
    lundy = client.get("/l1/page/09-lundy-model").get_data(as_text=True)
    # The claim links to its source, listed on the page with the anchor the link names.
    assert 'href="#ref-lundy-2007"' in lundy and '<li id="ref-lundy-2007">Lundy, L. (2007)' in lundy
    assert "Sources for this page" in lundy and "Content last reviewed 1 December 2026" in lundy


def test_the_diagrams_are_served_with_a_full_text_alternative(app: Flask) -> None:
    client = _client(app, "l1")
    page = client.get("/l1/page/06-harts-ladder").get_data(as_text=True)
    src, alt = next((unescape(s), a) for s, a in IMG.findall(page) if "/assets/harts-ladder.svg" in s)
    assert all(word in alt for word in ("manipulation", "decoration", "tokenism", "child-initiated"))
    with client.get(src) as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        body = svg.get_data(as_text=True)
    assert "<title" in body and "<desc" in body and 'role="img"' in body


def test_every_l2_page_links_to_the_references_and_the_sheet_shows_its_diagrams(app: Flask) -> None:
    learner = _client(app, "l2")
    home = learner.get("/l2/").get_data(as_text=True)
    assert REFERENCES_LINK in home
    # The home page links to the participant sheet (issue 10); the sheet's page shows its diagrams.
    assert "/l2/document/participant-sheet" in home
    sheet = learner.get("/l2/document/participant-sheet").get_data(as_text=True)
    assert REFERENCES_LINK in sheet
    sources = [unescape(s) for s, _alt in IMG.findall(sheet)]
    assert any("/assets/harts-ladder.svg" in s for s in sources)
    for source in sources:
        with learner.get(source) as response:
            assert response.status_code == 200, source
    facilitator = _client(app, "l2", role="facilitator")
    for url in ("/l2/plan", "/l2/dashboard"):
        assert REFERENCES_LINK in facilitator.get(url).get_data(as_text=True), url


def test_the_references_page_has_an_anchor_for_every_reference_and_the_review_dates(client: FlaskClient) -> None:
    page = client.get("/toolkits/participatory-practice").get_data(as_text=True)
    assert 'id="references"' in page
    for reference in toolkit().references:
        assert f'id="{reference.anchor}"' in page
    assert "Content last reviewed 1 December 2026; next review due by 1 December 2027." in page
