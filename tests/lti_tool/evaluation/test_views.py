"""The evaluation and certificate pages through the app: questionnaires, reports, follow-up, verification."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from lti_tool.models import EvaluationResponse
from lti_tool.services.evaluation import certificates
from lti_tool.views.admin import admin_link
from swott.cli import main
from tests.lti_tool.evaluation.support import T0, answer_both, complete_toolkit, submit_l2
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l2_factories import course_in, csrf_from, launch_of, local_platform, sign_in, toolkit


@dataclass
class World:
    app: Flask
    course: Course

    def client(self, index: int | None, *, part: str = "l1") -> FlaskClient:
        """A browser launched as learner `index` (None: the facilitator) into the course's L1 or L2."""
        client = self.app.test_client()
        course = self.course
        if index is None:
            sign_in(client, launch_of(course, course.facilitator, part=part, role="facilitator"))
        else:
            sign_in(client, launch_of(course, course.learners[index], part=part))
        return client

    def session(self) -> Session:
        session: Session = self.app.extensions["swott.db"].sessions()
        return session


@pytest.fixture
def world(app: Flask) -> World:
    return World(app, course_in(app, learners=5))


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def _page_url(html: str) -> str:
    """The page's own address, which launch.js puts in the address bar (`<meta name="swott-page-url">`)."""
    found = re.search(r'<meta(?=[^>]*name="swott-page-url")[^>]*content="([^"]+)"', html)
    return found.group(1) if found else ""


def test_the_before_questionnaire_can_be_answered_or_skipped_and_an_empty_send_comes_back(world: World) -> None:
    client = world.client(0)
    url = "/evaluation/questionnaire/before"
    page = _text(client.get(url))
    kit = toolkit()
    assert kit.questionnaire is not None
    assert kit.questionnaire.confidence[0].replace("'", "&#39;") in page and "Very confident" in page
    token = csrf_from(client, url)
    empty = client.post(url, data={"csrf_token": token, "action": "send", "open-eval-hopes": "Kept text"})
    # Some text alone is an answer; with nothing at all the same page returns with an error summary.
    # Issue 15: the post answers with the first L1 page itself (no redirect through the start page).
    assert empty.status_code == 200 and "Page 1 of" in _text(empty)
    assert "/l1/page/" in _page_url(_text(empty))
    client2 = world.client(1)
    token = csrf_from(client2, url)
    nothing = client2.post(url, data={"csrf_token": token, "action": "send"})
    assert nothing.status_code == 400 and "There is a problem" in _text(nothing)
    assert "Skip these questions" in _text(nothing)
    skipped = client2.post(url, data={"csrf_token": token, "action": "skip"})
    assert skipped.status_code == 200 and "Page 1 of" in _text(skipped)
    assert "/l1/page/" in _page_url(_text(skipped))
    with world.session() as session:
        statuses = sorted(r.status for r in session.query(EvaluationResponse))
    assert statuses == ["answered", "skipped"]


def test_the_lead_sees_nothing_with_four_and_the_change_with_five_and_the_csv_agrees(world: World) -> None:
    with world.session() as session:
        for index, user in enumerate(world.course.learners[:4]):
            answer_both(session, world.course, user, 1 + index % 2, 4, text=f"Words {index}", share=True)
        session.commit()
    lead = world.client(None)
    learner = world.client(0)
    assert learner.get("/evaluation/report").status_code == 403
    page = _text(lead.get("/evaluation/report"))
    assert "Not enough responses to show" in page and "Words 0" not in page and "<svg" not in page
    csv_text = _text(lead.get("/evaluation/report.csv"))
    assert "Not enough responses to show" in csv_text and "Words" not in csv_text
    with world.session() as session:
        answer_both(session, world.course, world.course.learners[4], 2, 5, text="Words 4", share=True)
        session.commit()
    page = _text(lead.get("/evaluation/report"))
    assert "Not enough responses to show" in page  # the session feedback still has none
    assert "<svg" in page and 'id="confidence-table"' in page and "Words 4" in page
    rows = list(csv.reader(io.StringIO(_text(lead.get("/evaluation/report.csv")))))
    before = next(r for r in rows if r[0] == "Confidence before")
    assert before[3:8] == ["2", "3", "0", "0", "0"] and before[8] == "1.6"
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1.6</td>' in page  # the same average


