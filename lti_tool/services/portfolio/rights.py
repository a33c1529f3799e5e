"""A learner's rights over their data (UK GDPR), and retention.

- **Access and portability** (Art. 15, 20): "Download all my data" gathers every row about the learner.
- **Erasure** (Art. 17): "Erase my reflections" deletes the reflection rows, the thinking notes of L1,
  the records of CPD done elsewhere, the evaluation answers (`services.evaluation.personal_data`) and
  what the learner wrote in a programme (`services.programmes.personal_data`), keeping only a
  text-free record that a reflection existed (so the facilitator's "submitted" column stays true).
  Exports are built from the database on request, so erased text can never reappear in one.
- **Retention** (Art. 5(1)(e)): after `reflection_retention_days` without a change (a `SWOTT_` setting;
  0 keeps them), reflections, notes, CPD done elsewhere and peer feedback are deleted by
  `purge_expired` (`swott reflections purge`, or the worker).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from lti_tool.errors import NotFound
from lti_tool.models import (
    Attempt,
    Context,
    Enrolment,
    ErasureReason,
    ExternalCpd,
    FeedbackStatus,
    GroupFeedback,
    GroupParticipant,
    GroupSession,
    LtiUser,
    Platform,
    PortfolioProfile,
    Reflection,
    ReflectionErasure,
    ReflectionShare,
    ReflectionStatus,
    ScoreRecord,
    SessionStatus,
    utcnow,
)
from lti_tool.services.evaluation import personal_data as evaluation_data
from lti_tool.services.portfolio import external, verification
from lti_tool.services.programmes import personal_data as programme_data


def all_my_data(session: Session, *, user_id: int) -> dict[str, Any]:
    """Everything SWOTT Connect holds about one learner, as JSON-safe data (UK GDPR Art. 15, 20)."""
    user = session.get(LtiUser, user_id)
    if user is None:
        raise NotFound("We hold no data for you.", reason="unknown_user")
    platform = session.get(Platform, user.platform_id)

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    enrolments = session.execute(
        select(Context.title, Context.context_id, Enrolment.role, Enrolment.active)
        .join(Context, Context.id == Enrolment.context_id)
        .where(Enrolment.user_id == user_id)
    ).all()
    attempts = session.scalars(select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id)).all()
    reflection_rows = session.scalars(
        select(Reflection).where(Reflection.user_id == user_id).order_by(Reflection.id)
    ).all()
    shared_ids = set(
        session.scalars(
            select(ReflectionShare.reflection_id).where(
                ReflectionShare.reflection_id.in_([r.id for r in reflection_rows])
            )
        )
    )
    groups = session.execute(
        select(GroupSession, GroupParticipant)
        .join(GroupParticipant, GroupParticipant.session_id == GroupSession.id)
        .where(GroupParticipant.user_id == user_id)
        .order_by(GroupSession.starts_at)
    ).all()
    written = session.scalars(
        select(GroupFeedback).where(GroupFeedback.author_id == user_id).order_by(GroupFeedback.id)
    ).all()
    received = session.scalars(
        select(GroupFeedback)
        .where(GroupFeedback.recipient_id == user_id, GroupFeedback.status == FeedbackStatus.APPROVED)
        .order_by(GroupFeedback.id)
    ).all()
    scores = session.scalars(select(ScoreRecord).where(ScoreRecord.user_id == user_id).order_by(ScoreRecord.id)).all()
    erasures = session.scalars(select(ReflectionErasure).where(ReflectionErasure.user_id == user_id)).all()
    elsewhere = external.entries(session, user_id=user_id)
    profile = session.scalar(select(PortfolioProfile).where(PortfolioProfile.user_id == user_id))
    return {
        "format": "swott-my-data/1",
        "generated_at": utcnow().isoformat(),
        "you": {
            "name": user.name,
            "email": user.email,
            "platform": platform.name or platform.issuer if platform else "",
            "platform_user_id": user.sub,
            "first_seen": when(user.created_at),
            "last_launch": when(user.last_launch_at),
        },
        "courses": [
            {"title": title, "course_id": course_id, "role": role, "active": active}
            for title, course_id, role, active in enrolments
        ],
        "l1_attempts": [
            {
                "toolkit": a.toolkit_id,
                "status": a.status,
                "current_page": a.current_page,
                "pages_viewed": a.pages_viewed,
                "answers": a.answers,
                # The order each question's options were shown in, and the answers that count by default.
                "option_order_shown": a.option_orders,
                "first_answers": a.first_answers,
                "thinking_notes": a.notes,
                "score_percent": a.score_percent,
                "started_at": when(a.started_at),
                "completed_at": when(a.completed_at),
            }
            for a in attempts
        ],
        "reflections": [
            {
                "toolkit": r.toolkit_id,
                "model": r.model,
                "status": r.status,
                "fields": r.fields,
                "shared_with_group": r.id in shared_ids,
                "created_at": when(r.created_at),
                "updated_at": when(r.updated_at),
                "submitted_at": when(r.submitted_at),
            }
            for r in reflection_rows
        ],
        "cpd_done_elsewhere": [
            {
                "title": e.title,
                "date": e.done_on.isoformat(),
                "type": e.activity_type,
                "minutes": e.minutes,
                "description": e.description,
                "what_you_learnt": e.learnt,
                "impact": e.impact,
                "peer_reflection": e.peer,
                "peer_with": e.peer_with,
                "peer_reflection_text": e.peer_reflection,
                "sssc_elements": list(e.elements or ()),
                "supervision_and_appraisal_learning": e.supervision_appraisal,
                "created_at": when(e.created_at),
                "updated_at": when(e.updated_at),
            }
            for e in elsewhere
        ],
        "portfolio_settings": (
            {
                "regulator": profile.regulator,
                "registered_on": profile.registered_on.isoformat() if profile.registered_on else None,
                "newly_qualified": profile.newly_qualified,
                "part_time": profile.part_time,
                "manager_since": profile.manager_since.isoformat() if profile.manager_since else None,
            }
            if profile
            else None
        ),
        "cpl_verifications": [
            {
                "created_at": when(v.created_at),
                "withdrawn_at": when(v.revoked_at),
                "verified_by": v.verifier_name,
                "role": v.verifier_role,
                "verified_on": v.verified_on.isoformat() if v.verified_on else None,
                "signed_at": when(v.signed_at),
            }
            for v in verification.links(session, user_id=user_id)
        ],
        "erased_reflections": [{"reason": e.reason, "erased_at": when(e.erased_at)} for e in erasures],
        "group_sessions": [
            {
                "title": g.title,
                "toolkit": g.toolkit_id,
                "starts_at": when(g.starts_at),
                "status": g.status,
                "attended": p.attended,
                "role": p.role,
            }
            for g, p in groups
        ],
        "feedback_you_wrote": [
            {"kind": f.kind, "prompt": f.prompt, "text": f.text, "anonymous": f.anonymous, "status": f.status}
            for f in written
        ],
        "feedback_you_received": [{"kind": f.kind, "prompt": f.prompt, "text": f.text} for f in received],
        "grades_sent_to_your_course": [
            {
                "activity_progress": s.activity_progress,
                "grading_progress": s.grading_progress,
                "score_given": s.score_given,
                "score_maximum": s.score_maximum,
                "status": s.status,
                "timestamp": when(s.timestamp),
            }
            for s in scores
        ],
        # Questionnaires, session feedback, follow-ups and certificates (services.evaluation).
        "evaluation": evaluation_data.export(session, user_id),
        "programmes": programme_data.export(session, user_id),
    }


def _erase(session: Session, reflection_rows: Sequence[Reflection], reason: ErasureReason, now: datetime) -> int:
    for reflection in reflection_rows:
        erasure = session.scalar(
            select(ReflectionErasure).where(
                ReflectionErasure.user_id == reflection.user_id,
                ReflectionErasure.resource_link_id == reflection.resource_link_id,
            )
        )
        if erasure is None:
            erasure = ReflectionErasure(
                user_id=reflection.user_id, resource_link_id=reflection.resource_link_id, was_submitted=False
            )
            session.add(erasure)
        erasure.was_submitted = erasure.was_submitted or reflection.status == ReflectionStatus.SUBMITTED
        erasure.reason = reason
        erasure.erased_at = now
        # Blank the text before deleting the row, so no copy of it survives in a row version the
        # database keeps until it is vacuumed.
        reflection.fields = {}
    session.flush()
    ids = [r.id for r in reflection_rows]
    if ids:
        session.execute(delete(Reflection).where(Reflection.id.in_(ids)).execution_options(synchronize_session=False))
        for reflection in reflection_rows:
            session.expunge(reflection)
    return len(ids)


def erase_reflections(session: Session, *, user_id: int, now: datetime | None = None) -> int:
    """Erase every reflection (draft or submitted), L1 thinking note, record of CPD done elsewhere,
    evaluation answer and programme writing of this learner; returns how many toolkit reflections went.
    Their scores and completion in the LMS stay: those are the LMS's records."""
    now = now or utcnow()
    rows = session.scalars(select(Reflection).where(Reflection.user_id == user_id)).all()
    count = _erase(session, rows, ErasureReason.LEARNER, now)
    external.remove_all(session, user_id=user_id)
    verification.remove_all(session, user_id=user_id)
    evaluation_data.erase(session, user_id=user_id, now=now)
    programme_data.erase(session, user_id=user_id)
    session.execute(
        update(Attempt).where(Attempt.user_id == user_id).values(notes={}).execution_options(synchronize_session=False)
    )
    return count


