"""A learner's evaluation data for their own download, and its erasure (UK GDPR Articles 15 and 17,
docs/cpd-rules.md): the portfolio's "download my data" and "erase my data" call these.

Erasure deletes the learner's questionnaire answers, session feedback and follow-ups; their certificates
keep only that they existed (`certificates.erase_holder`), so a check of a code says "no longer held".
Reports change accordingly: an erased learner's answers no longer count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lti_tool.models import Certificate, EvaluationResponse, FollowUp, SessionFeedback
from lti_tool.services.evaluation import certificates


def export(session: Session, user_id: int) -> dict[str, Any]:
    """Everything evaluation holds about the learner, as plain JSON-ready values."""
    answers = session.scalars(
        select(EvaluationResponse).where(EvaluationResponse.user_id == user_id).order_by(EvaluationResponse.created_at)
    )
    feedback = session.scalars(select(SessionFeedback).where(SessionFeedback.user_id == user_id))
    follow_ups = session.scalars(select(FollowUp).where(FollowUp.user_id == user_id))
    held = session.scalars(select(Certificate).where(Certificate.user_id == user_id))
    return {
        "questionnaires": [
            {"toolkit": r.toolkit_id, "when": r.phase, "status": r.status, "confidence": r.confidence,
             "written": r.open_answers, "may_be_shared": r.share_text, "at": r.created_at.isoformat()}
            for r in answers
        ],
        "session_feedback": [
            {"session": r.session_id, "programme_event": r.event_id, "status": r.status, "usefulness": r.usefulness,
             "change": r.change_text,
             "may_be_shared": r.share_text, "at": r.created_at.isoformat()}
            for r in feedback
        ],
        "follow_ups": [
            {"toolkit": r.toolkit_id, "status": r.status, "carried_out": r.carried_out,
             "what_happened": r.what_happened, "impact": r.impact, "in_portfolio": r.in_portfolio}
            for r in follow_ups
        ],
        "certificates": [
            {"toolkit": c.subject_id, "code": c.code, "completed_on": c.completed_on.isoformat(),
             "revoked": c.revoked_at is not None}
            for c in held
        ],
    }  # fmt: skip


# The tables `erase` empties of the learner's rows.
ERASED = (EvaluationResponse, SessionFeedback, FollowUp)


def erase(session: Session, *, user_id: int, now: datetime) -> None:
    for model in ERASED:
        session.execute(delete(model).where(model.user_id == user_id))
    certificates.erase_holder(session, user_id=user_id, now=now)
    session.flush()
