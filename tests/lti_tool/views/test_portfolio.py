"""Portfolio pages: the counter, CPD done elsewhere, exports, sharing, privacy by URL, my data, erasure."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_tool.models import ExternalCpd, Reflection, utcnow
from lti_tool.services import regulators
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l2_factories import csrf_from, finish_l1, launch_of, local_platform, set_regulator, sign_in


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
    assert "1 of 2 pieces of CPD, 0 of 1 with peer reflection." in page
    assert "Text for your Social Work England record" in page
    assert "Type of CPD:" in page
    assert "(L1)" in page  # where the record came from: the toolkit and its part
    assert "Time spent" in page and "(the toolkit&#39;s" in page  # the tool's own time, said as such
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
        "/portfolio/portfolio.txt",
        "/portfolio/my-data.json",
        "/portfolio/reflections/1",
        "/portfolio/records/add",
        "/portfolio/records/1/edit",
        "/portfolio/records/1/delete",
        "/portfolio/settings",
    ):
        assert client.get(url).status_code == 401, url


# --- CPD done elsewhere -------------------------------------------------------------------------------

TODAY = utcnow().date()
GOOD = {
    "title": "Safeguarding adults refresher",
    "done_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
    "activity_type": "Course or training",
    "hours": "1.5",
    "description": "A council course",
    "learnt": "Making safeguarding personal in practice",
    "impact": "I ask the person what they want first",
    "peer": "yes",
    "peer_with": "a colleague in my team",
    "peer_reflection": "We compared two of our cases",
}


def _post(client: FlaskClient, url: str, values: Mapping[str, object]) -> TestResponse:
    token = csrf_from(client, url)
    return client.post(url, data={"csrf_token": token, **values})


def test_adding_cpd_done_elsewhere_with_an_error_keeps_everything_typed(world: World) -> None:
    client = world.client("a")
    bad = {**GOOD, "done_on": ["31", "2", "2026"], "hours": "lots", "peer_with": ""}
    response = _post(client, "/portfolio/records/add", bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Date must be a real date" in page
    assert "Time spent must be a number of hours, for example 1.5" in page
    assert "Enter who you reflected with" in page
    # Everything typed is still there, the impossible date and the bad hours included.
    for kept in ('value="Safeguarding adults refresher"', 'value="31"', 'value="lots"', "We compared two of our cases"):
        assert kept in page, kept
    assert 'value="Course or training" checked' in page
    assert page.count("govuk-error-message") >= 3

    done = _post(client, "/portfolio/records/add", GOOD)
    assert done.status_code == 303
    portfolio_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "CPD record added." in portfolio_page
    assert "Safeguarding adults refresher" in portfolio_page
    assert "1 hour 30 minutes" in portfolio_page
    # With the toolkit reflection, the year now has 2 pieces, 1 with peer reflection.
    assert "2 of 2 pieces of CPD, 1 of 1 with peer reflection — requirement met." in portfolio_page
    # Nobody else sees it.
    assert "Safeguarding adults refresher" not in world.client("b").get("/portfolio/").get_data(as_text=True)


def _external_id(world: World) -> int:
    with world.app.extensions["swott.db"].session() as session:
        return int(
            session.scalars(select(ExternalCpd.id).where(ExternalCpd.user_id == world.course.learners[0].id)).one()
        )


def test_editing_and_deleting_a_record_of_cpd_done_elsewhere(world: World) -> None:
    client = world.client("a")
    assert _post(client, "/portfolio/records/add", GOOD).status_code == 303
    record_id = _external_id(world)
    edit_url = f"/portfolio/records/{record_id}/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert 'value="Safeguarding adults refresher"' in form and 'value="1.5"' in form and f'value="{TODAY.year}"' in form
    changed = _post(client, edit_url, {**GOOD, "title": "Safeguarding refresher (day 2)", "hours": "3", "peer": "no"})
    assert changed.status_code == 303
    page = client.get(changed.headers["Location"]).get_data(as_text=True)
    assert "Safeguarding refresher (day 2)" in page and "3 hours" in page
    assert "2 of 2 pieces of CPD, 0 of 1 with peer reflection." in page
    # Someone else cannot open, change or delete it: "not found", as if it did not exist.
    other = world.client("b")
    assert other.get(edit_url).status_code == 404
    assert other.get(f"/portfolio/records/{record_id}/delete").status_code == 404

    confirm = client.get(f"/portfolio/records/{record_id}/delete").get_data(as_text=True)
    assert "Delete “Safeguarding refresher (day 2)”?" in confirm
    assert "govuk-button--warning" in confirm and "Yes, delete it" in confirm
    deleted = _post(client, f"/portfolio/records/{record_id}/delete", {})
    assert deleted.status_code == 303
    page = client.get(deleted.headers["Location"]).get_data(as_text=True)
    assert "CPD record deleted." in page and "Safeguarding refresher (day 2)" not in page
    assert client.get(edit_url).status_code == 404


def test_exports_hold_cpd_done_elsewhere_pdf_tagged_and_spreadsheet_readable(world: World) -> None:
    client = world.client("a")
    assert _post(client, "/portfolio/records/add", GOOD).status_code == 303
    pdf = client.get("/portfolio/portfolio.pdf")
    reader = PdfReader(io.BytesIO(pdf.data))
    assert "/StructTreeRoot" in reader.root_object
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "Safeguarding adults refresher" in text and "We compared two of our cases" in text
    assert "Page 1 of" in text
    sheet = client.get("/portfolio/portfolio.xlsx")
    assert sheet.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert sheet.headers["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(sheet.data))["Records"].iter_rows(values_only=True))
    assert any(row[0] == "Safeguarding adults refresher" and 1.5 in row for row in rows[1:])
    data = client.get("/portfolio/portfolio.json").get_json()
    assert any(r["title"] == "Safeguarding adults refresher" and r["hours"] == 1.5 for r in data["records"])
    mine = json.loads(client.get("/portfolio/my-data.json").data)
    assert mine["cpd_done_elsewhere"][0]["what_you_learnt"] == GOOD["learnt"]


# --- Regulators ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "counter", "label", "export_text"),
    [
        ("swe", "1 of 2 pieces of CPD, 0 of 1 with peer reflection.", "Type of CPD", "Social Work England CPD record"),
        ("sssc", "of 8 core learning elements covered", "Type of learning", "Employer verification"),
        ("scw", "Confirmation due at renewal", "Name of the training or learning", "Confirmation at renewal"),
        ("niscc", "of 90 hours in", "Learning activity", "Summary of your job role"),
    ],
)
def test_each_regulators_learner_sees_its_counter_fields_and_export(
    world: World, code: str, counter: str, label: str, export_text: str
) -> None:
    set_regulator(world.app, world.course, code)
    client = world.client("a")
    page = client.get("/portfolio/").get_data(as_text=True)
    regulator = regulators.get(code)
    assert f"This {regulator.period_name}" in page
    assert counter in page
    # What counts, figure by figure: SSSC elements covered and by what, NISCC hours.
    expected_rows = {
        "swe": ["Pieces of CPD", "With peer reflection"],
        "sssc": ["Core learning elements covered", "Ethics, values and rights-based practice", "Not covered yet"],
        "scw": [],
        "niscc": ["Hours of PRTL"],
    }[code]
    for row in expected_rows:
        assert row in page, row
    form = client.get("/portfolio/records/add").get_data(as_text=True)
    assert label in form
    assert ("Core learning elements it covers" in form) == (code == "sssc")
    pdf_text = " ".join(
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(io.BytesIO(client.get("/portfolio/portfolio.pdf").data)).pages
    )
    assert export_text in pdf_text
    text = client.get("/portfolio/portfolio.txt")
    assert text.mimetype == "text/plain" and "attachment" in text.headers["Content-Disposition"]
    assert export_text in text.get_data(as_text=True) and _text_of(world, 0) in text.get_data(as_text=True)
    summary = load_workbook(io.BytesIO(client.get("/portfolio/portfolio.xlsx").data))["Summary"]
    assert regulator.name in [row[1] for row in summary.iter_rows(values_only=True) if row[0] == "Regulator"]


def test_a_learner_chooses_their_regulator_and_registration_date(world: World) -> None:
    client = world.client("a")
    bad = _post(client, "/portfolio/settings", {"regulator": "niscc", "registered_on": ["1", "", "2025"]})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Registration date must include a month" in page
    assert 'value="niscc" checked' in page
    done = _post(client, "/portfolio/settings", {"regulator": "niscc", "registered_on": ["1", "3", "2025"]})
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Northern Ireland Social Care Council" in page
    assert "1 March 2025 to 29 February 2028" in page
    assert "in 2025–2028" in page
