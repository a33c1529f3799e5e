"""Registrations are cached per process and every process hears of a change at once (issue 9 defect 9,
issue 15 item 2): two app instances share one database, as two gunicorn workers (or a worker and the
`swott` command) do; a change made through one is seen by the other on its very next request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from lti_tool import web
from lti_tool.services import registrations, registry, subscriptions
from sandbox_platform.forge import Forge
from swott.cli import main
from tests.lti_tool.lti.conftest import TOOL_URL, build_app, count_statements, login_params, register, sandbox
from tests.lti_tool.lti.http_support import query

MOODLE = "https://moodle.council.example"
ADD = [
    "platform",
    "add",
    "--issuer",
    MOODLE,
    "--client-id",
    "abc123",
    "--auth-login-url",
    MOODLE + "/mod/lti/auth.php",
    "--auth-token-url",
    MOODLE + "/mod/lti/token.php",
    "--key-set-url",
    MOODLE + "/mod/lti/certs.php",
    "--deployment",
    "3",
]


@pytest.fixture
def two_apps(tmp_path: Path, lti_platform: Forge, database_url: str) -> Iterator[tuple[Flask, Flask]]:
    """Two instances of the tool on one database (the first registers the test platform)."""
    first = build_app(tmp_path, lti_platform, database_url=database_url)
    second = build_app(tmp_path, lti_platform, database_url=database_url)
    with first.app_context():
        # build_app registered the platform through both apps; keep one registration.
        assert len(registrations.list_platforms(web.db_session())) == 1
    yield first, second
    for app in (first, second):
        app.extensions["swott.db"].dispose()


def _ancestors(app: Flask) -> str:
    response = app.test_client().get("/")
    assert response.status_code == 200
    return response.headers["Content-Security-Policy"]


def _launch_status(app: Flask, platform: Forge) -> int:
    client = app.test_client()
    login = client.get("/lti/login", query_string=login_params(platform))
    if login.status_code != 302:
        return login.status_code
    auth = query(login.headers["Location"])
    body = platform.claims(auth["nonce"], target_link_uri=TOOL_URL + "/lti/launch")
    return client.post("/lti/launch", data={"id_token": platform.sign(body), "state": auth["state"]}).status_code


def test_platform_added_with_the_cli_can_frame_the_tool_on_the_next_request(
    two_apps: tuple[Flask, Flask], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, second = two_apps
    assert MOODLE not in _ancestors(second)  # cached now
    monkeypatch.setenv("SWOTT_DATABASE_URL", database_url)
    monkeypatch.setenv("SWOTT_BASE_URL", "https://swott.council.example")
    monkeypatch.setenv("SWOTT_SECRET_KEY", "cli-secret-" + "z" * 40)
    result = CliRunner().invoke(main, ADD)
    assert result.exit_code == 0, result.output
    assert "frame-ancestors 'self' " in _ancestors(second)
    assert MOODLE in _ancestors(second)  # no 30-second wait: the very next request
    removed = CliRunner().invoke(main, ["platform", "remove", MOODLE])
    assert removed.exit_code == 0, removed.output
    assert MOODLE not in _ancestors(second)


def test_a_registration_made_through_one_instance_launches_through_the_other(
    two_apps: tuple[Flask, Flask],
) -> None:
    first, second = two_apps
    with sandbox(client_id="newcomer-client") as newcomer:
        assert _launch_status(second, newcomer) == 401  # unknown platform, and now cached
        register(first, newcomer)
        assert _launch_status(second, newcomer) == 200
        with first.app_context():
            session = web.db_session()
            platform = registrations.find_platform(session, newcomer.issuer, newcomer.client_id)
            assert platform is not None
            subscriptions.revoke(session, platform, [None])
        assert _launch_status(second, newcomer) == 403  # the revoked subscription, at once


def test_unchanged_registrations_cost_one_read_per_request(two_apps: tuple[Flask, Flask]) -> None:
    """The snapshot is built once; after that a request reads only the version (one primary-key read)."""
    _, second = two_apps
    _ancestors(second)
    with second.app_context():
        cache = registry.registry_for(web.db_session())
    loads = cache.loads
    with count_statements(second) as log:
        for _ in range(5):
            _ancestors(second)
    assert cache.loads == loads
    assert len(log) == 5, str(log)
    assert all("registry_version" in s for s in log.statements)
