"""Passback and roster end to end against the sandbox platform (an independent Moodle-like LMS).

The tool and the sandbox run over real HTTP as `swott demo` starts them (Dynamic Registration, the
sandbox verifying our client assertions against our `/lti/jwks.json`); a learner launches L1 for real,
so the line item URL, AGS scopes and memberships URL come from the launch's claims.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from lti_tool.db import Database
from lti_tool.models import Context, LtiUser, Platform, ResourceLink, ScoreStatus
from lti_tool.services import delivery, outbox
from lti_tool.services.access_tokens import AccessTokens, PlatformEndpoint
from lti_tool.services.roster import RosterService
from sandbox_platform import browser
from swott.cli import main
from swott.demo import Demo, start_demo
from tests.lti_tool.services.passback_support import let_time_pass


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = start_demo(tool_port=0, platform_port=0, tool_settings={"database_url": f"sqlite:///{tmp_path / 'd.db'}"})
    yield running
    running.stop()


def _launched_learner(demo: Demo) -> tuple[int, int, str, str]:
    """learner1 launches L1; the tool's ids for them and the link, their sub, and the line item id."""
    l1 = demo.platform.placements[0]
    page = browser.follow(requests.Session(), demo.platform.launch_url(user="learner1", placement=l1))
    assert page.status_code == 200
    database: Database = demo.tool_app.extensions["swott.db"]
    sub = demo.platform.user("learner1").sub
    with database.session() as session:
        user = session.scalars(select(LtiUser).where(LtiUser.sub == sub)).one()
        link = session.scalars(select(ResourceLink).where(ResourceLink.link_id == l1.id)).one()
        assert "?type_id=" in link.lineitem_url  # Moodle-style line item URL from the launch
        return user.id, link.id, sub, str(l1.line_item_id)


def _enqueue(database: Database, user_id: int, link_id: int, activity: str, grading: str, score: float | None) -> int:
    with database.session() as session:
        record = outbox.enqueue_score(
            session,
            resource_link_id=link_id,
            user_id=user_id,
            score_given=score,
            score_maximum=100.0,
            activity_progress=activity,
            grading_progress=grading,
        )
        session.commit()
        assert record is not None
        return record.id


def test_platform_down_then_back_gets_every_score_once_in_order(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    user_id, link_id, sub, line_item = _launched_learner(demo)
    database: Database = demo.tool_app.extensions["swott.db"]
    platform = demo.platform

    platform.script.fail(503, services=("ags", "token"))
    first = [
        _enqueue(database, user_id, link_id, "Started", "NotReady", None),
        _enqueue(database, user_id, link_id, "InProgress", "Pending", None),
    ]
    report = delivery.deliver_after_commit(demo.tool_app, first)
    assert report is not None and report.retrying == first[:1] and not report.delivered
    platform.script.clear()
    demo.platform_server.stop()  # connection refused from here on
    later = [
        _enqueue(database, user_id, link_id, "Submitted", "PendingManual", None),
        _enqueue(database, user_id, link_id, "Completed", "FullyGraded", 85.0),
    ]
    let_time_pass(database)
    assert delivery.deliver_pending(database).retrying == first[:1]
    assert platform.scores == []

    demo.platform_server.start()
    let_time_pass(database)
    monkeypatch.setenv("SWOTT_DATABASE_URL", database.url)
    monkeypatch.setenv("SWOTT_SECRET_KEY", "test-secret-" + "x" * 40)
    result = CliRunner().invoke(main, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Passback: 4 delivered" in result.output

    received = [(s.body["activityProgress"], s.body["gradingProgress"], s.status) for s in platform.scores]
    assert received == [
        ("Started", "NotReady", 200),
        ("InProgress", "Pending", 200),
        ("Submitted", "PendingManual", 200),
        ("Completed", "FullyGraded", 200),
    ]
    assert all(s.body["userId"] == sub and s.body["scoreMaximum"] == 100.0 for s in platform.scores)
    grade = platform.grade(line_item, "learner1")
    assert grade is not None and grade.score_given == 85.0 and grade.grading_progress == "FullyGraded"
    with database.session() as session:
        link = session.get(ResourceLink, link_id)
        assert link is not None
        assert outbox.undelivered(session, link.context_id) == []  # including `later`, queued while unreachable
    assert len(later) == 2


def test_a_hundred_scores_make_one_token_request(demo: Demo) -> None:
    user_id, link_id, _sub, line_item = _launched_learner(demo)
    database: Database = demo.tool_app.extensions["swott.db"]
    before = len(demo.platform.token_requests)
    for score in range(1, 101):  # a hundred changes of grade (an identical score would not be queued)
        _enqueue(database, user_id, link_id, "Completed", "FullyGraded", float(score))
    assert len(delivery.deliver_pending(database).delivered) == 100
    assert len(demo.platform.token_requests) - before == 1
    assert {s.status for s in demo.platform.scores} == {200}
    grade = demo.platform.grade(line_item, "learner1")
    assert grade is not None and grade.score_given == 100.0


def test_roster_lists_the_course_from_the_launch_memberships_url(demo: Demo) -> None:
    _launched_learner(demo)
    database: Database = demo.tool_app.extensions["swott.db"]
    with database.session() as session:
        platform = session.scalars(select(Platform)).one()
        context = session.scalars(select(Context)).one()
        endpoint, url = PlatformEndpoint.of(platform), context.memberships_url
    members = RosterService(AccessTokens(database)).members(endpoint, url)
    assert {m.user_id for m in members} == {u.sub for u in demo.platform.users.values()}
    assert sum(m.is_learner for m in members) == len(demo.platform.learners)
    assert [m.user_id for m in members if m.is_facilitator] == [demo.platform.facilitator.sub]


def test_a_re_sent_score_is_reconciled_through_the_sandbox_result_service(demo: Demo) -> None:
    """The sandbox answers a repeated timestamp with 409 (Moodle) and scales results to the line item."""
    from lti_tool.models import ScoreRecord
    from lti_tool.services.grades import SCOPE_RESULT_READONLY

    user_id, link_id, _sub, line_item = _launched_learner(demo)
    database: Database = demo.tool_app.extensions["swott.db"]
    with database.session() as session:
        link = session.get(ResourceLink, link_id)
        assert link is not None and SCOPE_RESULT_READONLY in link.ags_scopes
    record_id = _enqueue(database, user_id, link_id, "Completed", "FullyGraded", 72.0)
    assert delivery.deliver_pending(database).delivered == [record_id]
    with database.session() as session:  # the outcome was lost before it was written
        record = session.get(ScoreRecord, record_id)
        assert record is not None
        record.status = ScoreStatus.PENDING
        session.commit()
    assert delivery.deliver_pending(database).delivered == [record_id]
    assert [s.status for s in demo.platform.scores] == [200, 409]  # applied once, the repeat refused
    with database.session() as session:
        record = session.get(ScoreRecord, record_id)
        assert record is not None and "read back" in record.last_error
    grade = demo.platform.grade(line_item, "learner1")
    assert grade is not None and grade.score_given == 72.0
