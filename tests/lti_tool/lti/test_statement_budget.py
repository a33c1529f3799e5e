"""SQL statements per request (issue 15, items 1-2): counted with SQLAlchemy's `before_cursor_execute`.

Budgets: login one write (the state) plus the registry version read; a whole launch at most 8
statements, the page it answers with included (with Redis holding the state and nonce, 6); a page
step and an answer at most 4, in ONE request that answers with the page itself (no redirect to
follow) — one read of the launch context (the learner's dates with it), the write of the learner's
attempt, and the score: the outbox's one read of the learner's score history and, when the gradebook
would change, its insert. A step that changes no score (a page after the second) is 3.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox_platform.forge import Forge
from tests.lti_tool.lti.conftest import TOOL_URL, begin_login, build_app, count_statements

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LAUNCH_BUDGET = 8
PAGE_STEP_BUDGET = 4


@pytest.fixture
def budget_app(
    backend_settings: dict[str, str], tmp_path: Path, lti_platform: Forge, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    overrides: dict[str, Any] = dict(backend_settings)
    # Scores leave the request for `swott worker` (or a background thread): with the worker mode no
    # other thread's statements can mix into the count.
    overrides["passback"] = "worker"
    app = build_app(tmp_path, lti_platform, **overrides)
    yield app
    app.extensions["swott.db"].dispose()


def _launch(client: FlaskClient, platform: Forge, sub: str = "user-1") -> Any:
    state, nonce = begin_login(client, platform, login_hint=sub)
    body = platform.claims(nonce, sub=sub, target_link_uri=TOOL_URL + "/lti/launch")
    response = client.post("/lti/launch", data={"id_token": platform.sign(body), "state": state})
    # The first launch fetched the platform's key set, a registry change: let the snapshot reload now.
    client.get("/")
    return response


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith("SELECT")]


def test_login_writes_the_state_in_one_statement(budget_app: Flask, lti_platform: Forge) -> None:
    client = budget_app.test_client()
    _launch(client, lti_platform)  # warm: registry snapshot and platform keys cached
    for _ in range(5):  # housekeeping runs on about one login in 64; count several to be fair
        with count_statements(budget_app) as log:
            begin_login(client, lti_platform)
        inserts = [s for s in log.statements if s.lstrip().upper().startswith("INSERT INTO LAUNCH_STATE")]
        assert len(inserts) == 1, str(log)
        assert len(log) <= 2 or len(log) == 4, str(log)  # version + insert (+ the occasional housekeeping)


@pytest.mark.parametrize("first", [True, False], ids=["first launch", "returning learner"])
def test_a_whole_launch_is_at_most_8_statements(budget_app: Flask, lti_platform: Forge, first: bool) -> None:
    client = budget_app.test_client()
    _launch(client, lti_platform, sub="warm-up")  # platform keys fetched once, registry cached
    if not first:
        _launch(client, lti_platform)
    state, nonce = begin_login(client, lti_platform)
    body = lti_platform.claims(nonce, target_link_uri=TOOL_URL + "/lti/launch")
    token = lti_platform.sign(body)
    with count_statements(budget_app) as log:
        response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 200
    assert len(log) <= LAUNCH_BUDGET, f"{len(log)} statements:\n{log}"
    assert len(_writes(log.statements)) == 6, str(log)  # state, nonce, user, context, link, enrolment


@pytest.mark.redis
def test_with_redis_a_launch_is_6_statements(
    tmp_path: Path, lti_platform: Forge, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build_app(tmp_path, lti_platform, redis_url=redis_url)
    try:
        client = app.test_client()
        _launch(client, lti_platform, sub="warm-up")
        state, nonce = begin_login(client, lti_platform)
        token = lti_platform.sign(lti_platform.claims(nonce, target_link_uri=TOOL_URL + "/lti/launch"))
        with count_statements(app) as log:
            assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 200
        # The registry version, one upsert per row, and the page's one read of the launch context.
        assert len(log) == 6, str(log)
    finally:
        app.extensions["swott.db"].dispose()


def _post_view(client: FlaskClient, page: str, step: str) -> Any:
    token = CSRF.search(page)
    assert token is not None
    launch = re.search(r"launch=([\w-]+)", page)
    assert launch is not None
    return client.post(
        f"/l1/page/{step}/view?launch={launch.group(1)}", data={"csrf_token": token.group(1)}, follow_redirects=False
    )


def _page_url(page: str) -> str:
    """The GET address a page answered by a POST names for the address bar (`static/launch.js`)."""
    found = re.search(r'<meta name="swott-page-url" content="([^"]+)">', page)
    assert found is not None, "the page does not name its address"
    return found.group(1).replace("&amp;", "&")


def _one_request(response: Any) -> str:
    """The page a POST answered with in that one request: 200, no redirect to follow."""
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    assert "Location" not in response.headers
    return str(response.get_data(as_text=True))


def test_a_page_step_is_one_request_of_at_most_4_statements(budget_app: Flask, lti_platform: Forge) -> None:
    client = budget_app.test_client()
    launched = _launch(client, lti_platform)
    page_one = _one_request(_post_view(client, launched.get_data(as_text=True), "01-intro"))

    # Next: a page never viewed, and the first move past the first page, so a new score is queued.
    with count_statements(budget_app) as log:
        step = _post_view(client, page_one, "02-check")
    shown = _one_request(step)
    assert "Check answer" in shown and "/l1/page/02-check?" in _page_url(shown)
    assert len(log) <= PAGE_STEP_BUDGET, f"{len(log)} statements:\n{log}"
    assert sum(s.lstrip().upper().startswith("INSERT INTO SCORE_RECORD") for s in log.statements) == 1, str(log)

    # A reload asks for the page's own address with GET: one read, the same page.
    with count_statements(budget_app) as log:
        again = client.get(_page_url(shown))
    assert again.status_code == 200 and "Check answer" in again.get_data(as_text=True)
    assert len(log) == 1, str(log)

    # Previous: a page already viewed only moves the resume point.
    with count_statements(budget_app) as log:
        back = _one_request(_post_view(client, shown, "01-intro"))
    assert "/l1/page/01-intro?" in _page_url(back)
    assert len(log) <= 2, str(log)  # the context read and the attempt's update


def _answer_form(page: str) -> tuple[str, dict[str, str]]:
    """The first knowledge-check form on `page`: its address and fields with the first option chosen."""
    action = re.search(r'<form[^>]+action="([^"]*/answer[^"]*)"', page)
    question = re.search(r'name="question" value="([^"]+)"', page)
    option = re.search(r'<input(?=[^>]*name="option")[^>]*value="([^"]+)"', page)
    token = CSRF.search(page)
    assert action and question and option and token, "no knowledge check on the page"
    fields = {"csrf_token": token.group(1), "question": question.group(1), "option": option.group(1)}
    return action.group(1).replace("&amp;", "&"), fields


def test_an_answer_and_a_step_that_changes_no_score(budget_app: Flask, lti_platform: Forge) -> None:
    client = budget_app.test_client()
    launched = _launch(client, lti_platform)
    page_one = _one_request(_post_view(client, launched.get_data(as_text=True), "01-intro"))
    check_page = _one_request(_post_view(client, page_one, "02-check"))

    # An answer while other parts are outstanding: the score stays InProgress, so nothing is queued.
    url, fields = _answer_form(check_page)
    assert url.endswith(f"#feedback-{fields['question']}")  # the browser lands on the feedback
    with count_statements(budget_app) as log:
        answered = client.post(url, data=fields, follow_redirects=False)
    shown = _one_request(answered)
    assert f'id="feedback-{fields["question"]}"' in shown
    assert _page_url(shown).endswith(f"#feedback-{fields['question']}")
    assert len(log) <= PAGE_STEP_BUDGET, f"{len(log)} statements:\n{log}"
    assert len(_writes(log.statements)) == 1, str(log)  # the attempt only: the gradebook would not change

    # Next again: a new page, but the gradebook already shows "in progress": read, update, history.
    with count_statements(budget_app) as log:
        step = _post_view(client, shown, "03-thinking")
    _one_request(step)
    assert len(log) == 3, f"{len(log)} statements:\n{log}"
    assert not any("INSERT INTO score_record" in s for s in log.statements), str(log)
