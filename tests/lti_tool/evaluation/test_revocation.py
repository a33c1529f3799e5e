"""Withdrawing a certificate from a page over HTTP: the course lead's list and the operator's page."""

from __future__ import annotations

import re

from flask import Flask

from lti_tool.models import Certificate
from lti_tool.services.evaluation import certificates
from lti_tool.views.admin import admin_link
from tests.lti_tool.evaluation.support import T0, complete_toolkit
from tests.lti_tool.evaluation.test_views import World, _text
from tests.lti_tool.evaluation.test_views import world as world
from tests.lti_tool.l2_factories import csrf_from, toolkit


def _issue(world: World, index: int = 0) -> str:
    with world.session() as session:
        learner = world.course.learners[index]
        complete_toolkit(session, world.course, learner)
        cert = certificates.issue(session, user_id=learner.id, platform_id=world.course.platform.id,
                                  context_id=world.course.context.id, toolkit=toolkit(), now=T0)  # fmt: skip
        assert cert is not None
        session.commit()
        return cert.code


def _revoked(app: Flask, code: str) -> Certificate:
    with app.extensions["swott.db"].session() as session:
        found = certificates.by_code(session, code)
        assert found is not None
        session.expunge(found)
        return found


def test_the_lead_withdraws_a_certificate_after_a_confirm_step(world: World) -> None:
    code = _issue(world)
    name = world.course.learners[0].name
    lead = world.client(None)
    listing = _text(lead.get("/certificates/course"))
    assert name in listing and code in listing and "Withdraw" in listing
    confirm = lead.get(f"/certificates/course/{code}/withdraw")
    page = _text(confirm)
    assert confirm.status_code == 200 and "Withdraw this certificate?" in page
    assert re.search(r'<button[^>]*class="[^"]*govuk-button--warning', page)
    # Nothing changed yet: the GET is only the question.
    assert "This certificate is genuine" in _text(world.app.test_client().get(f"/certificates/{code}"))
    no_token = lead.post(f"/certificates/course/{code}/withdraw", data={})
    assert no_token.status_code in (400, 403)
    assert _revoked(world.app, code).revoked_at is None
    token = csrf_from(lead, f"/certificates/course/{code}/withdraw")
    done = lead.post(f"/certificates/course/{code}/withdraw", data={"csrf_token": token})
    assert done.status_code == 303
    after = _text(lead.get(done.headers["Location"]))
    assert f"Certificate {code} has been withdrawn" in after and "Withdrawn on" in after
    row = _revoked(world.app, code)
    assert row.revoked_at is not None
    assert row.revoked_by == "course lead" and row.revoked_by_user_id == world.course.facilitator.id
    public = _text(world.app.test_client().get(f"/certificates/{code}"))
    assert "This certificate has been withdrawn" in public
    assert name not in public and toolkit().title not in public and world.course.platform.name not in public


def test_a_learner_cannot_reach_the_withdraw_pages(world: World) -> None:
    code = _issue(world)
    learner = world.client(1)
    assert learner.get("/certificates/course").status_code == 403
    assert learner.get(f"/certificates/course/{code}/withdraw").status_code == 403
    assert _revoked(world.app, code).revoked_at is None


def test_the_operator_finds_a_code_and_withdraws_it(world: World) -> None:
    code = _issue(world)
    client = world.app.test_client()
    assert client.get("/certificates/operator").status_code == 403
    with world.app.test_request_context():
        link = admin_link()
    token = link.split("token=", 1)[1]
    missing = client.get(f"/certificates/operator?token={token}&code=AAAA-AAAA-AAAA-AAAA")
    assert missing.status_code == 400 and "No certificate has this code" in _text(missing)
    url = f"/certificates/operator?token={token}&code={code.lower()}"
    page = _text(client.get(url))
    assert f"Certificate {code}" in page and world.course.learners[0].name not in page
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page)
    assert csrf is not None
    done = client.post(f"/certificates/operator?token={token}&code={code}",
                       data={"csrf_token": csrf.group(1) or csrf.group(2)})  # fmt: skip
    assert done.status_code == 303
    assert f"Certificate {code} has been withdrawn" in _text(client.get(done.headers["Location"]))
    assert _revoked(world.app, code).revoked_by.startswith("operator ")
    assert "This certificate has been withdrawn" in _text(client.get(f"/certificates/{code}"))