@dataclass(frozen=True)
class Purged:
    reflections: int
    notes: int
    feedback: int


def purge_expired(session: Session, *, retention_days: int, now: datetime | None = None) -> Purged:
    """Delete reflections, thinking notes and peer feedback untouched for `retention_days` (0: keep all)."""
    if retention_days <= 0:
        return Purged(0, 0, 0)
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    rows = session.scalars(select(Reflection).where(Reflection.updated_at < cutoff)).all()
    reflections_gone = _erase(session, rows, ErasureReason.RETENTION, now)
    session.execute(
        delete(ExternalCpd).where(ExternalCpd.updated_at < cutoff).execution_options(synchronize_session=False)
    )
    notes = 0
    for attempt in session.scalars(select(Attempt).where(Attempt.updated_at < cutoff)):
        if attempt.notes:
            attempt.notes = {}
            notes += 1
    session.flush()
    stale_sessions = select(GroupSession.id).where(
        GroupSession.status == SessionStatus.CLOSED, GroupSession.closed_at < cutoff
    )
    feedback = session.execute(
        delete(GroupFeedback)
        .where(GroupFeedback.session_id.in_(stale_sessions))
        .execution_options(synchronize_session=False)
    )
    return Purged(reflections_gone, notes, getattr(feedback, "rowcount", 0) or 0)


def has_reflections(session: Session, *, user_id: int) -> bool:
    """Whether there is anything "Erase my reflections" would erase: reflections, CPD done elsewhere,
    evaluation answers or programme writing."""
    return bool(
        session.scalar(select(exists().where(Reflection.user_id == user_id)))
        or session.scalar(select(exists().where(ExternalCpd.user_id == user_id)))
        or any(session.scalar(select(exists().where(m.user_id == user_id))) for m in evaluation_data.ERASED)
        or programme_data.has_writing(session, user_id=user_id)
    )
