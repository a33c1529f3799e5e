"""Session feedback: after each group session a two-minute form (how useful, what to change).

About the session, for whoever runs the next one; separate from the peer feedback and feedforward
(`GroupFeedback`), which is about practice. Asked of attendees once the session is closed; skippable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Answer, GroupParticipant, GroupSession, SessionFeedback, SessionStatus
from lti_tool.services.evaluation.responses import MAX_TEXT_CHARS, InvalidAnswer
from lti_tool.services.l2.scheduling import learner_sessions

USEFULNESS_SCALE = ("Not at all useful", "A little useful", "Fairly useful", "Useful", "Very useful")


def awaiting(session: Session, *, user_id: int, context_id: int, toolkit_id: str) -> list[GroupSession]:
    """Closed sessions of this toolkit in this course that the learner attended and has not yet answered
    or skipped feedback on, oldest first."""
    answered = select(SessionFeedback.session_id).where(SessionFeedback.user_id == user_id)
    attended = learner_sessions(user_id=user_id, context_id=context_id, toolkit_id=toolkit_id, attended=True)
    closed = attended.where(GroupSession.status == SessionStatus.CLOSED, GroupSession.id.not_in(answered))
    return list(session.scalars(closed.order_by(GroupSession.starts_at)))


def attended(session: Session, group: GroupSession, user_id: int) -> bool:
    return (
        session.scalar(
            select(GroupParticipant.id).where(
                GroupParticipant.session_id == group.id,
                GroupParticipant.user_id == user_id,
                GroupParticipant.attended.is_(True),
            )
        )
        is not None
    )


def give(
    session: Session,
    group: GroupSession,
    *,
    user_id: int,
    usefulness: int,
    change_text: str,
    share_text: bool,
    now: datetime,
) -> SessionFeedback:
    return record(session, find_row(session, session_id=group.id, user_id=user_id, now=now), usefulness=usefulness,
                  change_text=change_text, share_text=share_text)  # fmt: skip


def skip(session: Session, group: GroupSession, *, user_id: int, now: datetime) -> None:
    mark_skipped(session, find_row(session, session_id=group.id, user_id=user_id, now=now))


def record(
    session: Session, row: SessionFeedback, *, usefulness: int, change_text: str, share_text: bool
) -> SessionFeedback:
    """Answer a feedback row (an L2 session's or a programme event's): one answer per learner and session."""
    if not 1 <= usefulness <= len(USEFULNESS_SCALE):
        raise InvalidAnswer("usefulness is outside the scale")
    text = change_text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidAnswer(f"an answer is over {MAX_TEXT_CHARS} characters")
    row.status, row.usefulness, row.change_text = Answer.ANSWERED, usefulness, text
    row.share_text = share_text and bool(text)
    session.flush()
    return row


def mark_skipped(session: Session, row: SessionFeedback) -> None:
    """A skip is kept (and asked no more); it never replaces an answer."""
    if row.status != Answer.ANSWERED:
        row.status = Answer.SKIPPED
    session.flush()


def find_row(
    session: Session, *, user_id: int, now: datetime, session_id: int | None = None, event_id: int | None = None
) -> SessionFeedback:
    """The learner's row about an L2 session (`session_id`) or a programme event (`event_id`), made if none."""
    assert (session_id is None) != (event_id is None), "feedback is about one session or one event"
    key = SessionFeedback.session_id == session_id if session_id is not None else SessionFeedback.event_id == event_id
    row = session.scalars(select(SessionFeedback).where(key, SessionFeedback.user_id == user_id)).first()
    if row is None:
        row = SessionFeedback(
            session_id=session_id, event_id=event_id, user_id=user_id, status=Answer.SKIPPED, usefulness=0,
            change_text="", share_text=False, created_at=now,
        )  # fmt: skip
        session.add(row)
    return row
