"""Grade passback: the score outbox and the cached LTI service access tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, str_enum, utcnow


class ActivityProgress(StrEnum):
    """AGS §3.4.5 activityProgress."""

    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


class GradingProgress(StrEnum):
    """AGS §3.4.6 gradingProgress."""

    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"


class ScoreStatus(StrEnum):
    """Where a score is in the outbox."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class ScoreRecord(Base):
    """One AGS score waiting in (or gone through) the passback outbox (`lti_tool.services.outbox`).

    Written in the same transaction as the progress change it reports, so a committed step always has
    its score. `timestamp` is fixed when queued and strictly increases per learner and resource link at
    one-second resolution: Moodle refuses (409) a score not newer than the one it holds.
    """

    __tablename__ = "score_record"
    # The outbox reads "the earliest undelivered record of this learner on this link" on every pass.
    __table_args__ = (Index("ix_score_record_learner_link", "user_id", "resource_link_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    score_given: Mapped[float | None] = mapped_column(default=None)
    score_maximum: Mapped[float] = mapped_column()
    activity_progress: Mapped[ActivityProgress] = mapped_column(str_enum(ActivityProgress, 16))
    grading_progress: Mapped[GradingProgress] = mapped_column(str_enum(GradingProgress, 16))
    comment: Mapped[str] = mapped_column(Text, default="")
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ScoreStatus] = mapped_column(str_enum(ScoreStatus, 16), default=ScoreStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A lease taken by the process sending the record, so no other process sends it meanwhile. The claim
    # token stays set while a send's outcome is unknown (read timeout, killed sender): the record is then
    # "in doubt" and the next try reads the result back first (`services.delivery`, docs/passback.md).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    claim_token: Mapped[str] = mapped_column(String(36), default="")
    # Why the last try did not deliver (never personal data or tokens), and the platform's HTTP status.
    last_error: Mapped[str] = mapped_column(String(500), default="")
    response_status: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class AccessToken(Base):
    """An AGS/NRPS OAuth 2 access token, shared by every process until it expires (a secret: never logged)."""

    __tablename__ = "access_token"

    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"), primary_key=True)
    # SHA-256 of the sorted, space-joined scopes: one token per platform and scope set.
    scope_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    scopes: Mapped[str] = mapped_column(Text)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = ["AccessToken", "ActivityProgress", "GradingProgress", "ScoreRecord", "ScoreStatus"]
