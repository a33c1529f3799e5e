"""Factories for the evaluation tests: learners who answered before and after, and finished L2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from lti_tool.models import LtiUser, Reflection
from lti_tool.services.evaluation import responses
from tests.lti_tool.factories import Course
from tests.lti_tool.l2_factories import finish_l1, l2_values, submitted_reflection, toolkit
from toolkits.model import Phase

T0 = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)


def submit_l2(session: Session, course: Course, user: LtiUser, *, when: datetime = T0, action: str = "") -> Reflection:
    """A submitted L2 reflection (as the L2 page leaves it), its action plan naming `action`."""
    values = l2_values(f"learner {user.id}")
    if action:
        values["now_what"] = action
    return submitted_reflection(session, course, user, part="l2", fields=values, when=when)


def answer_both(
    session: Session, course: Course, user: LtiUser, before: int, after: int, *, text: str = "", share: bool = False
) -> None:
    """The learner rates every outcome `before`, then `after`, writing `text` in the open questions."""
    kit = toolkit()
    assert kit.questionnaire is not None
    for phase, rating in ((Phase.BEFORE, before), (Phase.AFTER, after)):
        asked = {q.id: text for q in kit.questionnaire.open_for(phase)}
        responses.record(
            session, user_id=user.id, context_id=course.context.id, toolkit=kit, phase=phase,
            confidence=[rating] * len(kit.questionnaire.confidence), open_answers=asked, share_text=share,
            now=T0 + timedelta(days=1 if phase is Phase.AFTER else 0),
        )  # fmt: skip


def complete_toolkit(session: Session, course: Course, user: LtiUser) -> None:
    finish_l1(session, course, user, when=T0 - timedelta(days=10))
    submit_l2(session, course, user)
