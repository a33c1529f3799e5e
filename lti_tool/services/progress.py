"""L1 progress: the attempt of one learner on one resource link, its completion, score and passback.

Plain Python over SQLAlchemy (no Flask), so the rules can be tested without a request.

The rules come from the toolkit (`toolkit.yaml`, `l1:`):
- completion (`l1.completion`, default every part): every page viewed, every knowledge-check question
  answered, the reflection submitted;
- score: the knowledge-check percentage, right questions over all questions, where a question is right
  when exactly its correct options are chosen (`Question.is_correct`). With `l1.retries` a learner
  may answer again, for learning; `l1.scoring` says which answer counts: the first (the default, so a
  wrong-then-right answer is not full marks), the best, or the latest (docs/learning-design.md);
  `l1.pass_mark` says whether that percentage passes;
- options: each learner sees each question's options in their own order, shuffled once for the
  attempt (seeded by attempt and question, and stored in `Attempt.option_orders` when first shown or
  answered), with pinned options in their authored place; feedback, the summary and the learner's
  exported data all use that order;
- the L1 reflection cannot be submitted while `checks` is in the completion rule and a question is
  unanswered (`ChecksOutstanding`), so the gradebook figure always covers every question.

Every change that moves the learner on writes a score record to the outbox *in the same transaction*
(AGS 2.0 §3.4, Score publish service), so a committed step is never without its score; the outbox
skips a score that would not change the gradebook and delivers the rest after commit, off the request:
- the first page viewed: `Started` / `NotReady`;
- later progress while working: `InProgress` / `Pending`, with no `scoreGiven`;
- completion, and any later change of score: `Completed` / `FullyGraded` with `scoreGiven` and
  `scoreMaximum` (always sent: Moodle reads a missing maximum as 1).
After a FullyGraded score nothing else is ever queued for the attempt but FullyGraded scores, because
Moodle blanks the grade when it receives any other gradingProgress.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, NotFound
from lti_tool.models import (
    ActivityProgress,
    Attempt,
    AttemptStatus,
    GradingProgress,
    Reflection,
    ReflectionStatus,
    ResourceLink,
    utcnow,
)
from lti_tool.services import outbox
from lti_tool.services.option_order import option_order as option_order
from lti_tool.services.option_order import ordered_options as ordered_options
from lti_tool.services.option_order import record_option_orders as record_option_orders
from lti_tool.words import Translate as Translate
from lti_tool.words import english as english
from toolkits.model import CompletionPart, Question, QuestionType, ScoringMode, Toolkit

REFLECTION_STEP = "reflection"
L1_COMPLETED = "swott.l1_completed"
"""`Session.info` key: hooks `(session, attempt)` run in the transaction where an attempt becomes
complete (`lti_tool.session_hooks`; e.g. a programme's gradebook line moves). A session without it
(a plain script or a unit test) runs none."""
SCORE_MAXIMUM = 100.0

STARTED = (ActivityProgress.STARTED, GradingProgress.NOT_READY)
IN_PROGRESS = (ActivityProgress.IN_PROGRESS, GradingProgress.PENDING)
COMPLETED = (ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED)


class EnqueueScore(Protocol):
    """The outbox's `enqueue_score`: writes a score record in the caller's transaction."""

    def __call__(
        self,
        session: Session,
        *,
        resource_link_id: int,
        user_id: int,
        score_given: float | None,
        score_maximum: float,
        activity_progress: str,
        grading_progress: str,
        comment: str = "",
    ) -> Any: ...


@dataclass(frozen=True)
class Position:
    """Where a learner is in L1, for the progress indicator."""

    number: int
    total: int
    minutes_left: int

    def describe(self, gettext: Translate | None = None) -> str:
        """'Page 3 of 10 — about 40 minutes left', the indicator's sentence (in the page's language when
        the view passes its `gettext`)."""
        gettext = gettext or english
        if self.minutes_left <= 0:
            return gettext("Page %(number)s of %(total)s — nearly done", number=self.number, total=self.total)
        if self.minutes_left < 5:
            return gettext(
                "Page %(number)s of %(total)s — less than 5 minutes left", number=self.number, total=self.total
            )
        return gettext(
            "Page %(number)s of %(total)s — about %(minutes)s minutes left",
            number=self.number,
            total=self.total,
            minutes=self.minutes_left,
        )


@dataclass(frozen=True)
class Score:
    right: int
    total: int

    @property
    def percent(self) -> float:
        """Right questions over all questions; 100 when L1 has no questions (nothing to get wrong)."""
        return round(100.0 * self.right / self.total, 2) if self.total else 100.0


@dataclass(frozen=True)
class AnswerOutcome:
    """What the learner chose for one question and whether it was right."""

    question: Question
    chosen: frozenset[str]
    correct: bool
    can_retry: bool


class ChecksOutstanding(BadRequest):
    """The L1 reflection was submitted with knowledge-check questions still unanswered."""

    def __init__(self, pages: list[tuple[str, str, int]]) -> None:
        count = sum(n for _, _, n in pages)
        super().__init__(
            f"You can submit your reflection once you have answered every knowledge-check question: "
            f"{count} {'is' if count == 1 else 'are'} still unanswered.",
            reason="checks_outstanding",
            advice="What you wrote is still in the boxes: save it as a draft, answer the questions on the "
            "pages listed, then submit.",
        )
        # (page id, page title, unanswered questions on it), in page order.
        self.pages = pages


def steps(toolkit: Toolkit) -> tuple[str, ...]:
    """The steps of L1 in order: each page, then the reflection."""
    return (*(p.id for p in toolkit.l1.pages), REFLECTION_STEP)


def step_title(toolkit: Toolkit, step: str) -> str:
    if step == REFLECTION_STEP:
        return toolkit.l1.reflection.title
    page = toolkit.l1.page(step)
    return page.title if page is not None else step


def find_attempt(session: Session, *, user_id: int, resource_link_id: int, for_update: bool = False) -> Attempt | None:
    query = select(Attempt).where(Attempt.user_id == user_id, Attempt.resource_link_id == resource_link_id)
    return session.scalar(query.with_for_update() if for_update else query)


def open_attempt(
    session: Session, *, user_id: int, link: ResourceLink, toolkit: Toolkit, for_update: bool = False
) -> Attempt:
    """The learner's attempt on this link, created (not yet started) on first use.

    `for_update` locks the row until commit (PostgreSQL), so two tabs answering at once cannot lose
    one another's answers in the read-modify-write of the JSON columns.
    """
    attempt = find_attempt(session, user_id=user_id, resource_link_id=link.id, for_update=for_update)
    if attempt is None:
        attempt = new_attempt(user_id, link, toolkit)
        session.add(attempt)
        session.flush()
    return attempt


def new_attempt(user_id: int, link: ResourceLink, toolkit: Toolkit) -> Attempt:
    """A learner's attempt before their first step, its columns as a saved one starts (not yet added)."""
    return Attempt(
        user_id=user_id,
        resource_link_id=link.id,
        toolkit_id=toolkit.id,
        current_page="",
        pages_viewed=[],
        answers={},
        answer_counts={},
        notes={},
        option_orders={},
        first_answers={},
        right_once=[],
        status=AttemptStatus.IN_PROGRESS,
        graded=False,
    )


