"""The passback outbox: scores committed with progress reach the platform once, in order, whatever happens."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool import migrate
from lti_tool.db import Database
from lti_tool.models import ResourceLink, ScoreRecord, ScoreStatus, utcnow
from lti_tool.services import delivery, outbox
from lti_tool.services.access_tokens import AccessTokens
from lti_tool.services.grades import GradeService
from sandbox_platform.script import SERVICES
from tests.conftest import make_app
from tests.lti_tool.services.passback_support import (
    Course,
    let_time_pass,
    queue_score,
    records,
    seed_course,
    start_platform,
)
from tests.lti_tool.services.sandbox_lms import SandboxLms


class Step(NamedTuple):
    activity_progress: str
    grading_progress: str
    score_given: float | None = None


STARTED = Step("Started", "NotReady")
IN_PROGRESS = Step("InProgress", "Pending")
SUBMITTED = Step("Submitted", "PendingManual")


def completed(score: float) -> Step:
    return Step("Completed", "FullyGraded", score)


def enqueue(database: Database, course: Course, step: Step, learner: int = 0) -> int:
    return queue_score(database, course, *step, learner=learner)


def received(ags: SandboxLms, sub: str) -> list[tuple[str, str, float | None]]:
    return [(s["activityProgress"], s["gradingProgress"], s.get("scoreGiven")) for s in ags.accepted(sub)]


# What the gradebook receives from a learner who starts, works on, submits and is graded 90.
WHOLE_JOURNEY_GRADED_90 = [
    ("Started", "NotReady", None),
    ("InProgress", "Pending", None),
    ("Submitted", "PendingManual", None),
    ("Completed", "FullyGraded", 90.0),
]


def start_and_work_on_while_the_platform_is_down(
    app: Flask, database: Database, course: Course, ags: SandboxLms
) -> list[int]:
    """The learner starts and works on while every service answers 503, then the platform stops answering.

    The two scores' ids; the send after commit tried the first only (the second waits behind it).
    """
    ags.script.fail(503, services=SERVICES)
    first = [enqueue(database, course, STARTED), enqueue(database, course, IN_PROGRESS)]
    report = delivery.deliver_after_commit(app, first)
    assert report is not None and report.delivered == [] and report.retrying == first[:1]
    ags.script.clear()
    ags.stop()  # now the platform refuses connections
    return first


def test_score_commits_and_rolls_back_with_the_progress_change(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    with database.session() as session:
        outbox.enqueue_score(
            session,
            resource_link_id=course.link_id,
            user_id=course.learners[0].id,
            score_maximum=100.0,
            **STARTED._asdict(),
        )
        session.rollback()  # the progress change failed: its score must vanish with it
    assert records(database) == []
    enqueue(database, course, STARTED)
    assert [r.status for r in records(database)] == ["pending"]


def test_timestamps_strictly_increase_at_one_second_resolution(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    for step in (STARTED, IN_PROGRESS, SUBMITTED):  # three steps within the same second
        enqueue(database, course, step)
    stamps = [r.timestamp for r in records(database)]
    assert all(stamp.microsecond == 0 for stamp in stamps)
    assert [b - a for a, b in itertools.pairwise(stamps)] == [timedelta(seconds=1)] * 2


def test_nothing_but_fully_graded_after_a_grade(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    enqueue(database, course, completed(75))
    with pytest.raises(ValueError, match="FullyGraded"):
        enqueue(database, course, IN_PROGRESS)
    enqueue(database, course, completed(90))  # a better score later is fine
    enqueue(database, course, IN_PROGRESS, learner=1)  # another learner is not affected


def test_a_score_that_changes_nothing_in_the_gradebook_is_not_queued(database: Database, ags: SandboxLms) -> None:
    """Issue 9 defect 8: one L1 run used to post the same InProgress/Pending score on every page view."""
    course = seed_course(database, ags)
    enqueue(database, course, STARTED)
    first = enqueue(database, course, IN_PROGRESS)
    for _page in range(5):
        with database.session() as session:
            again = outbox.enqueue_score(
                session,
                resource_link_id=course.link_id,
                user_id=course.learners[0].id,
                score_maximum=100.0,
                **IN_PROGRESS._asdict(),
            )
            session.commit()
        assert again is None
    assert delivery.deliver_pending(database).delivered == [first - 1, first]
    # Still nothing new once delivered; a change (a grade) is queued and posted.
    with database.session() as session:
        assert outbox.enqueue_score(
            session, resource_link_id=course.link_id, user_id=course.learners[0].id, score_maximum=100.0,
            **IN_PROGRESS._asdict(),
        ) is None  # fmt: skip
    enqueue(database, course, completed(80))
    enqueue(database, course, IN_PROGRESS, learner=1)  # another learner's first InProgress is a change
    assert len(delivery.deliver_pending(database).delivered) == 2
    assert ags.script.count("scores") == 4
    assert received(ags, course.subs[0]) == [
        ("Started", "NotReady", None),
        ("InProgress", "Pending", None),
        ("Completed", "FullyGraded", 80.0),
    ]


def test_learner_journey_is_delivered_in_order(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    ids = [enqueue(database, course, STARTED), enqueue(database, course, IN_PROGRESS)]
    ids.append(enqueue(database, course, completed(80)))
    report = delivery.deliver_after_commit(database, ids)
    assert report is not None and report.delivered == ids
    assert received(ags, course.subs[0]) == [
        ("Started", "NotReady", None),
        ("InProgress", "Pending", None),
        ("Completed", "FullyGraded", 80.0),
    ]
    assert ags.score(course.subs[0]) == 80.0
    assert {r.status for r in records(database)} == {"delivered"}
    assert delivery.deliver_pending(database).attempted == 0  # nothing is sent twice


def test_platform_down_for_the_whole_completion_then_worker_delivers_everything_once_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Acceptance: 503s, then connection refused, then `swott worker --once` after the platform is back."""
    from click.testing import CliRunner

    from swott.cli import main

    app = make_app(tmp_path)
    database: Database = app.extensions["swott.db"]
    ags = start_platform(database)
    try:
        course = seed_course(database, ags)
        first = start_and_work_on_while_the_platform_is_down(app, database, course, ags)
        let_time_pass(database)
        later = [enqueue(database, course, SUBMITTED), enqueue(database, course, completed(90))]
        # The inline send takes the learner's due first score along (order first): connection refused.
        report = delivery.deliver_after_commit(app, later)
        assert report is not None and report.retrying == first[:1] and not report.delivered
        # One token request got 503; the refused one never arrived.
        assert ags.accepted() == [] and ags.script.count() == 1

        ags.start()  # back on the same port
        let_time_pass(database)
        monkeypatch.setenv("SWOTT_DATABASE_URL", database.url)
        monkeypatch.setenv("SWOTT_SECRET_KEY", "test-secret-" + "x" * 40)
        result = CliRunner().invoke(main, ["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "Passback: 4 delivered, 0 waiting to retry, 0 failed." in result.output
        assert received(ags, course.subs[0]) == WHOLE_JOURNEY_GRADED_90
        assert ags.script.count("scores") == 4  # exactly once each: no duplicate and no 409
        assert ags.score(course.subs[0]) == 90.0
    finally:
        ags.stop()
        database.dispose()


def test_restarting_the_app_between_completion_and_delivery_loses_nothing(tmp_path: Path) -> None:
    first_app = make_app(tmp_path)
    database: Database = first_app.extensions["swott.db"]
    ags = start_platform(database)
    try:
        course = seed_course(database, ags)
        for values in (STARTED, IN_PROGRESS, completed(70)):
            enqueue(database, course, values)
        enqueue(database, course, STARTED, learner=1)
        database.dispose()  # the process goes away before anything is sent
        del first_app

        second_app = make_app(tmp_path)
        report = delivery.deliver_pending(second_app.extensions["swott.db"])
        assert len(report.delivered) == 4
        assert received(ags, course.subs[0])[-1] == ("Completed", "FullyGraded", 70.0)
        assert received(ags, course.subs[1]) == [("Started", "NotReady", None)]
        second_app.extensions["swott.db"].dispose()
    finally:
        ags.stop()


def test_later_scores_wait_behind_a_retry_while_other_learners_go_ahead(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    ags.script.fail(503, services=SERVICES)
    stuck = enqueue(database, course, STARTED)
    tried_at = utcnow()
    assert delivery.deliver_pending(database, now=tried_at).retrying == [stuck]
    with database.session() as session:
        waiting = session.get(ScoreRecord, stuck)
        assert waiting is not None and waiting.attempts == 1
        assert waiting.last_error == "token request refused: HTTP 503" and waiting.response_status == 503
        assert waiting.next_attempt_at == tried_at + timedelta(seconds=30)  # first backoff step
    ags.script.clear()
    behind = enqueue(database, course, IN_PROGRESS)
    # The request that queued `behind` sends it after commit: it must not overtake the waiting score.
    report = delivery.deliver_after_commit(database, [behind])
    assert report is not None and report.attempted == 0 and ags.accepted() == []
    other = enqueue(database, course, STARTED, learner=1)
    report = delivery.deliver_pending(database)
    # Another learner's score goes first; it shows the platform is back, so learner 0's follow in order.
    assert report.delivered == [other, stuck, behind]
    assert received(ags, course.subs[0]) == [("Started", "NotReady", None), ("InProgress", "Pending", None)]


def test_backoff_grows_and_is_capped() -> None:
    delays = [delivery._backoff(n, None) for n in (1, 2, 3, 8, 50)]
    assert delays == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(hours=1),
        timedelta(hours=1),
    ]
    assert delivery._backoff(1, retry_after=300) == timedelta(minutes=5)  # the platform's Retry-After wins


def test_a_score_the_platform_already_has_counts_as_delivered(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    record_id = enqueue(database, course, completed(60))
    delivery.deliver_pending(database)
    with database.session() as session:  # the process died before it could write "delivered"
        record = session.get(ScoreRecord, record_id)
        assert record is not None
        record.status, record.delivered_at = ScoreStatus.PENDING, None
        session.commit()
    report = delivery.deliver_pending(database)
    assert report.delivered == [record_id]
    assert len(ags.accepted()) == 1  # the platform's gradebook changed once (the repeat got 409)
    [record] = records(database)
    assert record.response_status == 409
    # The 409 was checked against the gradebook (AGS result service) before it counted as delivered.
    assert ags.script.count("results") == 1
    assert "read back" in record.last_error


def test_refused_score_fails_with_a_reason_and_a_facilitator_can_retry_it(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    with database.session() as session:  # the line item was deleted on the platform
        link = session.get(ResourceLink, course.link_id)
        assert link is not None
        link.lineitem_url = ags.lineitem_url(9)
        session.commit()
    refused = enqueue(database, course, STARTED)
    after = enqueue(database, course, IN_PROGRESS)
    report = delivery.deliver_pending(database)
    assert report.failed == [refused, after]  # a failure does not hold later scores back forever
    with database.session() as session:
        [first, _second] = outbox.undelivered(session, course.context_id)
        assert (first.record_id, first.status, first.last_error) == (refused, "failed", "score refused: HTTP 404")
        assert first.user_name == "Learner 0"
        assert outbox.undelivered(session, course.context_id + 1) == []
        with pytest.raises(LookupError):
            outbox.retry(session, refused, context_id=course.context_id + 1)  # another course's facilitator
        link = session.get(ResourceLink, course.link_id)
        assert link is not None
        link.lineitem_url = ags.lineitem_url(1)  # the facilitator restored the grade item
        outbox.retry(session, refused, context_id=course.context_id)
        outbox.retry(session, after, context_id=course.context_id)
        session.commit()
    assert delivery.deliver_pending(database).delivered == [refused, after]
    with database.session() as session:
        assert outbox.undelivered(session, course.context_id) == []


def test_line_item_is_created_once_when_the_launch_had_none(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags, with_lineitem=False)
    enqueue(database, course, STARTED, learner=0)
    enqueue(database, course, STARTED, learner=1)
    assert len(delivery.deliver_pending(database).delivered) == 2
    [item] = ags.platform.line_items()
    assert item.resource_link_id == "rl-42"
    assert item.resource_id == "participatory-practice:l1"
    with database.session() as session:
        link = session.get(ResourceLink, course.link_id)
        assert link is not None and link.lineitem_url == ags.lineitem_url(1)


def test_no_grade_service_in_the_launch_fails_with_a_reason(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags, scopes=[])
    enqueue(database, course, STARTED)
    delivery.deliver_pending(database)
    [record] = records(database)
    assert record.status == "failed"
    assert "no AGS score scope" in record.last_error
    assert ags.script.count() == 0


def test_one_token_for_many_scores(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags, learners=5)
    for learner in range(5):
        for values in (STARTED, IN_PROGRESS, completed(50 + learner)):
            enqueue(database, course, values, learner=learner)
    assert len(delivery.deliver_pending(database).delivered) == 15
    assert len(ags.platform.token_requests) == 1


@pytest.mark.postgres
def test_two_workers_on_postgres_never_send_a_score_twice(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    database = Database(postgres_url)
    ags = start_platform(database)
    ags.script.slow(0.03)  # each score post takes a moment, so the two workers overlap
    try:
        course = seed_course(database, ags, learners=4)
        for step in range(6):
            for learner in range(4):
                enqueue(database, course, completed(step * 10 + 5), learner=learner)
        barrier = threading.Barrier(2)
        reports: list[delivery.DeliveryReport] = []

        def worker() -> None:
            own = Database(postgres_url)
            service = GradeService(AccessTokens(own))
            try:
                barrier.wait()
                reports.append(delivery.deliver_pending(own, grades=service, batch=1))
            finally:
                own.dispose()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        delivered = [i for report in reports for i in report.delivered]
        assert sorted(delivered) == list(range(1, 25))  # every record delivered by exactly one worker
        assert all(report.delivered for report in reports)  # and both workers did share the work
        assert ags.script.count("scores") == 24  # the platform saw each score once: no duplicate, no 409
        for sub in course.subs:
            stamps = [s["timestamp"] for s in ags.accepted(sub)]
            assert len(stamps) == 6 and stamps == sorted(stamps)
        with database.session() as session:
            assert set(session.scalars(select(ScoreRecord.status))) == {"delivered"}
    finally:
        ags.stop()
        database.dispose()


def test_two_scores_queued_in_the_same_second_by_concurrent_requests_both_arrive(
    database: Database, ags: SandboxLms
) -> None:
    course = seed_course(database, ags)
    first = enqueue(database, course, IN_PROGRESS)
    second = enqueue(database, course, completed(95))
    with database.session() as session:  # two requests that committed at the same moment
        a, b = session.get(ScoreRecord, first), session.get(ScoreRecord, second)
        assert a is not None and b is not None
        b.timestamp = a.timestamp
        session.commit()
    assert delivery.deliver_pending(database).delivered == [first, second]
    assert ags.script.count("scores") == 2  # no 409: the second was moved one second on before sending
    assert ags.score(course.subs[0]) == 95.0


def test_a_retried_old_score_does_not_overwrite_a_newer_grade(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    old = enqueue(database, course, completed(40))
    with database.session() as session:
        record = session.get(ScoreRecord, old)
        assert record is not None
        record.status, record.last_error = (
            ScoreStatus.FAILED,
            "score refused: HTTP 400",
        )  # failed for a reason since fixed
        session.commit()
    enqueue(database, course, completed(90))
    delivery.deliver_pending(database)
    with database.session() as session:
        outbox.retry(session, old, context_id=course.context_id)
        session.commit()
    assert delivery.deliver_pending(database).delivered == [old]  # the platform answered 409: it has newer
    assert ags.score(course.subs[0]) == 90.0
    assert ags.script.count("results") == 1  # and its gradebook shows the newer score, so nothing is "not delivered"


@pytest.mark.postgres
def test_outage_and_app_restart_on_postgres_lose_nothing(postgres_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path, database_url=postgres_url)
    database: Database = app.extensions["swott.db"]
    ags = start_platform(database)
    try:
        course = seed_course(database, ags)
        first = start_and_work_on_while_the_platform_is_down(app, database, course, ags)
        enqueue(database, course, SUBMITTED)
        enqueue(database, course, completed(90))
        let_time_pass(database)
        assert delivery.deliver_pending(database).retrying == first[:1]
        database.dispose()  # the app goes away with everything undelivered

        restarted = make_app(tmp_path, database_url=postgres_url).extensions["swott.db"]
        ags.start()
        let_time_pass(restarted)
        assert len(delivery.deliver_pending(restarted).delivered) == 4
        assert received(ags, course.subs[0]) == WHOLE_JOURNEY_GRADED_90
        assert ags.script.count("scores") == 4
        restarted.dispose()
    finally:
        ags.stop()
        database.dispose()


def test_old_delivered_progress_scores_are_pruned_but_grades_and_undelivered_kept(
    database: Database, ags: SandboxLms
) -> None:
    course = seed_course(database, ags)
    for step in (STARTED, IN_PROGRESS, completed(70)):
        enqueue(database, course, step)
    delivery.deliver_pending(database)
    ags.script.fail(503, services=SERVICES)
    enqueue(database, course, STARTED, learner=1)
    delivery.deliver_pending(database)
    with database.session() as session:
        assert outbox.prune_delivered(session) == 0  # nothing is old yet
        removed = outbox.prune_delivered(session, now=utcnow() + outbox.RETENTION + timedelta(days=1))
        session.commit()
    assert removed == 2
    assert [(r.grading_progress, r.status) for r in records(database)] == [
        ("FullyGraded", "delivered"),
        ("NotReady", "pending"),
    ]


def test_token_cache_down_means_retry_later_not_a_lost_score(database: Database, ags: SandboxLms) -> None:
    course = seed_course(database, ags)
    record_id = enqueue(database, course, STARTED)
    nowhere = GradeService(AccessTokens(database, redis_url="redis://127.0.0.1:9/0"))  # nothing listens there
    try:
        report = delivery.deliver_pending(database, grades=nowhere)
    finally:
        nowhere.tokens.close()
        nowhere.http.close()
    assert report.retrying == [record_id]
    [record] = records(database)
    assert record.status == "pending" and record.last_error.startswith("token cache unavailable")
    assert ags.script.count() == 0
    assert delivery.deliver_pending(database, now=utcnow() + timedelta(minutes=1)).delivered == [record_id]


def test_when_the_platform_answers_again_waiting_scores_do_not_sit_out_their_backoff(
    database: Database, ags: SandboxLms
) -> None:
    course = seed_course(database, ags, learners=3)
    ags.script.fail(503, services=SERVICES)
    waiting = [enqueue(database, course, STARTED, learner=0), enqueue(database, course, STARTED, learner=1)]
    assert delivery.deliver_pending(database).retrying == waiting
    ags.script.clear()
    fresh = enqueue(database, course, STARTED, learner=2)  # someone works on: their score is due at once
    report = delivery.deliver_pending(database)  # no time has passed
    assert report.delivered == [fresh, *waiting]
    assert len(ags.accepted()) == 3


def test_sending_after_commit_takes_the_learners_earlier_unsent_scores_along(
    database: Database, ags: SandboxLms
) -> None:
    course = seed_course(database, ags)
    earlier = enqueue(database, course, STARTED)  # its request died before sending it
    unrelated = enqueue(database, course, STARTED, learner=1)
    latest = enqueue(database, course, IN_PROGRESS)
    report = delivery.deliver_after_commit(database, [latest])
    assert report is not None and report.delivered == [earlier, latest]
    assert [r.status for r in records(database) if r.id == unrelated] == ["pending"]  # left for the worker
