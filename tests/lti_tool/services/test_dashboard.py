"""The facilitator dashboard: statuses, deadline highlighting, filters, CSV, privacy and query count."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lti_tool.db import Database
from lti_tool.models import Reflection, utcnow
from lti_tool.services import dashboard, portfolio, progress
from lti_tool.services import l2 as l2_sessions
from tests.lti_tool.factories import make_course
from tests.lti_tool.l1_factories import RecordingOutbox, make_link
from tests.lti_tool.l2_factories import add_learners, finish_l1, l2_values, run_closed_session, start_l1, toolkit

MAX_QUERIES = 15


def _by_id(board: dashboard.Dashboard) -> dict[int, dashboard.Row]:
    return {r.user_id: r for r in board.rows}


def test_each_learner_shows_l1_status_score_and_reflection(session: Session) -> None:
    course = make_course(session, learners=3)
    done, working, idle = course.learners
    finish_l1(session, course, done, score=75.0)
    start_l1(session, course, working, pages=3)
    board = dashboard.build(session, context_id=course.context.id, toolkit=toolkit())
    rows = _by_id(board)
    assert set(rows) == {done.id, working.id, idle.id}  # the facilitator is not a row
    assert (rows[done.id].l1_status, rows[done.id].l1_score, rows[done.id].l1_reflection) == ("completed", 75.0, True)
    assert rows[working.id].l1_status == "in_progress"
    assert 0 < rows[working.id].l1_percent < 100
    assert (rows[working.id].l1_score, rows[working.id].l1_reflection) == (None, False)
    assert (rows[idle.id].l1_status, rows[idle.id].l1_percent) == ("not_started", 0)
    assert board.counts[dashboard.Filter.COMPLETED] == 1
    assert board.counts[dashboard.Filter.ALL] == 3


def test_not_finished_by_the_deadline_is_highlighted(session: Session) -> None:
    course = make_course(session, learners=3)
    on_time, late, never = course.learners
    deadline = utcnow() - timedelta(days=1)
    l2_sessions.set_l1_deadline(session, context_id=course.context.id, toolkit_id=toolkit().id, deadline=deadline)
    finish_l1(session, course, on_time, when=deadline - timedelta(hours=3))
    finish_l1(session, course, late, when=deadline + timedelta(hours=3))
    start_l1(session, course, never)
    board = dashboard.build(session, context_id=course.context.id, toolkit=toolkit())
    rows = _by_id(board)
    assert board.deadline == deadline
    assert (rows[on_time.id].overdue, rows[late.id].overdue, rows[never.id].overdue) == (False, True, True)
    assert {r.user_id for r in board.filtered(dashboard.Filter.OVERDUE)} == {late.id, never.id}


def test_before_the_deadline_nobody_is_overdue(session: Session) -> None:
    course = make_course(session, learners=1)
    l2_sessions.set_l1_deadline(
        session, context_id=course.context.id, toolkit_id=toolkit().id, deadline=utcnow() + timedelta(days=3)
    )
    board = dashboard.build(session, context_id=course.context.id, toolkit=toolkit())
    assert board.counts[dashboard.Filter.OVERDUE] == 0


def test_l2_attendance_and_reflection_and_the_filters(session: Session) -> None:
    kit = toolkit()
    course = make_course(session, learners=4)
    a, b, c, uninvited = course.learners
    for user in (a, b, c):
        finish_l1(session, course, user)
    run_closed_session(session, course, [a, b, c], RecordingOutbox(), absent=1)
    draft = l2_sessions.start_reflection(session, user_id=a.id, link=course.l2, toolkit=kit)
    l2_sessions.submit_reflection(
        session,
        user_id=a.id,
        link=course.l2,
        toolkit=kit,
        values=l2_values("a"),
        version=draft.version,
        enqueue=RecordingOutbox(),
    )
    board = dashboard.build(session, context_id=course.context.id, toolkit=kit)
    rows = _by_id(board)
    assert (rows[a.id].l2_label, rows[a.id].l2_reflection, rows[a.id].finished) == ("Attended", True, True)
    assert (rows[b.id].l2_label, rows[b.id].l2_reflection) == ("Attended", False)
    assert rows[c.id].l2_label == "Did not attend"
    assert rows[uninvited.id].l2_label == "Not invited"
    assert [r.user_id for r in board.filtered(dashboard.Filter.FINISHED)] == [a.id]
    assert [r.user_id for r in board.filtered(dashboard.Filter.L2_REFLECTION_MISSING)] == [b.id]
    assert [r.user_id for r in board.filtered(dashboard.Filter.MISSED_L2)] == [c.id]
    assert dashboard.parse_filter("nonsense") is dashboard.Filter.ALL


def test_csv_has_a_line_per_learner_with_statuses(session: Session) -> None:
    course = make_course(session, learners=2)
    finisher, other = course.learners
    other.name = '=HYPERLINK("http://evil")'
    finish_l1(session, course, finisher, score=90.0)
    board = dashboard.build(session, context_id=course.context.id, toolkit=toolkit())
    lines = list(csv.reader(io.StringIO(dashboard.to_csv(board.rows))))
    assert lines[0] == list(dashboard.CSV_HEADER)
    by_name = {line[0]: line for line in lines[1:]}
    assert by_name[finisher.name][1:4] == ["Completed", "100", "90"]
    assert by_name[finisher.name][5] == "yes"
    # A name that a spreadsheet would run as a formula is defused.
    assert '\'=HYPERLINK("http://evil")' in by_name


def test_the_dashboard_never_loads_reflection_text(session: Session, db: Database) -> None:
    course = make_course(session, learners=1)
    finish_l1(session, course, course.learners[0])
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        board = dashboard.build(session, context_id=course.context.id, toolkit=toolkit())
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert board.rows[0].l1_reflection is True
    assert not any("reflection.fields" in s for s in statements)
    assert "by learner" not in dashboard.to_csv(board.rows)  # no reflection text ever reaches the CSV


def test_another_course_sees_none_of_these_learners(session: Session) -> None:
    course = make_course(session, learners=2)
    finish_l1(session, course, course.learners[0])
    other = make_course(session, learners=1, platform=course.platform)
    board = dashboard.build(session, context_id=other.context.id, toolkit=toolkit())
    assert [r.user_id for r in board.rows] == [other.learners[0].id]


def test_shared_reflections_are_flagged(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    finish_l1(session, course, learner)
    reflection = session.scalars(select(Reflection).where(Reflection.user_id == learner.id)).one()
    portfolio.share(session, reflection_id=reflection.id, user_id=learner.id)
    row = dashboard.build(session, context_id=course.context.id, toolkit=toolkit()).rows[0]
    assert row.l1_reflection_shared is True


def test_a_thousand_learners_take_a_bounded_number_of_queries(session: Session, db: Database) -> None:
    course = make_course(session, learners=0)
    add_learners(session, course, 1000)
    l2_sessions.set_l1_deadline(
        session, context_id=course.context.id, toolkit_id=toolkit().id, deadline=utcnow() - timedelta(days=1)
    )
    session.commit()
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as fresh:
            board = dashboard.build(fresh, context_id=course.context.id, toolkit=toolkit())
            dashboard.to_csv(board.filtered(dashboard.Filter.OVERDUE))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(board.rows) == 1000
    assert board.counts[dashboard.Filter.COMPLETED] == 334
    assert board.counts[dashboard.Filter.NOT_STARTED] == 333
    assert board.counts[dashboard.Filter.OVERDUE] == 666
    assert sum(1 for r in board.rows if r.l1_reflection) == 334
    assert sum(1 for r in board.rows if r.invited_to_l2) == 333
    assert 0 < len(statements) <= MAX_QUERIES, statements


def test_progress_percent_is_the_rule_the_l1_player_uses(session: Session) -> None:
    """The dashboard's bulk percent agrees with `progress.percent_done` for every amount of work."""
    course = make_course(session, learners=len(toolkit().l1.pages))
    attempts = {u.id: start_l1(session, course, u, pages=n + 1) for n, u in enumerate(course.learners)}
    board = dashboard.build(session, context_id=course.context.id, toolkit=toolkit())

    for row in board.rows:
        assert row.l1_percent == progress.percent_done(attempts[row.user_id], toolkit(), False)
    assert len({row.l1_percent for row in board.rows}) > 3


