"""Knowledge checks that measure (issue 11), over HTTP: shuffled options per learner, recorded and
exported; the first answer counts; completion needs every check answered, and the learner is told why."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.models import Attempt, Reflection
from tests.conftest import running_app
from tests.lti_tool.l1_factories import FIXTURE_TOOLKITS, make_learner
from tests.lti_tool.l2_factories import course_in, csrf_from, launch_of, sign_in, toolkit
from tests.lti_tool.views.test_l1 import Browser, _browser, _reflection_values

OPTION = re.compile(r'id="q-([a-z0-9-]+)-([a-z])" name="option" type="(?:radio|checkbox)"')
REFLECTION = _reflection_values()  # the mini toolkit's Gibbs reflection and CPD record, every box filled


def _orders(page: str) -> dict[str, list[str]]:
    """Question id -> the option ids in the order the page shows them."""
    seen: dict[str, list[str]] = {}
    for question, option in OPTION.findall(page):
        seen.setdefault(question, []).append(option)
    return seen


def _post(client: FlaskClient, url: str, form_page: str, data: dict[str, object]) -> tuple[int, str]:
    response = client.post(url, data={"csrf_token": csrf_from(client, form_page), **data}, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_two_learners_see_their_own_option_order_and_it_is_in_their_exported_record(app: Flask) -> None:
    course = course_in(app, learners=2)
    clients = []
    for user in course.learners:
        client = app.test_client()
        sign_in(client, launch_of(course, user, part="l1"))
        clients.append(client)
    check_pages = [p for p in toolkit().l1.pages if p.questions]
    seen: list[dict[str, list[str]]] = [{}, {}]
    for index, client in enumerate(clients):
        for page in check_pages:
            _post(client, f"/l1/page/{page.id}/view", f"/l1/page/{page.id}", {})  # "Next" onto the page
            first = client.get(f"/l1/page/{page.id}").get_data(as_text=True)
            again = client.get(f"/l1/page/{page.id}").get_data(as_text=True)
            assert _orders(first) == _orders(again), "the order is stable for the learner's attempt"
            seen[index].update(_orders(first))
    questions = {q.id for q in toolkit().l1.questions}
    assert set(seen[0]) == set(seen[1]) == questions
    assert any(seen[0][q] != seen[1][q] for q in questions), "two learners saw the same order everywhere"
    # A pinned-free question is really shuffled: not every learner gets the authored order.
    authored = {q.id: [o.id for o in q.options] for q in toolkit().l1.questions}
    assert any(seen[i][q] != authored[q] for i in (0, 1) for q in questions)
    # Each learner's "download all my data" holds the order they saw.
    for index, client in enumerate(clients):
        data = json.loads(client.get("/portfolio/my-data.json").get_data(as_text=True))
        (attempt,) = data["l1_attempts"]
        assert attempt["option_order_shown"] == seen[index]
    # Feedback keeps the learner's order: answering shows the same list, the chosen option marked.
    question = check_pages[0].questions[0]
    chosen = seen[0][question.id][0]
    _, after = _post(
        clients[0], f"/l1/page/{check_pages[0].id}/answer", f"/l1/page/{check_pages[0].id}",
        {"question": question.id, "option": chosen},
    )  # fmt: skip
    assert _orders(after)[question.id] == seen[0][question.id]
    assert f'id="fb-{question.id}-{chosen}"' in after


@pytest.fixture
def mini_app(tmp_path: Path) -> Iterator[Flask]:
    with running_app(tmp_path, toolkits_dir=str(FIXTURE_TOOLKITS)) as application:
        yield application


def _mini_browser(app: Flask) -> tuple[Browser, int]:
    """A learner of the mini fixture toolkit, signed in: their browser and their user id."""
    with app.extensions["swott.db"].session() as session:
        learner = make_learner(session)
        session.commit()
    return _browser(app, learner), learner.user.id


def _view(browser: Browser, step: str) -> None:
    """Record a page as seen the way the player does: a POST (a GET never changes progress)."""
    status, _ = browser.view(step)
    assert status == 200


def test_wrong_then_right_scores_below_full_marks(mini_app: Flask) -> None:
    browser, user_id = _mini_browser(mini_app)
    for step in ("01-intro", "02-check", "03-thinking"):
        _view(browser, step)
    check = "/l1/page/02-check"
    page = browser.get(check)[1]
    assert "Your first answer to each question counts toward your score" in page
    browser.post(f"{check}/answer", {"question": "q-one", "option": "b"})  # wrong
    _, retried = browser.post(f"{check}/answer", {"question": "q-one", "option": "a"})  # right
    assert "You got this one right." in retried  # retries stay for learning, with feedback
    browser.post(f"{check}/answer", {"question": "q-two", "option": ["a", "b"]})  # right
    status, done = browser.post("/l1/page/reflection", {"action": "submit", "version": "0", **REFLECTION})
    assert status == 200 and "You have completed L1" in done
    assert "1 of 2" in done and "50%" in done  # the first answer to q-one was wrong
    with mini_app.extensions["swott.db"].session() as session:
        attempt = session.scalars(select(Attempt).where(Attempt.user_id == user_id)).one()
        assert attempt.score_percent == 50.0
        assert attempt.first_answers["q-one"] == ["b"] and attempt.answers["q-one"] == ["a"]


def test_skipping_every_check_blocks_the_reflection_with_a_reason(mini_app: Flask) -> None:
    browser, user_id = _mini_browser(mini_app)
    for step in ("01-intro", "02-check", "03-thinking"):
        _view(browser, step)
    form = browser.get("/l1/page/reflection")[1]
    # Said before the learner writes: what is left, with a link to each page.
    assert "Before you can submit" in form and "2 questions left" in form
    assert "To complete this module, view every page, answer every knowledge-check question and submit" in form
    status, refused = browser.post("/l1/page/reflection", {"action": "submit", "version": "0", **REFLECTION})
    assert status == 400
    assert "Your reflection was not submitted" in refused
    assert "once you have answered every knowledge-check question: 2 are still unanswered" in refused
    assert 'href="/l1/page/02-check?launch=' in refused
    assert "A review meeting.</textarea>" in refused  # what they typed stays on screen
    with mini_app.extensions["swott.db"].session() as session:
        assert session.scalars(select(Reflection).where(Reflection.user_id == user_id)).first() is None
        attempt = session.scalars(select(Attempt).where(Attempt.user_id == user_id)).one()
        assert attempt.status != "completed"


def test_a_draft_can_still_be_saved_while_checks_are_outstanding(mini_app: Flask) -> None:
    browser, _user_id = _mini_browser(mini_app)
    status, saved = browser.post("/l1/page/reflection", {"action": "save", "version": "0", **REFLECTION})
    assert status == 200 and "Your draft is saved" in saved


def test_the_stages_carry_into_the_record_and_stay_editable(mini_app: Flask) -> None:
    browser, _user_id = _mini_browser(mini_app)
    stages = {
        k: REFLECTION[k] for k in ("description", "feelings", "evaluation", "analysis", "conclusion", "action_plan")
    }
    carried: dict[str, object] = {"action": "carry", "version": "0", **stages, "cpd_impact": "Already mine."}
    status, page = browser.post("/l1/page/reflection", carried)
    assert status == 200 and "Your draft is saved" in page
    assert "Your Social Work England CPD record" in page
    assert 'name="cpd_description" rows="5"' in page and ">A review meeting.</textarea>" in page
    assert "Analysis: Lundy&#39;s audience element was weak.\n\nConclusion: Prepare the chair.</textarea>" in page
    assert ">Already mine.</textarea>" in page  # the learner's own words are kept
