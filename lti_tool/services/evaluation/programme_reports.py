"""Evaluation reports of a programme's questionnaire: for one cohort (a run) and for the programme (every
run of a template in a council's courses). The same threshold as every report (`reports.MIN_GROUP`):
nothing is shown for fewer than 5 people who answered both times.

A programme has no session feedback of its own (its group sessions' feedback is in their toolkits'
reports), so these reports leave that section out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.models import Context, ProgrammeParticipant, ProgrammeRun, RunStatus
from lti_tool.services.evaluation import programmes as evaluation
from lti_tool.services.evaluation.reports import PROGRAMME_WORDS, Report, build_for
from lti_tool.services.programmes import cohort, templates
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
    """How many participants were asked the after questions: everyone of a finished run, else those done."""
    views = cohort.build_many(session, runs, now, {r.id: templates.toolkit_of(programme) for r in runs})
    return sum(
        len(view.rows) if view.run.status == RunStatus.FINISHED.value else sum(r.complete for r in view.rows)
        for view in views
    )


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
        after_asked=_finished(session, runs, programme, now) if runs else 0, feedback=None, toolkit=None,
        title=programme.title, words=PROGRAMME_WORDS,
    )  # fmt: skip
