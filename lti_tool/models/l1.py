"""L1 progress: a learner's attempt at a toolkit and their reflection."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, str_enum, utcnow


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class ReflectionStatus(StrEnum):
    """A reflection (L1, L2 or programme): a draft until the learner submits it."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class Attempt(Base):
    """A learner's L1 progress for one resource link: where they are, what they answered and noted.

    Keyed by (user, resource link): the user row belongs to one platform and the link to one of that
    platform's courses, so an attempt is never reachable from another platform or another learner.
    """

    __tablename__ = "attempt"
    __table_args__ = (UniqueConstraint("user_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    toolkit_id: Mapped[str] = mapped_column(String(64))
    current_page: Mapped[str] = mapped_column(String(64), default="")
    pages_viewed: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Question id -> the option ids last chosen; and how many times each question was answered.
    answers: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    answer_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Question id -> the option ids in the order this learner was shown them (shuffled per learner and
    # question, kept for the attempt); the first answer to each question; the questions ever answered
    # right. `l1.scoring` (first | best | latest) picks which counts (docs/learning-design.md).
    option_orders: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    first_answers: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    right_once: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Thinking prompt id -> the learner's private note (personal data: never logged), and each note's
    # version: a save naming an older version is refused, so two tabs never overwrite each other's text.
    notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    note_versions: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Grows on every notes save: the compare-and-set that makes saves of two prompts at once both land.
    notes_revision: Mapped[int] = mapped_column(default=0)
    status: Mapped[AttemptStatus] = mapped_column(str_enum(AttemptStatus, 16), default=AttemptStatus.IN_PROGRESS)
    score_percent: Mapped[float | None] = mapped_column(default=None)
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # True once a FullyGraded score was queued: later scores must stay FullyGraded (Moodle blanks
    # the grade on anything else).
    graded: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Reflection(Base):
    """A learner's CPD reflection for one resource link: a draft until submitted.

    `version` grows by one on every save; a save naming an older version is refused (optimistic
    concurrency), so two tabs never silently overwrite each other.
    """

    __tablename__ = "reflection"
    __table_args__ = (UniqueConstraint("user_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    toolkit_id: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(32))
    # Field id -> text (personal data: never logged).
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # L2: the ids of the feedforward items the learner kept, shown beside the peer box as prompts (ids,
    # not text: the words stay in group_feedback, under its own erasure and retention rules).
    kept_feedback_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[ReflectionStatus] = mapped_column(str_enum(ReflectionStatus, 16), default=ReflectionStatus.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


__all__ = ["Attempt", "AttemptStatus", "Reflection", "ReflectionStatus"]