def resume_step(attempt: Attempt, toolkit: Toolkit) -> str:
    """The step the learner stopped on; the first step for a new attempt (or a page since removed)."""
    all_steps = steps(toolkit)
    return attempt.current_page if attempt.current_page in all_steps else all_steps[0]


def position(attempt: Attempt, toolkit: Toolkit, step: str) -> Position:
    """Page n of N, and the minutes left, shared out evenly over the steps from this one on."""
    all_steps = steps(toolkit)
    index = all_steps.index(step) if step in all_steps else 0
    remaining = len(all_steps) - index
    minutes = toolkit.l1.minutes * remaining / len(all_steps)
    # Round up to a multiple of 5 beyond 10 minutes: a precise-looking "37 minutes" promises too much.
    rounded = math.ceil(minutes) if minutes <= 10 else 5 * math.ceil(minutes / 5)
    return Position(index + 1, len(all_steps), rounded)


def reflection_submitted(session: Session, attempt: Attempt) -> bool:
    status = session.scalar(
        select(Reflection.status).where(
            Reflection.user_id == attempt.user_id, Reflection.resource_link_id == attempt.resource_link_id
        )
    )
    return status == ReflectionStatus.SUBMITTED


def counts_as_right(attempt: Attempt, toolkit: Toolkit, question: Question) -> bool:
    """Whether `question` counts as right in the score, under the toolkit's `l1.scoring` mode."""
    latest = attempt.answers.get(question.id)
    if latest is None:
        return False
    mode = toolkit.l1.scoring
    if mode is ScoringMode.LATEST:
        return question.is_correct(set(latest))
    if mode is ScoringMode.BEST:
        return question.id in (attempt.right_once or []) or question.is_correct(set(latest))
    first = (attempt.first_answers or {}).get(question.id, latest)
    return question.is_correct(set(first))


def score(attempt: Attempt, toolkit: Toolkit) -> Score:
    questions = toolkit.l1.questions
    right = sum(1 for q in questions if counts_as_right(attempt, toolkit, q))
    return Score(right, len(questions))


