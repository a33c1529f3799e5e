"""Evaluation and certificates (issue 12): questionnaires, session feedback, follow-ups, certificates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, str_enum, utcnow
from toolkits.model import Phase


class Answer(StrEnum):
    """A questionnaire or session feedback: answered, or skipped (a skip is asked no more)."""

    ANSWERED = "answered"
    SKIPPED = "skipped"


class FollowUpStatus(StrEnum):
    ANSWERED = "answered"
    SKIPPED = "skipped"
    LATER = "later"


class CarriedOut(StrEnum):
    """The follow-up's answer to "did you carry out the action?"; none until answered."""

    NONE = ""
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class CertificateKind(StrEnum):
    TOOLKIT = "toolkit"
    PROGRAMME = "programme"


class EvaluationResponse(Base):
    """A learner's before (L1) or after (L2) questionnaire for one toolkit in one course (issue 12).

    Kept apart from reflections (ARCHITECTURE.md, "Evaluation"): leads see these only as totals of 5 or
    more. `confidence` holds a 1-5 rating per learning outcome, in the toolkit's order (0: not rated);
    `open_answers` the free text by question id, shown in reports only when `share_text` is true.
    """

    __tablename__ = "evaluation_response"
    __table_args__ = (UniqueConstraint("user_id", "context_id", "toolkit_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"), index=True)
    toolkit_id: Mapped[str] = mapped_column(String(64))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, 8))
    status: Mapped[Answer] = mapped_column(str_enum(Answer, 16))
    confidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    open_answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    share_text: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionFeedback(Base):
    """A learner's two-minute feedback on one group session: how useful, what to change.

    Separate from the peer feedback and feedforward of `GroupFeedback`, which is about practice; this is
    about the session, for whoever runs the next one. About either an L2 group session (`session_id`) or
    a programme's workshop or action learning set meeting (`event_id`: one row per meeting of a set
    series); exactly one of the two is set.
    """

    __tablename__ = "session_feedback"
    __table_args__ = (UniqueConstraint("session_id", "user_id"), UniqueConstraint("event_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_session.id", ondelete="CASCADE"), index=True, default=None
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_event.id", ondelete="CASCADE"), index=True, default=None
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    status: Mapped[Answer] = mapped_column(str_enum(Answer, 16))
    usefulness: Mapped[int] = mapped_column(default=0)  # 1-5, 0 when skipped
    change_text: Mapped[str] = mapped_column(Text, default="")
    share_text: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowUp(Base):
    """The answer to "did you carry out the action you planned?", asked about three months after L2.

    A row exists once the learner answers, skips or asks to be reminded later (`remind_after`). With
    `in_portfolio` the answer is a CPD record of impact on practice (`services.evaluation.impact_records`).
    """

    __tablename__ = "follow_up"
    __table_args__ = (UniqueConstraint("user_id", "context_id", "toolkit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    toolkit_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[FollowUpStatus] = mapped_column(str_enum(FollowUpStatus, 16))
    remind_after: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    carried_out: Mapped[CarriedOut] = mapped_column(str_enum(CarriedOut, 8), default=CarriedOut.NONE)
    what_happened: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    in_portfolio: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(Base):
    """A certificate issued for a completed toolkit (L1 and L2) or programme; `code` is its public check.

    The holder and council links are SET NULL, never cascaded: a learner's erasure leaves the row, so the
    verification page can say the certificate existed without saying anything about whose it was.
    """

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "context_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"), default=None)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platform.id", ondelete="SET NULL"), default=None)
    context_id: Mapped[int | None] = mapped_column(ForeignKey("context.id", ondelete="SET NULL"), default=None)
    kind: Mapped[CertificateKind] = mapped_column(str_enum(CertificateKind, 16), default=CertificateKind.TOOLKIT)
    subject_id: Mapped[str] = mapped_column(String(64))  # the toolkit's (or programme's) id
    started_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    holder_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Who withdrew it: "course lead" or "operator <name from the signed link>", and the lead's user row.
    revoked_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"), default=None)


class LearnerFeed(Base):
    """A learner's own calendar subscription (follow-up reminders and other dates outside a programme).

    Only the SHA-256 of the secret in the address is kept; a reset replaces it, so the old address stops
    at once (the same rules as a programme participant's feed, services/programmes/calendar.py).
    """

    __tablename__ = "learner_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = [
    "Answer",
    "CarriedOut",
    "Certificate",
    "CertificateKind",
    "EvaluationResponse",
    "FollowUp",
    "FollowUpStatus",
    "LearnerFeed",
    "SessionFeedback",
]
