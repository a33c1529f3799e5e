"""The tool against the sandbox platform (sandbox_platform/, written from the specs by someone else):
Dynamic Registration, then "add a toolkit" through Deep Linking, then learner and facilitator launches
of the placements the platform created from our response. Everything over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask import Flask

from lti_tool import web
from lti_tool.services import registrations, subscriptions
from sandbox_platform import SandboxServer, browser
from tests.conftest import make_app
from tests.lti_tool.lti.conftest import TOOLKITS
from tests.lti_tool.lti.http_support import Dispatcher, serve, submit


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer().start()
    yield server
    server.stop()


@pytest.fixture
def tool(tmp_path: Path) -> Iterator[tuple[str, Flask]]:
    dispatcher = Dispatcher()
    with serve(dispatcher) as url:
        app = make_app(tmp_path, toolkits_dir=str(TOOLKITS), base_url=url)
        dispatcher.app = app
        yield url, app
        app.extensions["swott.db"].dispose()


def test_register_deep_link_and_launch_with_the_sandbox(sandbox: SandboxServer, tool: tuple[str, Flask]) -> None:
    url, app = tool
    platform = sandbox.platform

    start = platform.start_registration(url + "/lti/register")
    approval = requests.get(start, timeout=10)
    assert approval.status_code == 200 and "What your platform will receive" in approval.text
    registered = requests.post(url + "/lti/register", data=dict(parse_qsl(urlsplit(start).query)), timeout=10)
    assert registered.status_code == 200 and "org.imsglobal.lti.close" in registered.text
    with app.app_context():
        session = web.db_session()
        (row,) = registrations.platforms_for_issuer(session, sandbox.url)
        assert row.registered_by == "dynamic" and row.deployments and row.status == "pending"
        registrations.approve_platform(session, row, "test operator")
        subscriptions.grant(session, row, ["mini"])

    http = requests.Session()
    picker = browser.follow(http, platform.deep_link_url(user="facilitator"))
    assert picker.status_code == 200 and "A minimal test toolkit" in picker.text
    assert "A second test toolkit" not in picker.text
    returned = submit(http, picker, {"item": ["mini:l1", "mini:l2"], "due-mini": ["28", "2", "2027"]})
    done = submit(http, returned)
    assert done.status_code < 400, done.text[:500]
    placements = platform.placements
    assert [p.custom for p in placements] == [
        {"toolkit_id": "mini", "part": "l1"},
        {"toolkit_id": "mini", "part": "l2"},
    ]
    assert placements[0].line_item_id is not None and placements[0].due is not None

    learner = browser.follow(requests.Session(), platform.launch_url(user="learner1", placement=placements[0]))
    assert learner.status_code == 200 and 'id="start"' in learner.text and "A minimal test toolkit" in learner.text
    facilitator = browser.follow(requests.Session(), platform.launch_url(user="facilitator", placement=placements[1]))
    assert facilitator.status_code == 200 and "You are the <strong>facilitator</strong>" in facilitator.text
