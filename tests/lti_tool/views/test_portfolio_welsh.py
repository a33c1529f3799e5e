"""The portfolio for a `cy-GB` launch (issue 13): every page is `<html lang="cy">` with no English
interface string outside `lang="en-GB"` (the method of test_l1_welsh.py), for each regulator; the
exports (PDF, .xlsx, JSON, text) carry Welsh labels in the regulator's shape, the PDF says /Lang cy; the
SSSC employer's verification page is Welsh for a Welsh session."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Mapping

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from werkzeug.test import TestResponse

from lti_tool.models import utcnow
from tests.lti_tool.factories import Course
from tests.lti_tool.l2_factories import course_in, csrf_from, launch_of, set_regulator, sign_in
from tests.lti_tool.views.test_l1_welsh import english_fragments, interface_text
from toolkits.cpd import CPD_TYPES

TODAY = utcnow().date()
RECORD = {
    "title": "Diogelu oedolion",
    "done_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
    "activity_type": "Course or training",
    "hours": "1.5",
    "description": "Cwrs undydd",
    "learnt": "Sut i wrando",
    "impact": "Rwy’n gofyn yn wahanol",
    "peer": "yes",
    "peer_with": "cydweithiwr",
    "peer_reflection": "Buom yn cymharu achosion",
    "elements": ["ethics-values-rights"],
}
# What each regulator's Welsh page and export must say (counter, a record label, an export section).
REGULATORS = {
    "swe": ("darn o DPP", "Math o DPP", "Cofnod DPP Social Work England"),
    "sssc": ("elfen ddysgu graidd wedi’u cynnwys", "Math o ddysgu", "Dilysu gan y cyflogwr"),
    "scw": ("Cadarnhad yn ddyledus wrth adnewyddu", "Enw’r hyfforddiant neu’r dysgu", "Cadarnhau wrth adnewyddu"),
    "niscc": ("awr yn", "Gweithgaredd dysgu", "Crynodeb o’ch rôl swydd"),
}


@pytest.fixture
def course(app: Flask) -> Course:
    return course_in(app, learners=1, finished=1)


def _welsh_learner(app: Flask, course: Course) -> FlaskClient:
    client = app.test_client()
    sign_in(client, dataclasses.replace(launch_of(course, course.learners[0], part="l1"), locale="cy-GB"))
    return client


def _post(client: FlaskClient, url: str, values: Mapping[str, object], form_url: str | None = None) -> TestResponse:
    return client.post(url, data={"csrf_token": csrf_from(client, form_url or url), **values})


# The learner's own words in the fixture's reflection ("L1 Type of CPD by learner 3") are theirs, not the
# interface's: left out before looking for English interface strings.
# So are the type of CPD they chose (the list is Social Work England's words, in English like the toolkit
# content: toolkits/cpd.py) and their name as the LMS gave it ("Learner 54" in the fixtures).
LEARNER_TEXT = re.compile(
    r"L[12] [^:]*? by learner \d+|Learner \d+|"
    + "|".join(re.escape(t) for t in sorted(CPD_TYPES, key=len, reverse=True))
)


def english_left(html: str) -> list[str]:
    text = LEARNER_TEXT.sub(" ", interface_text(html))
    return [f for f in english_fragments() if re.search(rf"(?<![\w’']){re.escape(f)}(?![\w’'])", text)]


def _assert_welsh(html: str, *welsh: str) -> None:
    assert '<html lang="cy"' in html
    assert "&lt;span" not in html, "markup put together with a translation came out escaped"
    text = interface_text(html)
    for words in welsh:
        assert words in text, words
    assert english_left(html) == [], f"English interface text on a Welsh page: {english_left(html)}"


@pytest.mark.parametrize("code", list(REGULATORS))
def test_every_portfolio_page_is_in_welsh_for_each_regulator(app: Flask, course: Course, code: str) -> None:
    set_regulator(app, course, code)
    client = _welsh_learner(app, course)
    counter, label, _ = REGULATORS[code]
    form = client.get("/portfolio/records/add").get_data(as_text=True)
    _assert_welsh(form, "Ychwanegu DPP a wnaed yn rhywle arall", label, "Diwrnod", "Mis")
    assert re.search(r'<span lang="en-GB">Course or training</span>', form)  # toolkit text, marked
    assert len(re.findall(r'<input[^>]*name="done_on"', form)) == 3  # the date boxes still post
    assert re.search(r'<label class="govuk-label govuk-date-input__label" for="done_on-day">\s*Diwrnod', form)
    refused = _post(client, "/portfolio/records/add", {**RECORD, "title": "", "hours": "lots"})
    assert refused.status_code == 400
    _assert_welsh(refused.get_data(as_text=True), "Rhowch deitl", "Rhaid i’r amser a dreuliwyd fod yn nifer o oriau")
    assert _post(client, "/portfolio/records/add", RECORD).status_code == 303

    page = client.get("/portfolio/?notice=added").get_data(as_text=True)
    _assert_welsh(page, "Eich portffolio DPP", counter, "Mae’r cofnod DPP wedi’i ychwanegu.", "1 awr 30 munud",
                  "Lawrlwytho fel PDF", "Eich data")  # fmt: skip
    assert 'lang="en-GB"' in page  # the regulator's rules, in its own English, say so
    settings = client.get("/portfolio/settings").get_data(as_text=True)
    _assert_welsh(settings, "Eich rheoleiddiwr a’ch cofrestriad", "Gofal Cymdeithasol Cymru (Cymru)")
    record_id = re.search(r"/portfolio/records/(\d+)/edit", page)
    assert record_id
    _assert_welsh(client.get(f"/portfolio/records/{record_id.group(1)}/edit").get_data(as_text=True),
                  "Newid cofnod DPP", "Cadw’r newidiadau")  # fmt: skip
    _assert_welsh(client.get(f"/portfolio/records/{record_id.group(1)}/delete").get_data(as_text=True),
                  "Ie, ei ddileu", "Na, ei gadw")  # fmt: skip
    reflection = re.search(r"/portfolio/reflections/(\d+)", page)
    assert reflection
    _assert_welsh(client.get(reflection.group(0)).get_data(as_text=True), "Cofnod DPP", "Yn ôl i’ch portffolio")


@pytest.mark.parametrize("code", list(REGULATORS))
def test_the_exports_are_in_welsh_in_the_regulators_shape(app: Flask, course: Course, code: str) -> None:
    set_regulator(app, course, code)
    client = _welsh_learner(app, course)
    assert _post(client, "/portfolio/records/add", RECORD).status_code == 303
    _, label, section = REGULATORS[code]

    reader = PdfReader(io.BytesIO(client.get("/portfolio/portfolio.pdf").data))
    assert str(reader.root_object["/Lang"]) == "cy"
    pdf = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for words in (label, section, "Crynodeb", "Rheoleiddiwr", "Diogelu oedolion"):
        assert words in pdf, words
    text = client.get("/portfolio/portfolio.txt").get_data(as_text=True)
    assert f"{label}:" in text and section in text and "Diogelu oedolion" in text
    assert "Summary\n" not in text and "Regulator:" not in text
    book = load_workbook(io.BytesIO(client.get("/portfolio/portfolio.xlsx").data))
    assert book.sheetnames == ["Crynodeb", "Cofnodion"]
    header = next(book["Cofnodion"].iter_rows(values_only=True))
    assert label in header and "Amser a dreuliwyd (oriau)" in header
    data = client.get("/portfolio/portfolio.json").get_json()
    assert data["export"]["sections"][0]["title"] == "Crynodeb"
    assert any(f["label"] == label for r in data["records"] for f in r["fields"])


def test_the_employer_verification_page_is_in_welsh_for_a_welsh_session(app: Flask, course: Course) -> None:
    set_regulator(app, course, "sssc")
    client = _welsh_learner(app, course)
    made = _post(client, "/portfolio/verification", {}, "/portfolio/").get_data(as_text=True)
    _assert_welsh(made, "Eich dolen ddilysu", "Copïwch y ddolen nawr")
    link = re.search(r'id="verification-link"[^>]*>([^<]+)</textarea>', made)
    assert link
    employer = app.test_client()
    employer.get("/language/cy?next=/")
    html = employer.get("/" + link.group(1).strip().split("/", 3)[3]).get_data(as_text=True)
    _assert_welsh(html, "Dilysu dysgu proffesiynol parhaus (CPL)", "Cymeradwyo’r dysgu hwn")
