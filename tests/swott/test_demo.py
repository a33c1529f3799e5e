"""`swott demo`: the tool and the sandbox platform, registered by Dynamic Registration, over real HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sandbox_platform import browser
from swott.demo import Demo, start_demo


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = start_demo(tool_port=0, platform_port=0, tool_settings={"database_url": f"sqlite:///{tmp_path / 'd.db'}"})
    yield running
    running.stop()


def test_the_sandbox_registers_itself_with_the_tool(demo: Demo) -> None:
    tool = demo.platform.tool(demo.client_id)

    assert tool.initiate_login_uri == demo.tool.url + "/lti/login"
    assert tool.jwks_uri == demo.tool.url + "/lti/jwks.json"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in tool.scopes
    assert [p.custom["part"] for p in demo.platform.placements] == ["l1", "l2"]


def test_a_learner_launch_reaches_the_l1_start_page(demo: Demo) -> None:
    l1 = demo.platform.placements[0]

    page = browser.follow(requests.Session(), demo.platform.launch_url(user="learner1", placement=l1))

    assert page.status_code == 200
    assert page.url.startswith(demo.tool.url + "/")
    assert "L1 self-study" in page.text
    assert l1.title.split(":")[0] in page.text


def test_a_facilitator_launch_is_not_shown_the_learner_player(demo: Demo) -> None:
    l1 = demo.platform.placements[0]

    page = browser.follow(requests.Session(), demo.platform.launch_url(user="facilitator", placement=l1))

    assert page.status_code == 200
    assert page.url.startswith(demo.tool.url + "/")
    assert "/player/" not in page.url


def test_a_facilitator_adds_a_toolkit_by_deep_linking(demo: Demo) -> None:
    session = requests.Session()
    picker = browser.follow(session, demo.platform.deep_link_url(user="facilitator"))
    assert picker.status_code == 200
    form = next(f for f in browser.forms(picker.text) if f.method == "post")
    toolkit_id = demo.platform.placements[0].custom["toolkit_id"]
    form.fields["item"] = f"{toolkit_id}:l1"
    before = len(demo.platform.placements)

    returned = browser.settle(session, browser.submit(session, picker, form))

    assert returned.status_code == 200
    assert returned.url.startswith(demo.platform_server.url)
    added = demo.platform.placements[before:]
    assert [p.custom for p in added] == [{"toolkit_id": toolkit_id, "part": "l1"}]
    assert added[0].line_item_id is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _default_signals() -> None:
    """In the child, before exec: Ctrl+C's default action even when this suite runs as a background job.

    A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored across exec,
    so without this the demo would never see the test's SIGINT (and be left running).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_swott(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """`swott ARGS` in its own process group (so it can be killed with every thread and child)."""
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "swott"), *args],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        process_group=0,
        preexec_fn=_default_signals,
    )


def _read_until(process: subprocess.Popen[str], marker: str, seconds: float) -> str:
    """The child's output up to and including the first line with `marker` (or all of it, if it ends)."""
    assert process.stdout is not None
    seen: list[str] = []
    timer = threading.Timer(seconds, lambda: os.killpg(process.pid, signal.SIGKILL))
    timer.start()
    try:
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                break
    finally:
        timer.cancel()
    return "".join(seen)


@pytest.mark.slow
def test_swott_demo_command_serves_both_and_prints_where_to_go(tmp_path: Path) -> None:
    tool_port, platform_port = _free_port(), _free_port()
    env = {**os.environ, "SWOTT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    args = ["demo", "--tool-port", str(tool_port), "--platform-port", str(platform_port)]
    process = _start_swott(args, env)
    try:
        # Wait for the banner, not just the platform: Ctrl+C during start-up is another test below.
        banner = _read_until(process, "Everything the sandbox platform knows", 90)
        assert f"Open http://127.0.0.1:{platform_port}/ and click Launch as learner" in banner
        home = requests.get(f"http://127.0.0.1:{platform_port}/", timeout=5)
        assert "Launch as learner" in home.text
        assert requests.get(f"http://127.0.0.1:{tool_port}/healthz", timeout=5).status_code == 200

        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    finally:
        _kill_group(process)
    assert "Stopping." in rest
    assert "Traceback" not in banner + rest
    assert process.returncode == 0


@pytest.mark.slow
def test_ctrl_c_while_the_demo_starts_stops_it_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "SWOTT_DATABASE_URL": f"sqlite:///{tmp_path / 'early.db'}"}
    process = _start_swott(["demo", "--tool-port", str(_free_port()), "--platform-port", str(_free_port())], env)
    try:
        started = _read_until(process, "Starting the tool", 60)
        process.send_signal(signal.SIGINT)  # while it migrates, registers and seeds, before the banner
        output, _ = process.communicate(timeout=60)
    finally:
        _kill_group(process)
    assert "Starting the tool" in started
    assert "Traceback" not in output
    assert "Open http" not in output or "Stopping." in output
    assert process.returncode == 0


def _kill_group(process: subprocess.Popen[str]) -> None:
    """Leave nothing behind, whatever the test did: kill the child's whole process group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def test_the_demo_worker_delivers_scores_to_the_sandbox_gradebook(tmp_path: Path) -> None:
    from sqlalchemy import select

    from lti_tool.models import LtiUser, ResourceLink
    from lti_tool.services import outbox

    running = start_demo(
        tool_port=0, platform_port=0, worker=True, tool_settings={"database_url": f"sqlite:///{tmp_path / 'w.db'}"}
    )
    try:
        l1 = running.platform.placements[0]
        assert browser.follow(requests.Session(), running.platform.launch_url(user="learner3", placement=l1)).ok
        learner = running.platform.user("learner3")
        with running.tool_app.extensions["swott.db"].session() as session:
            user = session.scalars(select(LtiUser).where(LtiUser.sub == learner.sub)).one()
            link = session.scalars(select(ResourceLink).where(ResourceLink.link_id == l1.id)).one()
            outbox.enqueue_score(
                session,
                resource_link_id=link.id,
                user_id=user.id,
                score_given=80.0,
                score_maximum=100.0,
                activity_progress="Completed",
                grading_progress="FullyGraded",
            )
            session.commit()

        deadline = time.monotonic() + 30
        while running.platform.grade(str(l1.line_item_id), "learner3") is None and time.monotonic() < deadline:
            time.sleep(0.2)

        grade = running.platform.grade(str(l1.line_item_id), "learner3")
        assert grade is not None and grade.score_given == 80.0
        gradebook = requests.get(running.platform_server.url + "/gradebook", timeout=5).text
        assert "<strong>80</strong>" in gradebook
    finally:
        running.stop()
    assert running.worker is not None and not running.worker.is_alive()


def test_the_demo_starts_again_on_the_same_database(tmp_path: Path) -> None:
    """A newcomer stops and restarts the demo: the sandbox forgot everything, the tool did not."""
    settings = {"database_url": f"sqlite:///{tmp_path / 'again.db'}"}
    for _ in range(2):
        running = start_demo(tool_port=0, platform_port=0, tool_settings=settings)
        try:
            page = browser.follow(requests.Session(), running.platform.launch_url(user="learner1"))
            assert page.status_code == 200
            assert "L1 self-study" in page.text
        finally:
            running.stop()
