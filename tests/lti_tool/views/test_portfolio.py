"""Portfolio pages: the counter, CPD done elsewhere, exports, sharing, privacy by URL, my data, erasure."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from lti_tool.models import Reflection
from tests.lti_tool.l2_factories import Course, csrf_from, finish_l1, launch_of, local_platform, make_course, sign_in


@dataclass
class World:
    app: Flask
    course: Course
    other: Course
    reflection_id: int

    def client(self, who: str, *, course: Course | None = None, part: str = "l1") -> FlaskClient:
        course = course or self.course
        client = self.app.test_client()
        if who == "facilitator":
            sign_in(client, launch_of(course, course.facilitator, role="facilitator", part=part))
        else:
            sign_in(client, launch_of(course, course.learners["ab".index(who)], part=part))
        return client


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    with app.extensions["swott.db"].session() as session:
        platform = local_platform(session)
        course = make_course(session, learners=2, platform=platform)
        other = make_course(session, learners=1, platform=platform)
        finish_l1(session, course, course.learners[0])
        finish_l1(session, course, course.learners[1])
        reflection_id = session.scalars(select(Reflection.id).where(Reflection.user_id == course.learners[0].id)).one()
        session.commit()
    yield World(app, course, other, reflection_id)


def _text_of(world: World, user_index: int) -> str:
    return f"by learner {world.course.learners[user_index].id}"


def test_the_portfolio_shows_the_counter_and_the_paste_ready_text(world: World) -> None:
    page = world.client("a").get("/portfolio/").get_data(as_text=True)
    assert "1 of 2 pieces, 0 of 1 with peer reflection." in page
    assert "Text for your Social Work England record" in page
    assert "Type of CPD:" in page
    assert _text_of(world, 0) in page
    assert _text_of(world, 1) not in page


def test_pdf_and_json_exports_download(world: World) -> None:
    client = world.client("a")
    pdf = client.get("/portfolio/portfolio.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    for label in (
        "Title",
        "Type of CPD",
        "Description and why it is relevant",
        "What you learnt",
        "The positive impact",
    ):
        assert label in text
    assert _text_of(world, 0) in text
    data = client.get("/portfolio/portfolio.json").get_json()
    assert data["period"]["records"] == 1
    mine = client.get("/portfolio/my-data.json")
    assert "attachment" in mine.headers["Content-Disposition"]
    assert json.loads(mine.data)["you"]["name"] == world.course.learners[0].name


def test_a_facilitator_cannot_read_a_private_reflection_by_url(world: World) -> None:
    url = f"/portfolio/reflections/{world.reflection_id}"
    assert world.client("a").get(url).status_code == 200
    facilitator = world.client("facilitator")
    refused = facilitator.get(url)
    assert refused.status_code == 404
    assert _text_of(world, 0) not in refused.get_data(as_text=True)
    assert world.client("b").get(url).status_code == 404
    # The dashboard says it was submitted, and nothing more.
    board = facilitator.get("/l2/dashboard").get_data(as_text=True)
    assert "Submitted" in board and _text_of(world, 0) not in board


def test_sharing_lets_the_facilitator_read_it_and_nobody_outside_the_course(world: World) -> None:
    author = world.client("a")
    token = csrf_from(author, "/portfolio/")
    assert (
        author.post(
            f"/portfolio/reflections/{world.reflection_id}/share", data={"csrf_token": token, "share": "1"}
        ).status_code
        == 303
    )
    url = f"/portfolio/reflections/{world.reflection_id}"
    facilitator = world.client("facilitator")
    shared = facilitator.get(url)
    assert shared.status_code == 200
    assert _text_of(world, 0) in shared.get_data(as_text=True)
    assert url in facilitator.get("/l2/dashboard").get_data(as_text=True)
    stranger = world.client("facilitator", course=world.other)
    assert stranger.get(url).status_code == 404
    # Someone else cannot share (or unshare) my reflection.
    other_token = csrf_from(world.client("b"), "/portfolio/")
    meddler = world.client("b")
    response = meddler.post(
        f"/portfolio/reflections/{world.reflection_id}/share", data={"csrf_token": other_token, "share": "0"}
    )
    assert response.status_code in (403, 404)
    assert facilitator.get(url).status_code == 200


def test_erasure_needs_confirmation_then_removes_the_text_from_every_export(world: World) -> None:
    client = world.client("a")
    token = csrf_from(client, "/portfolio/")
    refused = client.post("/portfolio/erase", data={"csrf_token": token, "confirm": "yes"})
    assert refused.status_code == 400
    # The same page, with the error summary and what was typed kept.
    refused_page = refused.get_data(as_text=True)
    assert "There is a problem" in refused_page and "Your CPD portfolio" in refused_page
    assert 'value="yes"' in refused_page
    assert _text_of(world, 0) in client.get("/portfolio/").get_data(as_text=True)
    done = client.post("/portfolio/erase", data={"csrf_token": token, "confirm": "erase"})
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "have been erased" in page
    assert _text_of(world, 0) not in page
    pdf = client.get("/portfolio/portfolio.pdf").data
    assert _text_of(world, 0) not in " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert _text_of(world, 0) not in client.get("/portfolio/portfolio.json").get_data(as_text=True)
    assert _text_of(world, 0) not in client.get("/portfolio/my-data.json").get_data(as_text=True)
    assert "A private thinking note" not in client.get("/portfolio/my-data.json").get_data(as_text=True)
    assert client.get(f"/portfolio/reflections/{world.reflection_id}").status_code == 404
    # The other learner's work is untouched.
    assert _text_of(world, 1) in world.client("b").get("/portfolio/").get_data(as_text=True)


def test_every_portfolio_page_needs_a_launch(app: Flask) -> None:
    client = app.test_client()
    for url in (
        "/portfolio/",
        "/portfolio/portfolio.pdf",
        "/portfolio/portfolio.xlsx",
        "/portfolio/my-data.json",
        "/portfolio/reflections/1",
        "/portfolio/records/add",
        "/portfolio/records/1/edit",
        "/portfolio/records/1/delete",
        "/portfolio/settings",
    ):
        assert client.get(url).status_code == 401, url
