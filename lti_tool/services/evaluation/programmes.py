"""A programme's before-and-after questionnaire and its certificate (issue 12, for programmes).

- The questionnaire comes from the programme template (`outcomes:` and `questionnaire:`, checked by
  `toolkits.questionnaires`). Its answers are `EvaluationResponse` rows like a toolkit's, in the run's
  course, under the subject `programme-run-<run id>` (the `toolkit_id` column holds the subject): so a
  cohort's report reads one subject, a programme's every run of that template, and nothing is shared
  with a toolkit's own questionnaire.
- Asked before: on the participant's first programme launch. Asked after: once they have done every
  required activity, or the run is marked finished. Always skippable; nothing reads these rows to decide
  progress, so a questionnaire never holds anything up.
- The certificate: once every required activity is done (`services.programmes.cohort`, as the
  programme's CPD summary decides it), kind `programme`, subject the template id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Certificate, EventStatus, ProgrammeParticipant, ProgrammeRun, RunStatus
from lti_tool.services.evaluation import certificates, responses
from lti_tool.services.programmes import cohort, runs, templates
from toolkits import Catalogue
from toolkits.model import Phase
from toolkits.programmes import Programme

SUBJECT_PREFIX = "programme-run-"
KIND = "programme"


def subject_id(run: ProgrammeRun) -> str:
    return f"{SUBJECT_PREFIX}{run.id}"


@dataclass(frozen=True)
class Completion:
    started_on: date
    completed_on: date
    minutes: int  # the planned length of every activity that was not cancelled


def completion(
    session: Session, run: ProgrammeRun, programme: Programme | None, user_id: int, now: datetime
) -> Completion | None:
    """When the participant started and finished the programme, or None while a required activity is left."""
    view = cohort.build_many(session, [run], now, {run.id: templates.toolkit_of(programme)})[0]
    row = next((r for r in view.rows if r.user_id == user_id), None)
    if row is None or not row.complete:
        return None
    live = [e for e in runs.events(session, run) if e.status != EventStatus.CANCELLED.value]
    last = max(c.deadline for c in view.columns if not c.cancelled)
    return Completion(run.starts_on, min(last.date(), now.date()), sum(e.minutes for e in live))


def needs_asking(
    session: Session, *, run: ProgrammeRun, programme: Programme | None, user_id: int, phase: Phase, now: datetime
) -> bool:
    if programme is None or programme.questionnaire is None:
        return False
    found = responses.find(session, user_id=user_id, context_id=run.context_id, toolkit_id=subject_id(run),
                           phase=phase)  # fmt: skip
    if found is not None:
        return False
    if phase is Phase.BEFORE:
        return True
    return run.status == RunStatus.FINISHED.value or completion(session, run, programme, user_id, now) is not None


def standards(catalogue: Catalogue, programme: Programme | None) -> tuple[str, ...]:
    """The SWE standards a programme's toolkits address, in order, each once (a programme names none itself)."""
    found: dict[str, None] = {}
    for toolkit_id in programme.toolkit_ids if programme else ():
        toolkit = catalogue.get(toolkit_id)
        found.update(dict.fromkeys(toolkit.standards if toolkit else ()))
    return tuple(sorted(found, key=lambda n: tuple(int(p) for p in n.split(".") if p.isdigit())))


def find_certificate(session: Session, *, run: ProgrammeRun, user_id: int) -> Certificate | None:
    return session.scalars(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.context_id == run.context_id,
            Certificate.kind == KIND,
            Certificate.subject_id == run.template_id,
        )
    ).first()


def issue_certificate(
    session: Session, *, run: ProgrammeRun, programme: Programme | None, participant: ProgrammeParticipant,
    platform_id: int, now: datetime,
) -> Certificate | None:  # fmt: skip
    """The participant's certificate for this programme (made once), or None while it is not complete."""
    existing = find_certificate(session, run=run, user_id=participant.user_id)
    if existing is not None:
        return existing
    done = completion(session, run, programme, participant.user_id, now)
    if done is None:
        return None
    certificate = Certificate(
        code=certificates.new_code(), user_id=participant.user_id, platform_id=platform_id,
        context_id=run.context_id, kind=KIND, subject_id=run.template_id, started_on=done.started_on,
        completed_on=done.completed_on, minutes=done.minutes, issued_at=now,
    )  # fmt: skip
    session.add(certificate)
    session.flush()
    return certificate
