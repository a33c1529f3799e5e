"""Reports for leads: nothing from a group of 4, figures from a group of 5, the CSV the same as the page."""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from lti_tool.services import l2 as l2_sessions
from lti_tool.services.evaluation import chart, feedback, reports, responses
from tests.lti_tool.evaluation.support import T0, answer_both
from tests.lti_tool.factories import make_course
from tests.lti_tool.l1_factories import RecordingOutbox
from tests.lti_tool.l2_factories import run_closed_session, toolkit
from toolkits.model import Phase


def test_four_respondents_show_nothing_and_five_show_the_change(session: Session) -> None:
    course = make_course(session, learners=6)
    ratings = [(1, 3), (2, 4), (2, 2), (3, 5), (1, 4)]
    for user, (before, after) in zip(course.learners[:4], ratings, strict=False):
        answer_both(session, course, user, before, after, text=f"Secret words of {user.name}", share=True)
    four = reports.build(session, toolkit=toolkit(), context_ids=[course.context.id])
    assert (four.paired, four.outcomes, four.before_comments, four.after_comments) == (4, None, (), ())
    text4 = reports.to_csv(four)
    assert reports.NOT_ENOUGH in text4 and "Secret words" not in text4
    assert "Confidence before" not in text4

    answer_both(session, course, course.learners[4], *ratings[4], text="Nothing to say about Mr Smith", share=True)
    five = reports.build(session, toolkit=toolkit(), context_ids=[course.context.id])
    assert five.paired == 5 and five.outcomes is not None
    first = five.outcomes[0]
    assert first.before.counts == (2, 2, 1, 0, 0) and first.after.counts == (0, 1, 1, 2, 1)
    assert (first.raised, first.same, first.lowered) == (4, 1, 0)
    assert round(first.change, 1) == round(3.6 - 1.8, 1)
    # Shared words appear, alphabetically, without names attached, and a name in them is flagged.
    flagged = [c for c in five.after_comments if "Mr Smith" in c.text]
    assert flagged and "a name" in flagged[0].flags
    assert len(five.before_comments) == 5


def test_unshared_words_are_never_shown(session: Session) -> None:
    course = make_course(session, learners=5)
    for user in course.learners:
        answer_both(session, course, user, 2, 4, text=f"Private note {user.id}", share=False)
    report = reports.build(session, toolkit=toolkit(), context_ids=[course.context.id])
    assert report.outcomes is not None
    assert report.before_comments == () and report.after_comments == ()


def test_the_csv_holds_the_same_figures_as_the_report(session: Session) -> None:
    course = make_course(session, learners=5)
    for index, user in enumerate(course.learners):
        answer_both(session, course, user, 1 + index % 2, 3 + index % 3)
    report = reports.build(session, toolkit=toolkit(), context_ids=[course.context.id])
    assert report.outcomes is not None
    rows = list(csv.reader(io.StringIO(reports.to_csv(report))))
    assert rows[0][0] == "Section"
    before_rows = [r for r in rows if r[0] == "Confidence before"]
    assert len(before_rows) == len(report.outcomes)
    for row, outcome in zip(before_rows, report.outcomes, strict=True):
        assert [int(v) for v in row[3:8]] == list(outcome.before.counts)
        assert row[8] == f"{outcome.before.mean:.1f}"
    assert rows[4][:3] == ["Response rate", "Answered both", "5"]


def test_session_feedback_needs_five_answers(session: Session) -> None:
    course = make_course(session, learners=5)
    group = run_closed_session(session, course, course.learners, RecordingOutbox())
    for user, score in zip(course.learners[:4], (5, 4, 4, 3), strict=True):
        feedback.give(session, group, user_id=user.id, usefulness=score, change_text="Longer breaks",
                      share_text=True, now=T0)  # fmt: skip
    early = reports.build(session, toolkit=toolkit(), context_ids=[course.context.id]).feedback
    assert early is not None and early.usefulness is None
    feedback.give(session, group, user_id=course.learners[4].id, usefulness=2, change_text="", share_text=False,
                  now=T0)  # fmt: skip
    summary = reports.build(session, toolkit=toolkit(), context_ids=[course.context.id]).feedback
    assert summary is not None and summary.usefulness is not None and summary.usefulness.counts == (0, 1, 1, 2, 1)
    assert [c.text for c in summary.comments] == ["Longer breaks"] * 4
    assert feedback.awaiting(session, user_id=course.learners[0].id, context_id=course.context.id,
                             toolkit_id=toolkit().id) == []  # fmt: skip
    assert l2_sessions.participant(session, group, course.learners[0].id) is not None


def test_skipping_is_kept_and_the_learner_is_not_asked_again(session: Session) -> None:
    course = make_course(session, learners=1)
    user = course.learners[0]
    ask = {"user_id": user.id, "context_id": course.context.id, "toolkit": toolkit()}
    assert responses.needs_asking(session, **ask, phase=Phase.BEFORE)  # type: ignore[arg-type]
    responses.skip(session, **ask, phase=Phase.BEFORE, now=T0)  # type: ignore[arg-type]
    assert not responses.needs_asking(session, **ask, phase=Phase.BEFORE)  # type: ignore[arg-type]
    # "After" waits for the L2 reflection.
    assert not responses.needs_asking(session, **ask, phase=Phase.AFTER)  # type: ignore[arg-type]
    report = reports.build(session, toolkit=toolkit(), context_ids=[course.context.id])
    assert (report.before_answered, report.before_skipped) == (0, 1)


def test_operator_report_counts_each_council_with_the_same_threshold(session: Session) -> None:
    big, small = make_course(session, learners=5), make_course(session, learners=4)
    for user in big.learners:
        answer_both(session, big, user, 2, 4)
    for user in small.learners:
        answer_both(session, small, user, 1, 5)
    rows = {r.council: r for r in reports.by_council(session, toolkit=toolkit())}
    assert rows[big.platform.name].before_mean == 2.0 and rows[big.platform.name].after_mean == 4.0
    assert rows[small.platform.name].before_mean is None and rows[small.platform.name].paired == 4
    everyone = reports.build(session, toolkit=toolkit(), context_ids=reports.all_context_ids(session, toolkit().id))
    assert everyone.paired == 9 and everyone.outcomes is not None


def test_the_chart_is_an_image_with_a_text_alternative(session: Session) -> None:
    course = make_course(session, learners=5)
    for user in course.learners:
        answer_both(session, course, user, 2, 4)
    report = reports.build(session, toolkit=toolkit(), context_ids=[course.context.id])
    assert report.outcomes is not None
    svg = chart.before_after_svg(report.outcomes)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert "outcome 1: average 2.0 before, 4.0 after" in svg
