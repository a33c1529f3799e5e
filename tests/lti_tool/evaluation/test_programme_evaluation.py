"""A programme's questionnaire (before, and at the end) and certificate, through the app."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from flask import Flask
from pypdf import PdfReader

from lti_tool.models import EvaluationResponse
from lti_tool.services.evaluation import programmes as evaluation
from lti_tool.services.programmes import runs
from tests.lti_tool.evaluation.programme_support import AFTER_END, finish_programme
from tests.lti_tool.l2_factories import csrf_from
from tests.lti_tool.programme_factories import template
from tests.lti_tool.views.test_programme_views import World, _text, make_world


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    world = make_world(app)
    app.extensions["swott.clock"] = lambda: AFTER_END
    yield world


def _responses(app: Flask) -> list[EvaluationResponse]:
    with app.extensions["swott.db"].session() as session:
        rows = list(session.query(EvaluationResponse))
        session.expunge_all()
        return rows


def test_a_participant_answers_before_and_skips_after_and_nothing_blocks(world: World) -> None:
    learner = world.a.learners[0]
    client = world.client(learner, world.a, part="pg")
    run_id = world.a.the_run.id
    url = f"/programmes/{run_id}/questionnaire/before"
    page = _text(client.get(url))
    programme = template()
    assert programme.questionnaire is not None
    assert "Before the programme starts: how confident are you?" in page
    assert all(s in page for s in programme.questionnaire.confidence)
    token = csrf_from(client, url)
    empty = client.post(url, data={"csrf_token": token, "action": "send"})
    assert empty.status_code == 400 and "Choose how confident you are" in _text(empty)
    sent = client.post(url, data={"csrf_token": token, "action": "send", "confidence-1": "2", "confidence-2": "3"})
    assert sent.status_code == 303 and f"/programmes/{run_id}/timeline" in sent.headers["Location"]
    rows = _responses(world.app)
    assert [(r.toolkit_id, r.phase, r.confidence[:2]) for r in rows] == [
        (evaluation.subject_id(world.a.the_run), "before", [2, 3])
    ]
    # The programme is not finished: the certificate page says what is left, and offers no after questions.
    cert_page = _text(client.get(f"/programmes/{run_id}/certificate"))
    assert "once you have done every required activity" in cert_page
    assert "how confident you feel now" not in cert_page
    with world.app.extensions["swott.db"].session() as session:
        finish_programme(session, world.a.the_run, learner)
        session.commit()
    cert_page = _text(client.get(f"/programmes/{run_id}/certificate"))
    assert "your certificate is ready" in cert_page and "how confident you feel now" in cert_page
    after = f"/programmes/{run_id}/questionnaire/after"
    assert "At the end of the programme: how confident are you?" in _text(client.get(after))
    skipped = client.post(after, data={"csrf_token": csrf_from(client, after), "action": "skip"})
    assert skipped.status_code == 303 and "/certificate" in skipped.headers["Location"]
    assert "how confident you feel now" not in _text(client.get(f"/programmes/{run_id}/certificate"))
    assert sorted((r.phase, r.status) for r in _responses(world.app)) == [("after", "skipped"), ("before", "answered")]


def test_a_finished_programme_gives_a_certificate_that_checks_genuine(world: World) -> None:
    learner = world.a.learners[1]
    with world.app.extensions["swott.db"].session() as session:
        finish_programme(session, world.a.the_run, learner)
        session.commit()
    client = world.client(learner, world.a, part="pg")
    run_id = world.a.the_run.id
    assert client.get(f"/programmes/{run_id}/certificate.pdf").status_code == 404
    page = f"/programmes/{run_id}/certificate"
    assert client.post(page, data={"csrf_token": csrf_from(client, page)}).status_code == 303
    shown = _text(client.get(page))
    assert "Download your certificate (PDF)" in shown
    pdf = client.get(f"/programmes/{run_id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert learner.name in text and template().title in text
    assert "completed the programme" in text and "1 March 2027" in text
    assert world.a.platform.name in text and "hours of learning" in text
    assert "Social Work England professional standards addressed" in text
    code = shown.split("Certificate code", 1)[1].split("</dd>", 1)[0].rsplit(">", 1)[1].strip()
    assert f"/certificates/{code}" in text
    genuine = _text(world.app.test_client().get(f"/certificates/{code}"))
    assert "This certificate is genuine" in genuine and learner.name not in genuine
    # Somebody else in the cohort, not finished: no button, and a post makes nothing.
    other = world.client(world.a.learners[2], world.a, part="pg")
    assert "once you have done every required activity" in _text(other.get(page))
    assert "Get your certificate" not in _text(other.get(page))
    assert other.get(f"/programmes/{run_id}/certificate.pdf").status_code == 404


def test_the_programme_lead_withdraws_a_programme_certificate(world: World) -> None:
    learner = world.a.learners[0]
    with world.app.extensions["swott.db"].session() as session:
        finish_programme(session, world.a.the_run, learner)
        participant = runs.participant_for(session, world.a.the_run, learner.id)
        assert participant is not None
        cert = evaluation.issue_certificate(session, run=world.a.the_run, programme=template(),
                                            participant=participant, platform_id=world.a.platform.id,
                                            now=AFTER_END)  # fmt: skip
        assert cert is not None
        code = cert.code
        session.commit()
    lead = world.client(world.a.lead, world.a, role="facilitator", part="pg")
    listing = _text(lead.get("/certificates/course"))
    assert code in listing and learner.name in listing
    url = f"/certificates/course/{code}/withdraw"
    done = lead.post(url, data={"csrf_token": csrf_from(lead, url)})
    assert done.status_code == 303
    assert "This certificate has been withdrawn" in _text(world.app.test_client().get(f"/certificates/{code}"))
    learner_client = world.client(learner, world.a, part="pg")
    assert "has been withdrawn" in _text(learner_client.get(f"/programmes/{world.a.the_run.id}/certificate"))
    assert learner_client.get(f"/programmes/{world.a.the_run.id}/certificate.pdf").status_code == 404