def test_a_learner_launching_three_months_after_l2_is_asked_about_their_action(world: World) -> None:
    with world.session() as session:
        submit_l2(session, world.course, world.course.learners[0], when=T0, action="Meet each child first")
        session.commit()
    world.app.extensions["swott.clock"] = lambda: T0 + timedelta(days=30)
    client = world.client(0, part="l2")
    assert "Did you carry out your action?" not in _text(client.get("/player/session"))
    world.app.extensions["swott.clock"] = lambda: T0 + timedelta(days=92)
    page = _text(client.get("/player/session"))
    assert "Did you carry out your action?" in page and "Meet each child first" in page
    token = csrf_from(client, "/evaluation/follow-up")
    done = client.post("/evaluation/follow-up", data={
        "csrf_token": token, "action": "send", "carried_out": "yes", "what_happened": "I met them",
        "impact": "They were heard", "in_portfolio": "y",
    })  # fmt: skip
    assert done.status_code == 303
    thanks = _text(client.get(done.headers["Location"]))
    assert "Your records of impact on practice" in thanks and "I met them" in thanks


def test_a_certificate_is_issued_downloaded_and_verified(world: World) -> None:
    with world.session() as session:
        complete_toolkit(session, world.course, world.course.learners[0])
        session.commit()
    client = world.client(0)
    token = csrf_from(client, "/certificates/")
    assert client.post("/certificates/", data={"csrf_token": token}).status_code == 303
    page = _text(client.get("/certificates/"))
    assert "Download your certificate" in page
    pdf = client.get("/certificates/certificate.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert world.course.learners[0].name in text and "15 January 2027" in text
    with world.session() as session:
        cert = certificates.find_mine(session, user_id=world.course.learners[0].id,
                                      context_id=world.course.context.id, toolkit_id=toolkit().id)  # fmt: skip
        assert cert is not None
        code = cert.code
    public = world.app.test_client()
    genuine = _text(public.get(f"/certificates/{code}"))
    assert "This certificate is genuine" in genuine and world.course.learners[0].name not in genuine
    assert toolkit().title not in genuine
    changed = public.get(f"/certificates/{'Z' if code[0] != 'Z' else 'Y'}{code[1:]}")
    assert changed.status_code == 404 and "No certificate has this code" in _text(changed)
    with world.session() as session:
        certificates.revoke(session, code, now=T0)
        session.commit()
    revoked = _text(public.get(f"/certificates/{code}"))
    assert "withdrawn" in revoked and world.course.learners[0].name not in revoked
    assert public.get(f"/certificates/check?code={code.lower()}").status_code == 303


def test_the_operator_withdraws_a_certificate_from_the_command_line(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world.session() as session:
        complete_toolkit(session, world.course, world.course.learners[0])
        cert = certificates.issue(session, user_id=world.course.learners[0].id, platform_id=world.course.platform.id,
                                  context_id=world.course.context.id, toolkit=toolkit(), now=T0)  # fmt: skip
        assert cert is not None
        code = cert.code
        session.commit()
    monkeypatch.setenv("SWOTT_DATABASE_URL", world.app.extensions["swott.settings"].database_url)
    result = CliRunner().invoke(main, ["certificate", "revoke", code.lower()])
    assert result.exit_code == 0, result.output
    assert "is withdrawn" in result.output and world.course.learners[0].name not in result.output
    assert "withdrawn" in _text(world.app.test_client().get(f"/certificates/{code}"))
    missing = CliRunner().invoke(main, ["certificate", "revoke", "AAAA-AAAA-AAAA-AAAA"])
    assert missing.exit_code != 0 and "No certificate has the code" in missing.output


def test_the_operator_report_needs_the_signed_link_and_keeps_the_threshold_per_council(world: World) -> None:
    with world.session() as session:
        other = make_course(session, learners=4, platform=local_platform(session))
        for user in world.course.learners:
            answer_both(session, world.course, user, 2, 4, text="Shared words", share=True)
        for user in other.learners:
            answer_both(session, other, user, 1, 5, text="Other council words", share=True)
        session.commit()
        big, small = world.course.platform.name, other.platform.name
    client = world.app.test_client()
    assert client.get("/evaluation/operator").status_code == 403
    with world.app.test_request_context():
        link = admin_link()
    token = link.split("token=", 1)[1]
    page = _text(client.get(f"/evaluation/operator?token={token}&toolkit={toolkit().id}"))
    assert "Evaluation across councils" in page and 'id="council-table"' in page
    rows = page.split('id="council-table"', 1)[1]
    assert big in rows and small in rows
    small_row = rows.split(small, 1)[1].split("</tr>", 1)[0]
    assert "Not enough responses to show" in small_row
    big_row = rows.split(big, 1)[1].split("</tr>", 1)[0]
    assert "2.0" in big_row and "4.0" in big_row
    # All councils together make 9: figures for everyone, the smaller council's words among them unnamed.
    assert "Other council words" in page and small not in page.split('id="council-table"', 1)[0]
