"""Programmes (issue 16): a cohort's weeks of CPD run from a course (`lti_tool.services.programmes`)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, str_enum, utcnow
from lti_tool.models.l1 import ReflectionStatus
from toolkits.programme_model import ActivityKind


class RunStatus(StrEnum):
    """Where a programme run is: dates being set, running, ended, or called off."""

    PLANNING = "planning"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class EventStatus(StrEnum):
    """A timeline event's state; a cancelled one stays (as STATUS:CANCELLED in calendars, RFC 5545 §3.8.1.11)."""

    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class ProgressStatus(StrEnum):
    """A participant's status on one event, as the lead's cohort view shows it."""

    NOT_STARTED = "not_started"
    DONE = "done"
    MISSED = "missed"


class SetRole(StrEnum):
    """Roles in an action learning set meeting; they rotate from meeting to meeting (none outside one)."""

    NONE = ""
    PRESENTER = "presenter"
    CONSULTANT = "consultant"
    FACILITATOR = "facilitator"


class ProgrammeRun(Base):
    """One cohort taking one programme template in one course (a course may hold several runs).

    `starts_on` anchors every event not yet fixed (the template's week and day); `nation` picks the
    UK bank holidays pointed out (docs/programmes.md). `resource_link_id` is the programme's own
    placement, when it was added by deep linking: its gradebook column gets the programme score.
    """

    __tablename__ = "programme_run"
    __table_args__ = (Index("ix_programme_run_context", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_link.id", ondelete="SET NULL"), default=None
    )
    template_id: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(32), default="")
    cohort_name: Mapped[str] = mapped_column(String(255))
    starts_on: Mapped[date] = mapped_column(Date)
    nation: Mapped[str] = mapped_column(String(32), default="england-and-wales")
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, 16), default=RunStatus.PLANNING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeParticipant(Base):
    """A learner in a run, their coach and mentor, agreed protected time and calendar feed secret.

    Only a SHA-256 hash of the feed secret is kept; resetting it replaces the hash, so the old
    address stops working at once.
    """

    __tablename__ = "programme_participant"
    __table_args__ = (UniqueConstraint("run_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("programme_run.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"), default=None)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"), default=None)
    protected_hours: Mapped[int] = mapped_column(default=0)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgrammeEvent(Base):
    """One occurrence of a template activity on the run's timeline (a set meeting three times: three rows).

    `uid` is the stable iCalendar UID (RFC 5545 §3.8.4.7) and `sequence` grows on every change of
    date, time, place or status (§3.8.7.4), so a calendar updates its entry rather than adding one.
    `fixed` is false while the date follows the run's start date.
    """

    __tablename__ = "programme_event"
    __table_args__ = (
        UniqueConstraint("run_id", "activity_id", "occurrence"),
        Index("ix_programme_event_run_starts", "run_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("programme_run.id", ondelete="CASCADE"))
    activity_id: Mapped[str] = mapped_column(String(64))
    occurrence: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind, 32))
    title: Mapped[str] = mapped_column(String(255))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(default=60)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    place: Mapped[str] = mapped_column(String(255), default="")
    video_link: Mapped[str] = mapped_column(String(1024), default="")
    fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus, 16), default=EventStatus.SCHEDULED)
    uid: Mapped[str] = mapped_column(String(128), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    # A toolkit L2 occurrence runs in the L2 session mode: the group session the lead opened for it.
    group_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_session.id", ondelete="SET NULL"), default=None, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeProgress(Base):
    """A participant on one event: status, attendance, and for a set meeting the role they held."""

    __tablename__ = "programme_progress"
    __table_args__ = (UniqueConstraint("participant_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participant.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("programme_event.id", ondelete="CASCADE"), index=True)
    status: Mapped[ProgressStatus] = mapped_column(str_enum(ProgressStatus, 16), default=ProgressStatus.NOT_STARTED)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[SetRole] = mapped_column(str_enum(SetRole, 16), default=SetRole.NONE)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeMeeting(Base):
    """A one-to-one (coaching or mentoring) between a participant and their coach or mentor.

    `notes` are the participant's own (personal data: never logged), private unless `notes_shared`;
    `actions` carry from meeting to meeting.
    """

    __tablename__ = "programme_meeting"
    __table_args__ = (UniqueConstraint("participant_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participant.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("programme_event.id", ondelete="CASCADE"))
    supporter_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    actions: Mapped[str] = mapped_column(Text, default="")
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeReflection(Base):
    """A CPD reflection on one event occurrence: one per meeting of a set, so a series gives several."""

    __tablename__ = "programme_reflection"
    __table_args__ = (UniqueConstraint("participant_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participant.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("programme_event.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(32), default="gibbs")
    # Field id -> text (personal data: never logged).
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    peer: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ReflectionStatus] = mapped_column(str_enum(ReflectionStatus, 16), default=ReflectionStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ProgrammeGoal(Base):
    """A goal of a participant's individual development plan: set at the start, reviewed at the end."""

    __tablename__ = "programme_goal"
    __table_args__ = (Index("ix_programme_goal_participant", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participant.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    review: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


__all__ = [
    "EventStatus",
    "ProgrammeEvent",
    "ProgrammeGoal",
    "ProgrammeMeeting",
    "ProgrammeParticipant",
    "ProgrammeProgress",
    "ProgrammeReflection",
    "ProgrammeRun",
    "ProgressStatus",
    "RunStatus",
    "SetRole",
]
