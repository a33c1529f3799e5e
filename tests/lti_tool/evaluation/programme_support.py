"""Helpers for the programme evaluation tests: finish a participant's programme, answer its questionnaire."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from lti_tool.models import LtiUser, ProgrammeRun
from lti_tool.models.programmes import ProgressStatus
from lti_tool.services.evaluation import programmes as evaluation
from lti_tool.services.evaluation import responses
from lti_tool.services.programmes import cohort, runs
from tests.lti_tool.programme_factories import template
from toolkits.model import Phase
from toolkits.programmes import ActivityKind

# After the ten-week run (from 1 March 2027) has ended.
AFTER_END = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


def finish_programme(session: Session, run: ProgrammeRun, user: LtiUser) -> None:
    """Every required activity done: the lead's register for each session; each toolkit L1 called off
    (an L1 counts from its own completed attempt, which the L1 tests cover)."""
    participant = runs.participant_for(session, run, user.id)
    assert participant is not None
    for event in runs.events(session, run):
        if event.kind == ActivityKind.TOOLKIT_L1.value:
            runs.cancel_event(session, event)
        elif event.kind != ActivityKind.PROTECTED_TIME.value:
            cohort.mark(session, event, participant.id, ProgressStatus.DONE)
    session.flush()


def answer_programme(session: Session, run: ProgrammeRun, user: LtiUser, before: int, after: int,
                     *, text: str = "", share: bool = False) -> None:  # fmt: skip
    questionnaire = template(run.template_id).questionnaire
    assert questionnaire is not None
    for phase, rating in ((Phase.BEFORE, before), (Phase.AFTER, after)):
        responses.save(
            session, user_id=user.id, context_id=run.context_id, subject_id=evaluation.subject_id(run),
            questionnaire=questionnaire, phase=phase, confidence=[rating] * len(questionnaire.confidence),
            open_answers={q.id: text for q in questionnaire.open_for(phase)}, share_text=share, now=AFTER_END,
        )  # fmt: skip
