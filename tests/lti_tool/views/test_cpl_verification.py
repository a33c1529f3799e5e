"""SSSC employer verification (issue 13): the learner makes a secret link; the employer, with no LMS
account, sees only that learner's CPL against the core learning elements and signs it off with name,
role and date (CSRF-protected); the sign-off shows in the portfolio and the exports; a withdrawn link
shows nothing; erasure removes it. NISCC: the supervision and appraisal flag counts and is exported."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from lti_tool.models import CplVerification, ExternalCpd, PortfolioProfile, utcnow
from tests.lti_tool.factories import Course
from tests.lti_tool.l2_factories import course_in, csrf_from, launch_of, set_regulator, sign_in

TODAY = utcnow().date()
RECORD = {
    "title": "Trauma-informed practice day",
    "done_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
    "activity_type": "Course or training",
    "hours": "6",
    "learnt": "How trauma shapes a first meeting",
    "impact": "I plan first visits differently",
    "peer": "no",
    "elements": ["ethics-values-rights"],
}


@pytest.fixture
def course(app: Flask) -> Course:
    course = course_in(app, learners=2, finished=2)
    set_regulator(app, course, "sssc")
    return course


def _learner(app: Flask, course: Course, index: int = 0) -> FlaskClient:
    client = app.test_client()
    sign_in(client, launch_of(course, course.learners[index], part="l1"))
    return client


def _post(client: FlaskClient, url: str, values: Mapping[str, object], form_url: str | None = None) -> TestResponse:
    return client.post(url, data={"csrf_token": csrf_from(client, form_url or url), **values})


def _make_link(client: FlaskClient) -> str:
    page = _post(client, "/portfolio/verification", {}, "/portfolio/").get_data(as_text=True)
    found = re.search(r'id="verification-link"[^>]*>([^<]+)</textarea>', page)
    assert found, "no link on the page"
    return "/" + found.group(1).strip().split("/", 3)[3]


def _sign(employer: FlaskClient, link: str, **overrides: object) -> TestResponse:
    day = [str(TODAY.day), str(TODAY.month), str(TODAY.year)]
    values = {"name": "Morag Employer", "role": "Team manager", "verified_on": day, "confirm": "y", **overrides}
    return _post(employer, link, values)


def test_an_employer_signs_off_through_the_secret_link_and_the_learner_sees_it(app: Flask, course: Course) -> None:
    learner = _learner(app, course)
    assert _post(learner, "/portfolio/records/add", RECORD).status_code == 303
    _post(_learner(app, course, 1), "/portfolio/records/add", {**RECORD, "title": "Someone else's course"})
    link = _make_link(learner)

    employer = app.test_client()  # no launch, no LMS account
    page = employer.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert course.learners[0].name in html
    assert "Trauma-informed practice day" in html and "Ethics, values and rights-based practice" in html
    assert "Someone else&#39;s course" not in html and "Someone else's course" not in html
    assert "How trauma shapes a first meeting" not in html  # no reflection text for the employer

    # Without the CSRF token the form is refused; with missing answers the page says what to fix.
    assert employer.post(link, data={"name": "X", "role": "Y"}).status_code == 403
    bad = _sign(employer, link, name="", confirm="")
    assert bad.status_code == 400
    assert "Enter your full name" in bad.get_data(as_text=True)
    assert "Confirm that this learning took place" in bad.get_data(as_text=True)

    done = _sign(employer, link)
    assert done.status_code == 303
    signed = employer.get(done.headers["Location"]).get_data(as_text=True)
    assert "Verification recorded" in signed and "Morag Employer" in signed
    assert "Sign off this learning" not in signed  # once only

    portfolio = learner.get("/portfolio/").get_data(as_text=True)
    assert "Verified by Morag Employer (Team manager)" in portfolio
    text = learner.get("/portfolio/portfolio.txt").get_data(as_text=True)
    section = text.split("Employer verification", 1)[1]
    assert "Morag Employer" in section and "Team manager" in section and TODAY.strftime("%d/%m/%Y") in section
    pdf = PdfReader(io.BytesIO(learner.get("/portfolio/portfolio.pdf").data))
    assert "Morag Employer" in " ".join(p.extract_text() or "" for p in pdf.pages)
    summary = load_workbook(io.BytesIO(learner.get("/portfolio/portfolio.xlsx").data))["Summary"]
    assert ("Verified by (name)", "Morag Employer") in [row[:2] for row in summary.iter_rows(values_only=True)]
    # The other learner's portfolio holds none of it.
    assert "Morag Employer" not in _learner(app, course, 1).get("/portfolio/").get_data(as_text=True)


def test_a_withdrawn_or_guessed_link_shows_nothing_and_erasure_removes_the_sign_off(app: Flask, course: Course) -> None:
    learner = _learner(app, course)
    link = _make_link(learner)
    employer = app.test_client()
    assert _sign(employer, link).status_code == 303
    second = _make_link(learner)
    assert app.test_client().get(link[:-4] + "abcd").status_code == 404
    with app.extensions["swott.db"].session() as session:
        live_id = session.scalars(select(CplVerification.id).where(CplVerification.signed_at.is_(None))).one()
    page = learner.get("/portfolio/").get_data(as_text=True)
    assert "is waiting for your employer" in page
    withdrawn = _post(learner, f"/portfolio/verification/{live_id}/withdraw", {}, "/portfolio/")
    assert withdrawn.status_code == 303
    assert app.test_client().get(second).status_code == 404
    # Another learner cannot withdraw someone's link.
    other = _learner(app, course, 1)
    assert _post(other, f"/portfolio/verification/{live_id}/withdraw", {}, "/portfolio/").status_code == 404

    erased = _post(learner, "/portfolio/erase", {"confirm": "erase"}, "/portfolio/")
    assert erased.status_code == 303
    with app.extensions["swott.db"].session() as session:
        mine = select(func.count()).select_from(CplVerification).where(CplVerification.user_id == course.learners[0].id)
        assert session.scalar(mine) == 0
    assert app.test_client().get(link).status_code == 404
    assert "Morag Employer" not in learner.get("/portfolio/portfolio.txt").get_data(as_text=True)


def test_a_niscc_first_line_managers_supervision_learning_counts_and_is_exported(app: Flask, course: Course) -> None:
    with app.extensions["swott.db"].session() as session:
        session.add(PortfolioProfile(user_id=course.learners[0].id, regulator="niscc", manager_since=TODAY))
        session.commit()
    learner = _learner(app, course)
    page = learner.get("/portfolio/").get_data(as_text=True)
    assert "supervision and appraisal learning due by" in page
    form = learner.get("/portfolio/records/add").get_data(as_text=True)
    assert 'name="supervision_appraisal"' in form
    values = {k: v for k, v in RECORD.items() if k != "elements"}
    added = _post(
        learner, "/portfolio/records/add", {**values, "title": "Supervising staff", "supervision_appraisal": "y"}
    )
    assert added.status_code == 303
    with app.extensions["swott.db"].session() as session:
        assert session.scalars(select(ExternalCpd.supervision_appraisal)).one() is True
    page = learner.get("/portfolio/").get_data(as_text=True)
    assert "supervision and appraisal learning recorded" in page
    text = learner.get("/portfolio/portfolio.txt").get_data(as_text=True)
    assert "Learning in the professional supervision and appraisal of staff:\nSupervising staff" in text
    assert "First-line manager since" in text
