"""L2 group sessions: schedules, sessions, participants, feedback, reflection sharing and erasure."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, str_enum, utcnow
from toolkits.model import GroupFormat


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    CLOSED = "closed"


class ParticipantRole(StrEnum):
    """A participant's role in a running session (docs/cpd-rules.md, "L2 group formats"); none before."""

    NONE = ""
    PRESENTER = "presenter"
    CONSULTANT = "consultant"
    OBSERVER = "observer"
    ACTION_PLANNER = "action_planner"


class FeedbackKind(StrEnum):
    """Peer feedback on current practice, or feedforward on future practice."""

    FEEDBACK = "feedback"
    FEEDFORWARD = "feedforward"


class FeedbackStatus(StrEnum):
    """Moderation: hidden until the facilitator approves."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ErasureReason(StrEnum):
    LEARNER = "learner"
    RETENTION = "retention"


class ToolkitSchedule(Base):
    """A facilitator's plan for one toolkit in one course: the L1 deadline (L2 sessions hang off it)."""

    __tablename__ = "toolkit_schedule"
    __table_args__ = (UniqueConstraint("context_id", "toolkit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    toolkit_id: Mapped[str] = mapped_column(String(64))
    l1_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class GroupSession(Base):
    """One scheduled L2 group session and, while it runs, its live state (`services.l2`).

    `revision` grows on every change of live state, so a participant's page polls cheaply: it asks for
    the state only when the revision moved.
    """

    __tablename__ = "group_session"
    __table_args__ = (Index("ix_group_session_context_toolkit", "context_id", "toolkit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    toolkit_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(255), default="")
    video_link: Mapped[str] = mapped_column(String(1024), default="")
    format: Mapped[GroupFormat] = mapped_column(str_enum(GroupFormat, 32))
    status: Mapped[SessionStatus] = mapped_column(str_enum(SessionStatus, 16), default=SessionStatus.SCHEDULED)
    agenda_index: Mapped[int] = mapped_column(default=-1)
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    stages_revealed: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class GroupParticipant(Base):
    """A learner invited to a group session: their Bells that Ring role and whether they attended."""

    __tablename__ = "group_participant"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("group_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[ParticipantRole] = mapped_column(str_enum(ParticipantRole, 32), default=ParticipantRole.NONE)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)


class GroupFeedback(Base):
    """Peer feedback (current practice) or feedforward (future practice) given in a session.

    Hidden from everyone but the facilitator until approved. The author is kept even when the item is
    anonymous, so the author can download or erase what they wrote; it is never shown to anyone.
    """

    __tablename__ = "group_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("group_session.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    # None: for the whole group.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), default=None)
    kind: Mapped[FeedbackKind] = mapped_column(str_enum(FeedbackKind, 16))
    prompt: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[FeedbackStatus] = mapped_column(str_enum(FeedbackStatus, 16), default=FeedbackStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReflectionShare(Base):
    """A learner's choice to show one reflection to their group and facilitator (private otherwise)."""

    __tablename__ = "reflection_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflection.id", ondelete="CASCADE"), unique=True)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReflectionErasure(Base):
    """That a reflection existed and was erased (by its author, or at the end of retention); no text.

    Keeps the facilitator's "submitted" column true after erasure without keeping any content.
    """

    __tablename__ = "reflection_erasure"
    __table_args__ = (UniqueConstraint("user_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    was_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[ErasureReason] = mapped_column(str_enum(ErasureReason, 16))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = [
    "ErasureReason",
    "FeedbackKind",
    "FeedbackStatus",
    "GroupFeedback",
    "GroupParticipant",
    "GroupSession",
    "ParticipantRole",
    "ReflectionErasure",
    "ReflectionShare",
    "SessionStatus",
    "ToolkitSchedule",
]