def test_pages_split_the_filtered_learners(session: Session) -> None:
    course = make_course(session, learners=0)
    add_learners(session, course, 250)
    board = dashboard.build(session, context_id=course.context.id, toolkit=toolkit())

    first, last = board.page(dashboard.Filter.ALL, 1, size=100), board.page(dashboard.Filter.ALL, 3, size=100)
    assert (first.number, first.pages, first.total, len(first.rows)) == (1, 3, 250, 100)
    assert (last.number, len(last.rows)) == (3, 50)
    assert board.page(dashboard.Filter.ALL, 99, size=100).number == 3
    assert board.page(dashboard.Filter.ALL, 0, size=100).number == 1
    everyone = [r.user_id for n in (1, 2, 3) for r in board.page(dashboard.Filter.ALL, n, size=100).rows]
    assert everyone == [r.user_id for r in board.rows]
    done = board.page(dashboard.Filter.COMPLETED, 1, size=100)
    assert done.total == board.counts[dashboard.Filter.COMPLETED] == 84
    assert all(r.l1_status is dashboard.L1Status.COMPLETED for r in done.rows)
    assert board.page(dashboard.Filter.FINISHED, 1).rows == [] and board.page(dashboard.Filter.FINISHED, 1).pages == 1


@pytest.mark.parametrize(("value", "number"), [(None, 1), ("", 1), ("2", 2), ("-1", 1), ("x", 1), ("9" * 12, 1)])
def test_page_numbers_from_the_query_string(value: str | None, number: int) -> None:
    assert dashboard.parse_page(value) == number


def test_with_two_l1_placements_the_more_advanced_attempt_counts(session: Session) -> None:
    """A course may place one toolkit's L1 twice: a finished attempt beats an unfinished one, and
    between two unfinished ones the one with more pages viewed counts."""
    course = make_course(session, learners=2)
    second = make_link(session, course.context, toolkit_id=toolkit().id, part="l1")
    on_second = replace(course, links={**course.links, "l1": second})
    finisher, reader = course.learners
    start_l1(session, course, finisher, pages=5)
    finish_l1(session, on_second, finisher, score=90.0)
    start_l1(session, course, reader, pages=2)
    start_l1(session, on_second, reader, pages=6)
    rows = _by_id(dashboard.build(session, context_id=course.context.id, toolkit=toolkit()))

    assert (rows[finisher.id].l1_status, rows[finisher.id].l1_score) == ("completed", 90.0)
    assert rows[reader.id].l1_status == "in_progress"
    expected = progress.percent_done(start_l1(session, course, course.facilitator, pages=6), toolkit(), False)
    assert rows[reader.id].l1_percent == expected
