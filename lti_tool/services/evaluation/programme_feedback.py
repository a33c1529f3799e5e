"""Session feedback on a programme's workshops and action learning set meetings (issue 12, item 2).

The same two-minute form as after an L2 group session (`services.evaluation.feedback`): how useful,
what to change. Offered to each participant who attended, once the lead has taken the register (the
event is then *held*), from their timeline and from the occurrence's own page; one answer per
participant per occurrence, so each meeting of a set series has its own. Skippable, and a skip is kept.
A toolkit's L2 inside a programme is an L2 group session: its feedback is asked in the L2 pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from lti_tool.models import (
    Answer,
    EventStatus,
    ProgrammeEvent,
    ProgrammeParticipant,
    ProgrammeProgress,
    ProgrammeRun,
    SessionFeedback,
)
from lti_tool.services.evaluation import feedback
from toolkits.programmes import ActivityKind, Programme, SessionType

# The group sessions a programme runs itself (a toolkit L2 runs in the L2 pages, which ask on their own).
ASKED_AFTER = (SessionType.WORKSHOP, SessionType.ACTION_LEARNING_SET)


class State(StrEnum):
    """Where a participant is with one occurrence's feedback."""

    DUE = "due"
    ANSWERED = "answered"
    SKIPPED = "skipped"


def asks_feedback(programme: Programme | None, event: ProgrammeEvent) -> bool:
    """Whether this occurrence is a workshop or set meeting (of the programme's own), not called off."""
    activity = programme.activity(event.activity_id) if programme else None
    return (
        activity is not None
        and event.kind == ActivityKind.GROUP_SESSION.value
        and activity.session in ASKED_AFTER
        and event.status != EventStatus.CANCELLED
    )


def states(
    session: Session, run: ProgrammeRun, participant: ProgrammeParticipant, programme: Programme | None,
    events: Sequence[ProgrammeEvent],
) -> dict[int, State]:  # fmt: skip
    """Event id → state, for each held workshop or set meeting of `events` the participant attended."""
    held = [e for e in events if e.run_id == run.id and e.status == EventStatus.HELD and asks_feedback(programme, e)]
    if not held:
        return {}
    ids = [e.id for e in held]
    attended = set(
        session.scalars(
            select(ProgrammeProgress.event_id).where(
                ProgrammeProgress.participant_id == participant.id,
                ProgrammeProgress.event_id.in_(ids),
                ProgrammeProgress.attended.is_(True),
            )
        )
    )
    given = {
        row.event_id: row.status
        for row in session.scalars(
            select(SessionFeedback).where(
                SessionFeedback.event_id.in_(ids), SessionFeedback.user_id == participant.user_id
            )
        )
    }
    return {i: State(given[i].value) if i in given else State.DUE for i in ids if i in attended}


def state(
    session: Session, run: ProgrammeRun, participant: ProgrammeParticipant, programme: Programme | None,
    event: ProgrammeEvent,
) -> State | None:  # fmt: skip
    """This occurrence's state for the participant, or None when it asks them nothing."""
    return states(session, run, participant, programme, [event]).get(event.id)


def give(
    session: Session, event: ProgrammeEvent, *, user_id: int, usefulness: int, change_text: str, share_text: bool,
    now: datetime,
) -> SessionFeedback:  # fmt: skip
    row = feedback.find_row(session, event_id=event.id, user_id=user_id, now=now)
    return feedback.record(session, row, usefulness=usefulness, change_text=change_text, share_text=share_text)


def skip(session: Session, event: ProgrammeEvent, *, user_id: int, now: datetime) -> None:
    feedback.mark_skipped(session, feedback.find_row(session, event_id=event.id, user_id=user_id, now=now))


def rows_for_runs(session: Session, runs: Sequence[ProgrammeRun]) -> list[SessionFeedback]:
    """Every answered feedback row on these runs' group sessions: their workshops and set meetings, and
    the L2 group sessions their toolkit L2 occurrences ran (a cohort's and a programme's report)."""
    if not runs:
        return []
    events = list(session.scalars(select(ProgrammeEvent).where(ProgrammeEvent.run_id.in_([r.id for r in runs]))))
    event_ids = [e.id for e in events]
    group_ids = [e.group_session_id for e in events if e.group_session_id is not None]
    about: ColumnElement[bool] = SessionFeedback.event_id.in_(event_ids)
    if group_ids:
        about = or_(about, SessionFeedback.session_id.in_(group_ids))
    return list(
        session.scalars(
            select(SessionFeedback).where(about, SessionFeedback.status == Answer.ANSWERED).order_by(SessionFeedback.id)
        )
    )
