"""Evaluation reports of a programme's questionnaire: for one cohort (a run) and for the programme (every
run of a template in a council's courses). The same threshold as every report (`reports.MIN_GROUP`):
nothing is shown for fewer than 5 people who answered both times.

Session feedback: the runs' workshops and action learning set meetings, and the L2 group sessions of
their toolkit L2 occurrences (`services.evaluation.programme_feedback`), with the same threshold in people.

"Finished the programme (asked at the end)" counts the participants asked the after questions: those
who finished (every required activity, or the run marked finished) and anyone who answered or skipped
them, since answering is itself being asked (a participant may finish, answer, and then have a register
corrected, or the questionnaire may have been reached from the certificate page).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.models import Context, EvaluationResponse, ProgrammeParticipant, ProgrammeRun, RunStatus
from lti_tool.services.evaluation import programme_feedback
from lti_tool.services.evaluation import programmes as evaluation
from lti_tool.services.evaluation.reports import PROGRAMME_WORDS, Report, build_for, feedback_summary
from lti_tool.services.programmes import cohort, templates
from toolkits.model import Phase
from toolkits.programmes import Programme


def runs_of_template(session: Session, *, platform_id: int, template_id: str) -> list[ProgrammeRun]:
    """Every run of a template in this council's courses (a programme report's scope)."""
    return list(
        session.scalars(
            select(ProgrammeRun)
            .join(Context, Context.id == ProgrammeRun.context_id)
            .where(Context.platform_id == platform_id, ProgrammeRun.template_id == template_id)
            .order_by(ProgrammeRun.starts_on, ProgrammeRun.id)
        )
    )


def _finished(session: Session, runs: Sequence[ProgrammeRun], programme: Programme | None, now: datetime) -> int:
    """How many participants were asked the after questions: everyone of a finished run, else those done,
    and in any case everyone who answered or skipped them (each participant once per run)."""
    views = cohort.build_many(session, runs, now, {r.id: templates.toolkit_of(programme) for r in runs})
    asked = {
        (view.run.id, row.user_id)
        for view in views
        for row in view.rows
        if view.run.status == RunStatus.FINISHED or row.complete
    }
    subjects = {evaluation.subject_id(r): r.id for r in runs}
    members = {(view.run.id, row.user_id) for view in views for row in view.rows}
    for subject, user_id in session.execute(
        select(EvaluationResponse.toolkit_id, EvaluationResponse.user_id).where(
            EvaluationResponse.toolkit_id.in_(subjects), EvaluationResponse.phase == Phase.AFTER
        )
    ):
        key = (subjects[subject], user_id)
        if key in members:  # a participant since removed from the run is not counted
            asked.add(key)
    return len(asked)


def build(session: Session, *, programme: Programme, runs: Sequence[ProgrammeRun], now: datetime) -> Report:
    """The report over these runs of `programme` (one run: a cohort's report)."""
    learners = (
        session.scalar(
            select(func.count(ProgrammeParticipant.id)).where(ProgrammeParticipant.run_id.in_([r.id for r in runs]))
        )
        if runs
        else 0
    )
    return build_for(
        session, questionnaire=programme.questionnaire, subject_ids=[evaluation.subject_id(r) for r in runs],
        context_ids=sorted({r.context_id for r in runs}), learners=learners or 0,
        after_asked=_finished(session, runs, programme, now) if runs else 0, toolkit=None,
        feedback=feedback_summary(programme_feedback.rows_for_runs(session, runs)),
        title=programme.title, words=PROGRAMME_WORDS,
    )  # fmt: skip