def scoring_note(toolkit: Toolkit, gettext: Translate | None = None) -> str:
    """One sentence for the learner on which answer counts toward their score."""
    gettext = gettext or english
    if not toolkit.l1.retries:
        return gettext("You can answer each question once; that answer counts toward your score.")
    if toolkit.l1.scoring is ScoringMode.FIRST:
        return gettext(
            "Your first answer to each question counts toward your score. You can try again to learn from "
            "the feedback, but a later answer does not change the score."
        )
    if toolkit.l1.scoring is ScoringMode.BEST:
        return gettext("A question counts as right in your score once you have answered it right.")
    return gettext("Your latest answer to each question counts toward your score.")


def completion_rule(toolkit: Toolkit, gettext: Translate | None = None) -> str:
    """What completes this L1, in one sentence, as `l1.completion` states it. Each combination is a
    whole sentence, so a translation never glues pieces together (docs/welsh.md)."""
    gettext = gettext or english
    parts = toolkit.l1.completion
    pages, checks, reflection = (
        p in parts for p in (CompletionPart.PAGES, CompletionPart.CHECKS, CompletionPart.REFLECTION)
    )
    if pages and checks and reflection:
        return gettext(
            "To complete this module, view every page, answer every knowledge-check question and submit your "
            "reflection."
        )
    if pages and checks:
        return gettext("To complete this module, view every page and answer every knowledge-check question.")
    if pages and reflection:
        return gettext("To complete this module, view every page and submit your reflection.")
    if checks and reflection:
        return gettext("To complete this module, answer every knowledge-check question and submit your reflection.")
    if pages:
        return gettext("To complete this module, view every page.")
    if checks:
        return gettext("To complete this module, answer every knowledge-check question.")
    if reflection:
        return gettext("To complete this module, submit your reflection.")
    return gettext("This module has no completion rule.")


def unanswered_by_page(attempt: Attempt, toolkit: Toolkit) -> list[tuple[str, str, int]]:
    """(page id, title, unanswered questions) for each check page with a question left, in order."""
    left: list[tuple[str, str, int]] = []
    for page in toolkit.l1.pages:
        missing = sum(1 for q in page.questions if q.id not in attempt.answers)
        if missing:
            left.append((page.id, page.title, missing))
    return left


def require_checks_answered(attempt: Attempt, toolkit: Toolkit) -> None:
    """Refuse the L1 reflection while a question is unanswered, when the completion rule needs checks."""
    if CompletionPart.CHECKS not in toolkit.l1.completion:
        return
    left = unanswered_by_page(attempt, toolkit)
    if left:
        raise ChecksOutstanding(left)


def outstanding(attempt: Attempt, toolkit: Toolkit, submitted: bool, gettext: Translate | None = None) -> list[str]:
    """What is left before L1 counts as complete, in plain sentences (empty when complete)."""
    gettext = gettext or english
    parts = toolkit.l1.completion
    left: list[str] = []
    if CompletionPart.PAGES in parts:
        unseen = [p for p in toolkit.l1.pages if p.id not in attempt.pages_viewed]
        if unseen:
            many = len(unseen) != 1
            if many:
                left.append(gettext("view %(n)s more pages", n=len(unseen)))
            else:
                left.append(gettext("view %(n)s more page", n=len(unseen)))
    if CompletionPart.CHECKS in parts:
        unanswered = [q for q in toolkit.l1.questions if q.id not in attempt.answers]
        if unanswered:
            many = len(unanswered) != 1
            if many:
                left.append(gettext("answer %(n)s more questions", n=len(unanswered)))
            else:
                left.append(gettext("answer %(n)s more question", n=len(unanswered)))
    if CompletionPart.REFLECTION in parts and not submitted:
        left.append(gettext("submit your reflection"))
    return left


def percent_done(attempt: Attempt, toolkit: Toolkit, submitted: bool) -> int:
    """How far through the completion rule the learner is, for the facilitator's roster."""
    parts = toolkit.l1.completion
    done = total = 0
    if CompletionPart.PAGES in parts:
        total += len(toolkit.l1.pages)
        done += sum(1 for p in toolkit.l1.pages if p.id in attempt.pages_viewed)
    if CompletionPart.CHECKS in parts:
        total += len(toolkit.l1.questions)
        done += sum(1 for q in toolkit.l1.questions if q.id in attempt.answers)
    if CompletionPart.REFLECTION in parts:
        total += 1
        done += int(submitted)
    return 100 if total == 0 else math.floor(100 * done / total)


def view_step(
    session: Session, attempt: Attempt, toolkit: Toolkit, step: str, enqueue: EnqueueScore | None = None
) -> None:
    """Record that the learner is on `step`: resume point, pages viewed, and the score it implies."""
    if step not in steps(toolkit):
        raise NotFound("There is no such page in this module.", reason="unknown_page")
    first_ever = not attempt.pages_viewed
    attempt.current_page = step
    page = toolkit.l1.page(step)
    if page is not None and page.questions:
        record_option_orders(attempt, page.questions)
    if step in attempt.pages_viewed:
        return
    attempt.pages_viewed = [*attempt.pages_viewed, step]
    _progress_changed(session, attempt, toolkit, started=first_ever, enqueue=enqueue)


