"""Acceptance: two gunicorn workers on PostgreSQL and Redis; 50 launches in a row all succeed.

Launch state and nonces must live in a store every worker shares (Redis here), never in process
memory, or a login served by one worker and a launch served by the other would fail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
import sqlalchemy as sa

from sandbox_platform.forge import Forge
from tests.lti_tool.lti.conftest import TOOLKITS
from tests.lti_tool.lti.http_support import launch

VENV_BIN = Path(sys.executable).parent
LAUNCHES = 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _swott(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "swott"), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def gunicorn_tool(
    postgres_url: str, redis_url: str, lti_platform: Forge, tmp_path: Path
) -> Iterator[tuple[str, dict[str, str], Path]]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SWOTT_ENV": "development",
        "SWOTT_DATABASE_URL": postgres_url,
        "SWOTT_REDIS_URL": redis_url,
        "SWOTT_BASE_URL": url,
        "SWOTT_SECRET_KEY": "multi-worker-" + "k" * 40,
        "SWOTT_TOOLKITS_DIR": str(TOOLKITS),
        "SWOTT_LOG_LEVEL": "WARNING",
    }
    _swott(env, "db", "upgrade")
    lti_platform.attach(url)  # the sandbox's side of the registration (the tool's side is the CLI's)
    _swott(
        env,
        "platform",
        "add",
        "--issuer",
        lti_platform.issuer,
        "--client-id",
        lti_platform.client_id,
        "--auth-login-url",
        lti_platform.auth_url,
        "--auth-token-url",
        lti_platform.token_url,
        "--key-set-url",
        lti_platform.jwks_url,
        "--deployment",
        lti_platform.deployment_id,
    )
    _swott(env, "subscription", "grant", lti_platform.issuer, "--all")
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            # The serving worker's pid on each request: proves both workers took part in the launches.
            "--access-logfile",
            str(tmp_path / "access.log"),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
            "lti_tool:create_app()",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start in 30 s"
            time.sleep(0.2)
        yield url, env, tmp_path / "access.log"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_fifty_launches_in_a_row_on_two_workers(
    gunicorn_tool: tuple[str, dict[str, str], Path], lti_platform: Forge, postgres_url: str, redis_url: str
) -> None:
    url, _env, access_log = gunicorn_tool
    lti_platform.scenarios["learner"] = {}
    failures = []
    for i in range(LAUNCHES):
        page = launch(requests.Session(), url, lti_platform, "learner", login_hint=f"learner-{i}")
        if page.status_code != 200 or 'id="start"' not in page.text:
            failures.append((i, page.status_code))
    assert failures == []

    # Every state was taken from Redis, every nonce is recorded there, and the users are in PostgreSQL.
    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter("swott:lti:state:*")) == []
    assert len(list(client.scan_iter("swott:lti:nonce:*"))) == LAUNCHES
    client.close()
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM lti_user")).scalar() == LAUNCHES
        assert conn.execute(sa.text("SELECT count(*) FROM launch_state")).scalar() == 0
    engine.dispose()

    # Both workers served launches, and some launches began on one worker and finished on the other:
    # the state really is shared, not kept in a worker's memory.
    served = [line.split() for line in access_log.read_text().splitlines() if " /lti/" in line]
    logins = [pid for pid, _method, path, _status in served if path == "/lti/login"]
    launches = [pid for pid, method, path, _status in served if (method, path) == ("POST", "/lti/launch")]
    assert len(logins) == len(launches) == LAUNCHES
    assert len(set(logins) | set(launches)) == 2
    assert any(begun != finished for begun, finished in zip(logins, launches, strict=True))
