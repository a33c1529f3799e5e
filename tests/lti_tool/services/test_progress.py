"""L1 progress: resume point, completion rule, knowledge-check score, and the scores queued for AGS."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, NotFound
from lti_tool.services import progress, reflections
from tests.lti_tool.l1_factories import Learner, RecordingOutbox, make_learner, migrated_database
from toolkits.model import CompletionPart, ScoringMode, Toolkit

RIGHT = {"q-one": {"a"}, "q-two": {"a", "b"}}
WRONG = {"q-one": {"b"}, "q-two": {"c"}}


def _submit_reflection(session: Session, learner: Learner, toolkit: Toolkit, outbox: RecordingOutbox) -> None:
    values = {f.id: "text" for f in reflections.form_fields(toolkit)} | {"cpd_date": "2026-11-20"}
    reflections.submit(
        session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values=values, version=0, enqueue=outbox
    )


def _do_everything(
    session: Session, learner: Learner, toolkit: Toolkit, outbox: RecordingOutbox, answers: dict[str, set[str]]
) -> None:
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    for step in progress.steps(toolkit):
        progress.view_step(session, attempt, toolkit, step, enqueue=outbox)
    for qid, chosen in answers.items():
        progress.answer_question(session, attempt, toolkit, qid, chosen, enqueue=outbox)
    _submit_reflection(session, learner, toolkit, outbox)


def test_a_new_attempt_starts_on_the_first_page_and_resumes_where_the_learner_stopped(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    outbox = RecordingOutbox()
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    assert progress.resume_step(attempt, toolkit) == "01-intro"
    progress.view_step(session, attempt, toolkit, "01-intro", enqueue=outbox)
    progress.view_step(session, attempt, toolkit, "02-check", enqueue=outbox)
    session.commit()
    again = progress.find_attempt(session, user_id=learner.user.id, resource_link_id=learner.link.id)
    assert again is not None and progress.resume_step(again, toolkit) == "02-check"


def test_first_page_queues_started_and_later_pages_in_progress_without_a_score(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    outbox = RecordingOutbox()
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    progress.view_step(session, attempt, toolkit, "01-intro", enqueue=outbox)
    progress.view_step(session, attempt, toolkit, "02-check", enqueue=outbox)
    progress.view_step(session, attempt, toolkit, "01-intro", enqueue=outbox)  # revisiting is not progress
    assert outbox.progress == [("Started", "NotReady"), ("InProgress", "Pending")]
    assert all(s["score_given"] is None and s["score_maximum"] == 100 for s in outbox.scores)
    assert {(s["user_id"], s["resource_link_id"]) for s in outbox.scores} == {(learner.user.id, learner.link.id)}


def test_completion_needs_every_page_every_question_and_the_submitted_reflection(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    outbox = RecordingOutbox()
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    for step in progress.steps(toolkit):
        progress.view_step(session, attempt, toolkit, step, enqueue=outbox)
    progress.answer_question(session, attempt, toolkit, "q-one", {"a"}, enqueue=outbox)
    assert progress.outstanding(attempt, toolkit, submitted=False) == [
        "answer 1 more question",
        "submit your reflection",
    ]
    progress.answer_question(session, attempt, toolkit, "q-two", {"a", "b"}, enqueue=outbox)
    assert attempt.status == "in_progress"
    _submit_reflection(session, learner, toolkit, outbox)
    assert attempt.status == "completed" and attempt.completed_at is not None
    assert outbox.progress[-1] == ("Completed", "FullyGraded")
    assert "Completed" not in [p for p, _ in outbox.progress[:-1]]


@pytest.mark.parametrize(
    ("answers", "percent", "passed"),
    [(RIGHT, 100.0, True), ({"q-one": {"a"}, "q-two": {"a"}}, 50.0, True), (WRONG, 0.0, False)],
)
def test_score_is_the_knowledge_check_percentage_and_pass_follows_the_pass_mark(
    session: Session,
    learner: Learner,
    toolkit: Toolkit,
    answers: dict[str, set[str]],
    percent: float,
    passed: bool,
) -> None:
    outbox = RecordingOutbox()
    _do_everything(session, learner, toolkit, outbox, answers)
    final = outbox.scores[-1]
    assert (final["score_given"], final["score_maximum"]) == (percent, 100.0)
    attempt = progress.find_attempt(session, user_id=learner.user.id, resource_link_id=learner.link.id)
    assert attempt is not None and attempt.score_percent == percent and attempt.passed is passed


def test_a_partly_right_multiple_choice_answer_is_wrong(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    outcome = progress.answer_question(session, attempt, toolkit, "q-two", {"a"}, enqueue=RecordingOutbox())
    assert not outcome.correct and outcome.can_retry


def test_after_a_grade_only_fully_graded_scores_are_queued(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    # With `scoring: latest` a retry can change the score after grading (the default, first, cannot).
    toolkit = replace(toolkit, l1=replace(toolkit.l1, scoring=ScoringMode.LATEST))
    outbox = RecordingOutbox()
    _do_everything(session, learner, toolkit, outbox, WRONG)
    graded_at = len(outbox.scores)
    attempt = progress.find_attempt(session, user_id=learner.user.id, resource_link_id=learner.link.id)
    assert attempt is not None
    progress.view_step(session, attempt, toolkit, "01-intro", enqueue=outbox)
    progress.answer_question(session, attempt, toolkit, "q-one", {"a"}, enqueue=outbox)  # a retry, now right
    progress.answer_question(session, attempt, toolkit, "q-one", {"a"}, enqueue=outbox)  # same score again
    later = outbox.scores[graded_at:]
    assert [(s["activity_progress"], s["grading_progress"], s["score_given"]) for s in later] == [
        ("Completed", "FullyGraded", 50.0)
    ]


def test_without_retries_an_answer_cannot_be_changed(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    strict = replace(toolkit, l1=replace(toolkit.l1, retries=False))
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=strict)
    progress.answer_question(session, attempt, strict, "q-one", {"b"}, enqueue=RecordingOutbox())
    with pytest.raises(BadRequest) as refused:
        progress.answer_question(session, attempt, strict, "q-one", {"a"}, enqueue=RecordingOutbox())
    assert refused.value.reason == "no_retries"
    assert attempt.answers["q-one"] == ["b"]


@pytest.mark.parametrize(("question", "chosen"), [("q-one", {"a", "b"}), ("q-one", {"z"}), ("q-two", set())])
def test_impossible_answers_are_refused(
    session: Session, learner: Learner, toolkit: Toolkit, question: str, chosen: set[str]
) -> None:
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    with pytest.raises(BadRequest):
        progress.answer_question(session, attempt, toolkit, question, chosen, enqueue=RecordingOutbox())
    assert attempt.answers == {}


def test_unknown_pages_and_questions_are_not_found(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    with pytest.raises(NotFound):
        progress.view_step(session, attempt, toolkit, "../etc/passwd", enqueue=RecordingOutbox())
    with pytest.raises(NotFound):
        progress.answer_question(session, attempt, toolkit, "q-nope", {"a"}, enqueue=RecordingOutbox())


def test_completion_rule_from_the_toolkit_pages_only(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    pages_only = replace(toolkit, l1=replace(toolkit.l1, completion=frozenset({CompletionPart.PAGES})))
    outbox = RecordingOutbox()
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=pages_only)
    for page in pages_only.l1.pages:
        progress.view_step(session, attempt, pages_only, page.id, enqueue=outbox)
    assert attempt.status == "completed"
    assert outbox.scores[-1]["score_given"] == 0.0  # completed, but no question answered right


def test_position_says_page_n_of_total_and_the_minutes_left(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    # mini: 3 pages + the reflection = 4 steps over 60 minutes.
    assert progress.position(attempt, toolkit, "01-intro").describe() == "Page 1 of 4 — about 60 minutes left"
    assert progress.position(attempt, toolkit, "02-check").describe() == "Page 2 of 4 — about 45 minutes left"
    assert progress.position(attempt, toolkit, "reflection").describe() == "Page 4 of 4 — about 15 minutes left"
    ten = replace(toolkit, l1=replace(toolkit.l1, minutes=6))
    assert progress.position(attempt, ten, "reflection").describe() == "Page 4 of 4 — less than 5 minutes left"


def test_percent_done_counts_pages_questions_and_reflection(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    assert progress.percent_done(attempt, toolkit, submitted=False) == 0
    progress.view_step(session, attempt, toolkit, "01-intro", enqueue=RecordingOutbox())
    progress.answer_question(session, attempt, toolkit, "q-one", {"a"}, enqueue=RecordingOutbox())
    # 3 pages + 2 questions + 1 reflection = 6 items; 2 done.
    assert progress.percent_done(attempt, toolkit, submitted=False) == 33


def test_attempts_are_per_learner_and_link(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    colleague = make_learner(session, link=learner.link)
    mine = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    progress.answer_question(session, mine, toolkit, "q-one", {"a"}, enqueue=RecordingOutbox())
    theirs = progress.open_attempt(session, user_id=colleague.user.id, link=learner.link, toolkit=toolkit)
    assert theirs.id != mine.id and theirs.answers == {}


def test_two_tabs_answering_at_once_keep_both_answers_on_postgresql(
    postgres_url: str, tmp_path: Path, toolkit: Toolkit
) -> None:
    """The row lock makes the second writer wait and then build on the first one's answers."""
    db = migrated_database(tmp_path, postgres_url)
    try:
        with db.session() as setup:
            learner = make_learner(setup)
            progress.open_attempt(setup, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
            setup.commit()
            user_id, link = learner.user.id, learner.link
        outcome: dict[str, object] = {}

        def second_tab() -> None:
            with db.session() as tab_b:
                attempt = progress.open_attempt(
                    tab_b, user_id=user_id, link=tab_b.merge(link), toolkit=toolkit, for_update=True
                )
                progress.answer_question(tab_b, attempt, toolkit, "q-two", {"a", "b"}, enqueue=RecordingOutbox())
                tab_b.commit()
                outcome["done"] = True

        with db.session() as tab_a:
            attempt = progress.open_attempt(
                tab_a, user_id=user_id, link=tab_a.merge(link), toolkit=toolkit, for_update=True
            )
            thread = threading.Thread(target=second_tab)
            thread.start()
            thread.join(timeout=1)
            assert thread.is_alive(), "the second tab must wait for the first one's lock"
            progress.answer_question(tab_a, attempt, toolkit, "q-one", {"a"}, enqueue=RecordingOutbox())
            tab_a.commit()
        thread.join(timeout=10)
        assert outcome.get("done")
        with db.session() as check:
            stored = progress.find_attempt(check, user_id=user_id, resource_link_id=link.id)
            assert stored is not None and stored.answers == {"q-one": ["a"], "q-two": ["a", "b"]}
    finally:
        db.dispose()