def answer_question(
    session: Session,
    attempt: Attempt,
    toolkit: Toolkit,
    question_id: str,
    chosen: set[str] | frozenset[str],
    enqueue: EnqueueScore | None = None,
) -> AnswerOutcome:
    """Record an answer (the latest counts when retries are allowed) and report whether it is right."""
    question = next((q for q in toolkit.l1.questions if q.id == question_id), None)
    if question is None:
        raise NotFound("There is no such question in this module.", reason="unknown_question")
    valid = {o.id for o in question.options}
    chosen = frozenset(chosen)
    if not chosen:
        raise BadRequest("Choose an answer before checking it.", reason="no_answer")
    if not chosen <= valid or (question.type is QuestionType.SINGLE and len(chosen) != 1):
        raise BadRequest("That answer is not one of the options.", reason="bad_answer")
    if question.id in attempt.answers and not toolkit.l1.retries:
        raise BadRequest(
            "You have already answered this question, and this module does not allow changing answers.",
            reason="no_retries",
        )
    record_option_orders(attempt, (question,))
    if question.id not in (attempt.first_answers or {}):
        attempt.first_answers = {**(attempt.first_answers or {}), question.id: sorted(chosen)}
    if question.is_correct(chosen) and question.id not in (attempt.right_once or []):
        attempt.right_once = [*(attempt.right_once or []), question.id]
    attempt.answers = {**attempt.answers, question.id: sorted(chosen)}
    attempt.answer_counts = {**attempt.answer_counts, question.id: attempt.answer_counts.get(question.id, 0) + 1}
    _progress_changed(session, attempt, toolkit, started=not attempt.pages_viewed, enqueue=enqueue)
    return AnswerOutcome(question, chosen, question.is_correct(chosen), toolkit.l1.retries)


def last_answer(attempt: Attempt, toolkit: Toolkit, question_id: str) -> AnswerOutcome | None:
    question = next((q for q in toolkit.l1.questions if q.id == question_id), None)
    if question is None or question_id not in attempt.answers:
        return None
    chosen = frozenset(attempt.answers[question_id])
    return AnswerOutcome(question, chosen, question.is_correct(chosen), toolkit.l1.retries)


def reflection_was_submitted(
    session: Session, attempt: Attempt, toolkit: Toolkit, enqueue: EnqueueScore | None = None
) -> None:
    """Called by the reflection service in the transaction that submits the reflection."""
    _progress_changed(session, attempt, toolkit, started=not attempt.pages_viewed, enqueue=enqueue)


def _progress_changed(
    session: Session, attempt: Attempt, toolkit: Toolkit, *, started: bool, enqueue: EnqueueScore | None
) -> None:
    send: EnqueueScore = enqueue or outbox.enqueue_score
    result = score(attempt, toolkit)
    # The reflection's status is read only once every other part is done: while a page or a question
    # is outstanding the learner is not complete whatever it says, and a page step saves a query
    # (issue 15: a page step is one read, one write per changed row and the score).
    if not outstanding(attempt, toolkit, True) and not outstanding(
        attempt, toolkit, reflection_submitted(session, attempt)
    ):
        newly = attempt.status != AttemptStatus.COMPLETED
        changed = newly or attempt.score_percent != result.percent
        attempt.status = AttemptStatus.COMPLETED
        attempt.completed_at = attempt.completed_at or utcnow()
        attempt.score_percent = result.percent
        attempt.passed = result.percent >= toolkit.l1.pass_mark
        if changed:
            verdict = "passed" if attempt.passed else "not yet passed"
            comment = (
                f"Knowledge checks {result.right} of {result.total} right; "
                f"pass mark {toolkit.l1.pass_mark}%: {verdict}."
            )
            _enqueue(session, send, attempt, COMPLETED, result.percent, comment)
        attempt.graded = True
        if newly:
            for hook in session.info.get(L1_COMPLETED, ()):
                hook(session, attempt)
        return
    if attempt.graded:
        # Moodle blanks a grade on any score that is not FullyGraded: once graded, stay silent.
        return
    _enqueue(session, send, attempt, STARTED if started else IN_PROGRESS, None, "")


def _enqueue(
    session: Session,
    send: EnqueueScore,
    attempt: Attempt,
    progress: tuple[str, str],
    score_given: float | None,
    comment: str,
) -> None:
    session.flush()
    record = send(
        session,
        resource_link_id=attempt.resource_link_id,
        user_id=attempt.user_id,
        score_given=score_given,
        score_maximum=SCORE_MAXIMUM,
        activity_progress=progress[0],
        grading_progress=progress[1],
        comment=comment,
    )
    del record  # None when the gradebook would not change; delivery after commit is the outbox's
