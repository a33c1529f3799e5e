"""`swott worker`: a loop that delivers what is queued, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from lti_tool.db import Database
from lti_tool.services import delivery, outbox
from lti_tool.worker import run
from swott.cli import main
from tests.conftest import make_app
from tests.lti_tool.services.passback_support import Course, records, seed_course, start_platform

SECRET = "test-secret-" + "x" * 40


def _enqueue_started(database: Database, course: Course, learner: int = 0) -> int:
    with database.session() as session:
        record = outbox.enqueue_score(
            session,
            resource_link_id=course.link_id,
            user_id=course.learners[learner].id,
            score_given=None,
            score_maximum=100.0,
            activity_progress="Started",
            grading_progress="NotReady",
        )
        session.commit()
        assert record is not None
        return record.id


def test_worker_once_with_an_empty_outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path)
    monkeypatch.setenv("SWOTT_DATABASE_URL", app.extensions["swott.db"].url)
    monkeypatch.setenv("SWOTT_SECRET_KEY", SECRET)
    result = CliRunner().invoke(main, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Passback: 0 delivered, 0 waiting to retry, 0 failed."
    app.extensions["swott.db"].dispose()


def test_worker_loop_delivers_scores_queued_while_it_runs_and_stops_when_asked(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    database: Database = app.extensions["swott.db"]
    ags = start_platform(database)
    try:
        course = seed_course(database, ags)
        stop = threading.Event()
        delivered = threading.Event()

        def on_pass(report: delivery.DeliveryReport) -> None:
            if report.delivered:
                delivered.set()

        loop = threading.Thread(
            target=run,
            args=(database,),
            kwargs={"interval": 0.05, "max_interval": 0.1, "stop": stop, "on_pass": on_pass},
        )
        loop.start()
        _enqueue_started(database, course)
        assert delivered.wait(20), "the running worker never delivered the queued score"
        stop.set()
        loop.join(20)
        assert not loop.is_alive()
        assert [r.status for r in records(database)] == ["delivered"]
        assert len(ags.scores) == 1
    finally:
        ags.stop()
        database.dispose()


def test_sigterm_stops_the_worker_cleanly(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    database: Database = app.extensions["swott.db"]
    ags = start_platform(database)
    process: subprocess.Popen[str] | None = None
    try:
        course = seed_course(database, ags)
        _enqueue_started(database, course)
        env = {
            **os.environ,
            "SWOTT_DATABASE_URL": database.url,
            "SWOTT_SECRET_KEY": SECRET,
            "SWOTT_LOG_LEVEL": "WARNING",
        }
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "swott"), "worker", "--interval", "0.1", "--max-interval", "0.2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[3],
        )
        assert process.stdout is not None
        first_line = process.stdout.readline()  # printed once the queued score is delivered
        assert first_line.strip() == "Passback: 1 delivered, 0 waiting to retry, 0 failed."
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert "Worker stopped." in out
        assert len(ags.scores) == 1
    finally:
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.communicate()
        ags.stop()
        database.dispose()
