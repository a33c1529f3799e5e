"""A programme added to a course by Deep Linking launches (over real HTTP, the test platform): the
instructor lands on the programme lead's page and starts a run there; a learner of that run lands on
their own timeline."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from flask import Flask
from sqlalchemy import select

from lti_tool import web
from lti_tool.models import LtiUser, ProgrammeRun, ResourceLink
from sandbox_platform.forge import DL, INSTRUCTOR, LTI, Forge
from tests.lti_tool.lti.conftest import build_app
from tests.lti_tool.lti.http_support import Dispatcher, forms, launch, page_url, serve, submit


@pytest.fixture
def shipped_tool(tmp_path: Path, lti_platform: Forge) -> Iterator[tuple[str, Flask]]:
    """The tool over real HTTP with the shipped toolkits and programme templates (all subscribed)."""
    dispatcher = Dispatcher()
    with serve(dispatcher) as url:
        app = build_app(tmp_path, lti_platform, base_url=url, toolkits_dir="")
        dispatcher.app = app
        yield url, app
        app.extensions["swott.db"].dispose()


def _deep_link_a_programme(url: str, platform: Forge) -> dict[str, Any]:
    platform.scenarios["dl"] = platform.deep_link_request([INSTRUCTOR])
    http = requests.Session()
    picker = launch(http, url, platform, "dl")
    assert picker.status_code == 200 and "Programmes" in picker.text
    assert "Ten weeks of practice development" in picker.text
    offered = {v for f in forms(picker.text) for n, v, t in f["fields"] if n == "item"}
    assert "programme:ten-week-cohort" in offered
    returned = submit(http, picker, {"item": "programme:ten-week-cohort"})
    assert returned.status_code == 200
    assert "1 placement(s) added to the course." in submit(http, returned).text  # checked by the sandbox
    claims = jwt.decode(platform.deep_link_returns[-1], options={"verify_signature": False})
    (item,) = claims[DL + "content_items"]
    assert item["title"] == "Programme: Ten weeks of practice development"
    assert item["lineItem"]["scoreMaximum"] == 100
    return dict(item)


def test_a_deep_linked_programme_launches_for_its_lead_and_its_learner(
    shipped_tool: tuple[str, Flask], lti_platform: Forge
) -> None:
    url, app = shipped_tool
    item = _deep_link_a_programme(url, lti_platform)
    placement = {LTI + "custom": item["custom"], LTI + "resource_link": {"id": "pg-link", "title": item["title"]}}

    # A learner opens it before any run: they are told they have no programme yet, not refused.
    lti_platform.scenarios["learner"] = {**placement, "sub": "learner-1"}
    early = launch(requests.Session(), url, lti_platform, "learner")
    assert early.status_code == 200 and page_url(early).startswith("/programmes/mine")
    assert "You are not in a programme in this course" in early.text

    # The instructor lands on the lead's page and starts a run for the learner.
    lti_platform.scenarios["lead"] = {**placement, LTI + "roles": [INSTRUCTOR], "sub": "lead-1"}
    lead_http = requests.Session()
    lead_page = launch(lead_http, url, lti_platform, "lead")
    assert lead_page.status_code == 200 and page_url(lead_page).startswith("/programmes/")
    assert "Programmes in this course" in lead_page.text
    with app.app_context():
        session = web.db_session()
        link = session.scalars(select(ResourceLink).where(ResourceLink.link_id == "pg-link")).one()
        assert (link.toolkit_id, link.part) == ("ten-week-cohort", "pg")
        link_id = link.id
        learner_id = session.scalars(select(LtiUser.id).where(LtiUser.sub == "learner-1")).one()
    started = submit(lead_http, lead_page, {
        "template": "ten-week-cohort", "cohort_name": "Cohort A", "starts_on": ["1", "3", "2027"],
        "nation": "england-and-wales", "participants": str(learner_id),
    })  # fmt: skip
    assert started.status_code == 200, started.text[:2000]
    assert "Cohort A" in started.text
    with app.app_context():
        run = web.db_session().scalars(select(ProgrammeRun)).one()
        assert run.resource_link_id == link_id  # the run belongs to this placement
        run_id = run.id

    # The learner's first launch asks the programme's before questionnaire (issue 12); they skip it and
    # then open their timeline straight from the placement.
    browser = requests.Session()
    first = launch(browser, url, lti_platform, "learner")
    assert first.status_code == 200 and page_url(first).startswith(f"/programmes/{run_id}/questionnaire/before")
    assert "Before the programme starts: how confident are you?" in first.text
    form = re.search(r'<form method="post" action="([^"]+)"', first.text)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', first.text)
    assert form is not None and token is not None
    data = {"csrf_token": token.group(1) or token.group(2), "action": "skip"}
    skipped = browser.post(url + html.unescape(form.group(1)), data=data, allow_redirects=False)
    assert skipped.status_code == 303
    page = launch(browser, url, lti_platform, "learner")
    assert page.status_code == 200 and page_url(page).startswith(f"/programmes/{run_id}/timeline")
    assert "Your programme: Cohort A" in page.text and "Week 1: Starting out" in page.text
    assert ">Your programme</a>" in page.text and ">Your CPD portfolio</a>" in page.text  # the header
