"""A participant's programme data for their own download, and its erasure (UK GDPR Articles 15, 17 and
20, as `services.portfolio.rights` applies them): the portfolio's "download all my data" and "erase my
reflections" call these.

Erasure deletes what the participant wrote: their reflections on each occurrence, their development
plan goals and reviews, and the notes and actions of their one-to-ones. What the course records of
the programme stays (their place in the run, attendance and progress), as an LMS keeps completion.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from lti_tool.models import (
    ProgrammeEvent,
    ProgrammeGoal,
    ProgrammeMeeting,
    ProgrammeParticipant,
    ProgrammeProgress,
    ProgrammeReflection,
    ProgrammeRun,
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _participant_ids(user_id: int) -> Any:
    return select(ProgrammeParticipant.id).where(ProgrammeParticipant.user_id == user_id)


def export(session: Session, user_id: int) -> list[dict[str, Any]]:
    """One entry per programme run the user is a participant of, with everything they did and wrote."""
    found: list[dict[str, Any]] = []
    rows = session.execute(
        select(ProgrammeParticipant, ProgrammeRun)
        .join(ProgrammeRun, ProgrammeRun.id == ProgrammeParticipant.run_id)
        .where(ProgrammeParticipant.user_id == user_id)
        .order_by(ProgrammeRun.starts_on, ProgrammeRun.id)
    ).all()
    for participant, run in rows:
        events = session.execute(select(ProgrammeEvent.id, ProgrammeEvent.title).where(ProgrammeEvent.run_id == run.id))
        titles: dict[int, str] = {event_id: title for event_id, title in events}
        mine = ProgrammeProgress.participant_id == participant.id
        progress = session.scalars(select(ProgrammeProgress).where(mine).order_by(ProgrammeProgress.id))
        reflections = session.scalars(
            select(ProgrammeReflection)
            .where(ProgrammeReflection.participant_id == participant.id)
            .order_by(ProgrammeReflection.id)
        )
        meetings = session.scalars(
            select(ProgrammeMeeting)
            .where(ProgrammeMeeting.participant_id == participant.id)
            .order_by(ProgrammeMeeting.id)
        )
        goals = session.scalars(
            select(ProgrammeGoal).where(ProgrammeGoal.participant_id == participant.id).order_by(ProgrammeGoal.id)
        )
        found.append({
            "programme": run.template_id, "cohort": run.cohort_name, "starts_on": run.starts_on.isoformat(),
            "joined_at": _when(participant.joined_at), "protected_hours": participant.protected_hours,
            "progress": [
                {"activity": titles.get(p.event_id, ""), "status": p.status, "attended": p.attended, "role": p.role}
                for p in progress
            ],
            "reflections": [
                {"activity": titles.get(r.event_id, ""), "model": r.model, "status": r.status, "fields": r.fields,
                 "submitted_at": _when(r.submitted_at)}
                for r in reflections
            ],
            "one_to_ones": [
                {"activity": titles.get(m.event_id, ""), "notes": m.notes, "notes_shared": m.notes_shared,
                 "actions": m.actions, "held": m.held}
                for m in meetings
            ],
            "development_plan": [
                {"goal": g.text, "review": g.review, "created_at": _when(g.created_at),
                 "reviewed_at": _when(g.reviewed_at)}
                for g in goals
            ],
        })  # fmt: skip
    return found


def erase(session: Session, *, user_id: int) -> None:
    """Delete the participant's reflections and goals, and blank their one-to-ones' notes and actions."""
    ids = _participant_ids(user_id)
    # Blank the text before deleting, so no copy survives in a row version kept until vacuum (as rights does).
    session.execute(
        update(ProgrammeReflection).where(ProgrammeReflection.participant_id.in_(ids)).values(fields={})
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    for model in (ProgrammeReflection, ProgrammeGoal):
        session.execute(delete(model).where(model.participant_id.in_(ids)).execution_options(synchronize_session=False))
    session.execute(
        update(ProgrammeMeeting).where(ProgrammeMeeting.participant_id.in_(ids)).values(notes="", actions="")
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    session.flush()


def has_writing(session: Session, *, user_id: int) -> bool:
    """Whether the participant wrote anything `erase` would remove."""
    ids = _participant_ids(user_id)
    for model in (ProgrammeReflection, ProgrammeGoal):
        if session.scalar(select(model.id).where(model.participant_id.in_(ids)).limit(1)) is not None:
            return True
    written = (ProgrammeMeeting.notes != "") | (ProgrammeMeeting.actions != "")
    return (
        session.scalar(select(ProgrammeMeeting.id).where(ProgrammeMeeting.participant_id.in_(ids), written).limit(1))
        is not None
    )
