"""Post-response work: a score committed in a request is sent after the commit, by the right process."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from lti_tool import web
from lti_tool.background import Background
from lti_tool.db import Database
from lti_tool.services import outbox
from tests.conftest import make_app
from tests.lti_tool.services.passback_support import Course, records, seed_course, start_platform
from tests.lti_tool.services.sandbox_lms import SandboxLms


def _commit_a_score_in_a_request(
    app: Flask, course: Course, *, graded: float | None = None, rollback: bool = False
) -> None:
    """A request that queues the learner's score (Started, or Completed and `graded`) and commits or rolls back."""
    activity, grading = ("Started", "NotReady") if graded is None else ("Completed", "FullyGraded")
    with app.test_request_context("/"):
        session = web.db_session()
        outbox.enqueue_score(
            session,
            resource_link_id=course.link_id,
            user_id=course.learners[0].id,
            score_given=graded,
            score_maximum=100.0,
            activity_progress=activity,
            grading_progress=grading,
        )
        if rollback:
            session.rollback()
        else:
            session.commit()
        web.close_db_session()


@pytest.mark.parametrize("mode", ["background", "worker"])
def test_a_committed_score_is_sent_by_the_background_only_in_background_mode(tmp_path: Path, mode: str) -> None:
    app = make_app(tmp_path, passback=mode)
    database: Database = app.extensions["swott.db"]
    background: Background = app.extensions["swott.background"]
    ags: SandboxLms = start_platform(database)
    try:
        course = seed_course(database, ags)
        _commit_a_score_in_a_request(app, course, rollback=True)  # a refused request: nothing to send
        assert background.wait_idle() and records(database) == []
        _commit_a_score_in_a_request(app, course)
        assert background.wait_idle()
        if mode == "background":
            assert [r.status for r in records(database)] == ["delivered"] and len(ags.accepted()) == 1
        else:  # production: `swott worker` sends it
            assert [r.status for r in records(database)] == ["pending"] and ags.script.count() == 0
    finally:
        background.stop()
        ags.stop()
        database.dispose()


def test_the_passback_thread_stops_when_idle_and_starts_again_on_the_next_commit(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    database: Database = app.extensions["swott.db"]
    background = Background(database, interval=0.05, max_interval=0.1, idle_exit=0.3)
    app.extensions["swott.background"] = background
    ags = start_platform(database)
    try:
        course = seed_course(database, ags, learners=1)
        _commit_a_score_in_a_request(app, course)
        assert background.wait_idle()
        first = background._passback
        assert first is not None
        first.join(5)
        assert not first.is_alive() and background._passback is None  # nothing waiting: it stopped
        _commit_a_score_in_a_request(app, course, graded=70.0)
        assert background.wait_idle()
        assert [r.status for r in records(database)] == ["delivered", "delivered"]
    finally:
        background.stop()
        ags.stop()
        database.dispose()
