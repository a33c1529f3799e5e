"""Before and after questionnaires: asked before L1 starts and after the L2 reflection; always skippable.

A skip is stored like an answer (status `skipped`), so the learner is not asked again, and nothing in
L1 or L2 completion ever reads these rows: a questionnaire can never hold up completion.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Answer, EvaluationResponse, LinkPart, Reflection, ReflectionStatus, ResourceLink
from toolkits.model import CONFIDENCE_SCALE, Phase, Questionnaire, Toolkit

MAX_TEXT_CHARS = 2000


class InvalidAnswer(ValueError):
    """A rating outside the scale or text too long (the form checks first; this guards the service)."""


def find(
    session: Session, *, user_id: int, context_id: int, toolkit_id: str, phase: Phase
) -> EvaluationResponse | None:
    return session.scalars(
        select(EvaluationResponse).where(
            EvaluationResponse.user_id == user_id,
            EvaluationResponse.context_id == context_id,
            EvaluationResponse.toolkit_id == toolkit_id,
            EvaluationResponse.phase == phase.value,
        )
    ).first()


def l2_reflection_submitted(session: Session, *, user_id: int, context_id: int, toolkit_id: str) -> bool:
    found = session.scalar(
        select(Reflection.id)
        .join(ResourceLink, ResourceLink.id == Reflection.resource_link_id)
        .where(
            Reflection.user_id == user_id,
            Reflection.status == ReflectionStatus.SUBMITTED,
            ResourceLink.context_id == context_id,
            ResourceLink.toolkit_id == toolkit_id,
            ResourceLink.part == LinkPart.L2,
        )
        .limit(1)
    )
    return found is not None


def needs_asking(session: Session, *, user_id: int, context_id: int, toolkit: Toolkit, phase: Phase) -> bool:
    """True when the toolkit has a questionnaire, it is time for `phase`, and the learner has neither
    answered nor skipped it. `after` comes only once the L2 reflection is submitted."""
    if toolkit.questionnaire is None:
        return False
    if find(session, user_id=user_id, context_id=context_id, toolkit_id=toolkit.id, phase=phase) is not None:
        return False
    if phase is Phase.AFTER:
        return l2_reflection_submitted(session, user_id=user_id, context_id=context_id, toolkit_id=toolkit.id)
    return True


def record(
    session: Session,
    *,
    user_id: int,
    context_id: int,
    toolkit: Toolkit,
    phase: Phase,
    confidence: list[int],
    open_answers: dict[str, str],
    share_text: bool,
    now: datetime,
) -> EvaluationResponse:
    """Keep the learner's answers (a second answer replaces the first). 0 means "not rated"."""
    if toolkit.questionnaire is None:
        raise InvalidAnswer("this toolkit has no questionnaire")
    return save(session, user_id=user_id, context_id=context_id, subject_id=toolkit.id,
                questionnaire=toolkit.questionnaire, phase=phase, confidence=confidence,
                open_answers=open_answers, share_text=share_text, now=now)  # fmt: skip


def save(
    session: Session,
    *,
    user_id: int,
    context_id: int,
    subject_id: str,
    questionnaire: Questionnaire,
    phase: Phase,
    confidence: list[int],
    open_answers: dict[str, str],
    share_text: bool,
    now: datetime,
) -> EvaluationResponse:
    """`record` for any questionnaire: a toolkit's (`subject_id` its id) or a programme run's
    (`services.evaluation.programmes.subject_id`)."""
    if len(confidence) != len(questionnaire.confidence) or any(not 0 <= r <= len(CONFIDENCE_SCALE) for r in confidence):
        raise InvalidAnswer("a confidence rating is outside the scale")
    asked = {q.id for q in questionnaire.open_for(phase)}
    texts = {k: v.strip() for k, v in open_answers.items() if k in asked and v.strip()}
    if any(len(v) > MAX_TEXT_CHARS for v in texts.values()):
        raise InvalidAnswer(f"an answer is over {MAX_TEXT_CHARS} characters")
    row = _row(session, user_id, context_id, subject_id, phase, now)
    row.status = Answer.ANSWERED
    row.confidence = list(confidence)
    row.open_answers = texts
    row.share_text = share_text and bool(texts)
    row.created_at = now
    session.flush()
    return row


def skip(session: Session, *, user_id: int, context_id: int, toolkit: Toolkit, phase: Phase, now: datetime) -> None:
    """The learner chose not to answer: not asked again, and nothing else changes."""
    skip_subject(session, user_id=user_id, context_id=context_id, subject_id=toolkit.id, phase=phase, now=now)


def skip_subject(
    session: Session, *, user_id: int, context_id: int, subject_id: str, phase: Phase, now: datetime
) -> None:
    row = _row(session, user_id, context_id, subject_id, phase, now)
    if row.status != Answer.ANSWERED:
        row.status = Answer.SKIPPED
        row.confidence, row.open_answers, row.share_text = [], {}, False
    session.flush()


def _row(
    session: Session, user_id: int, context_id: int, toolkit_id: str, phase: Phase, now: datetime
) -> EvaluationResponse:
    row = find(session, user_id=user_id, context_id=context_id, toolkit_id=toolkit_id, phase=phase)
    if row is None:
        row = EvaluationResponse(
            user_id=user_id, context_id=context_id, toolkit_id=toolkit_id, phase=phase.value,
            status=Answer.SKIPPED, confidence=[], open_answers={}, share_text=False, created_at=now,
        )  # fmt: skip
        session.add(row)
    return row
