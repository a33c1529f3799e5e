"""SQLAlchemy 2 typed models: registrations, keys, launch state, and who launched what.

Table names are singular snake_case. Every row that holds personal data (lti_user) is reached only
through the platform that sent it, so one platform's users can never be mixed with another's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from lti_tool.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Platform(Base):
    """A registered LTI platform (LMS), keyed by (issuer, client_id).

    Canvas uses the issuer https://canvas.instructure.com for every cloud instance, so the issuer alone
    does not identify a council: the client_id (developer key) does.
    """

    __tablename__ = "platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    key_set_url: Mapped[str] = mapped_column(String(1024))
    # The platform's JWKS as last fetched, refreshed when a launch names an unknown kid.
    key_set: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    key_set_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    brand_colour: Mapped[str] = mapped_column(String(7), default="")
    # The regulator and interface language a learner starts with until they choose their own
    # (`swott platform set`; lti_tool.services.platform_defaults, docs/regulators.md).
    default_regulator: Mapped[str] = mapped_column(String(8), default="swe", server_default="swe")
    default_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    registered_by: Mapped[str] = mapped_column(String(32), default="manual")  # manual | dynamic
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # active | pending. A Dynamic Registration without an operator's invite waits as "pending": it can
    # launch nothing and frame nothing until an operator approves it (issue 9, defect 1).
    status: Mapped[str] = mapped_column(String(16), default="active")
    approved_by: Mapped[str] = mapped_column(String(255), default="")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )
    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Subscription.id"
    )


class Deployment(Base):
    """A deployment of the tool on a platform (LTI Core §3.1.3); Canvas ids look like `12:8865aa05…`."""

    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class Subscription(Base):
    """A platform's right to launch a toolkit (or all toolkits), optionally for one deployment."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"), default=None)
    # None means every toolkit, including ones published later.
    toolkit_id: Mapped[str | None] = mapped_column(String(64), default=None)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who granted it (the operator's name, and how: "sam (cli)", "sam (operator page)"); kept, with who
    # revoked it and when, after revocation, so the record answers "who changed this council's access".
    granted_by: Mapped[str] = mapped_column(String(255), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_by: Mapped[str] = mapped_column(String(255), default="")

    platform: Mapped[Platform] = relationship(back_populates="subscriptions")
    deployment: Mapped[Deployment | None] = relationship()

    def active_on(self, day: date) -> bool:
        return self.revoked_at is None and self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class RegistrationInvite(Base):
    """A one-time, expiring Dynamic Registration URL made by an operator (`swott platform invite`).

    Only a hash of the token is stored: the URL itself is shown once, to the operator who made it. A
    registration through it is active at once; the invite then records which platform used it.
    """

    __tablename__ = "registration_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platform.id", ondelete="SET NULL"), default=None)


class ToolKey(Base):
    """One of the tool's RSA signing keys. Never in git: generated on first run, rotated by CLI."""

    __tablename__ = "tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Published from creation; used for signing from `active_from`; unpublished after `retired_at`.
    active_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class LaunchState(Base):
    """State and nonce issued at OIDC login, consumed by the launch (LTI Security §5.1.1.2).

    Kept in the shared database (or Redis), never in process memory, so any worker can finish a
    launch another worker started.
    """

    __tablename__ = "launch_state"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128))
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UsedNonce(Base):
    """An id_token nonce already accepted: a replay with the same nonce is refused."""

    __tablename__ = "used_nonce"

    nonce: Mapped[str] = mapped_column(String(255), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LtiUser(Base):
    """A person as a platform knows them (`sub`). Name and email are personal data: never logged."""

    __tablename__ = "lti_user"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_launch_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Context(Base):
    """A course (or, in Moodle, sometimes a course section) on a platform."""

    __tablename__ = "context"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    label: Mapped[str] = mapped_column(String(255), default="")
    # Service endpoints the platform gave in the latest launch (AGS line items, NRPS memberships).
    lineitems_url: Mapped[str] = mapped_column(String(1024), default="")
    memberships_url: Mapped[str] = mapped_column(String(1024), default="")
    # When the course list last came from NRPS: facilitator pages refresh it at most every few minutes.
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ResourceLink(Base):
    """A placement of a toolkit part (L1 or L2) in a course."""

    __tablename__ = "resource_link"
    __table_args__ = (UniqueConstraint("context_id", "link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    toolkit_id: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(2))  # l1 | l2
    lineitem_url: Mapped[str] = mapped_column(String(1024), default="")
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Enrolment(Base):
    """A user's role in a context as of their latest launch."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # facilitator | learner
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[LtiUser] = relationship()
    context: Mapped[Context] = relationship()


__all__ = [
    "Base",
    "Context",
    "Deployment",
    "Enrolment",
    "LaunchState",
    "LtiUser",
    "Platform",
    "RegistrationInvite",
    "ResourceLink",
    "Subscription",
    "ToolKey",
    "UsedNonce",
]


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
    status: Mapped[str] = mapped_column(String(16), default="in_progress")  # in_progress | completed
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
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


__all__ += ["Attempt", "Reflection"]


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
    activity_progress: Mapped[str] = mapped_column(String(16))
    grading_progress: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending | delivered | failed
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


__all__ += ["AccessToken", "ScoreRecord"]


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
    format: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled | running | closed
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
    role: Mapped[str] = mapped_column(String(32), default="")
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
    kind: Mapped[str] = mapped_column(String(16))  # feedback | feedforward
    prompt: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
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
    reason: Mapped[str] = mapped_column(String(16))  # learner | retention
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ += [
    "GroupFeedback",
    "GroupParticipant",
    "GroupSession",
    "ReflectionErasure",
    "ReflectionShare",
    "ToolkitSchedule",
]


class RegistryVersion(Base):
    """One row whose `version` grows whenever a registration, deployment, platform key set or
    subscription changes (in the same transaction, `services.registry`).

    Every process caches registrations and reads this one integer per request, so a platform added by
    `swott platform add` or Dynamic Registration reaches every worker on its next request (issue 9,
    defect 9; issue 15 item 2).
    """

    __tablename__ = "registry_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


__all__ += ["RegistryVersion"]


# --- Programmes (issue 16): a cohort's weeks of CPD run from a course (`lti_tool.services.programmes`) ---


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
    """Roles in an action learning set meeting; they rotate from meeting to meeting."""

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
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.PLANNING.value)
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
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(default=60)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    place: Mapped[str] = mapped_column(String(255), default="")
    video_link: Mapped[str] = mapped_column(String(1024), default="")
    fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.SCHEDULED.value)
    uid: Mapped[str] = mapped_column(String(128), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeProgress(Base):
    """A participant on one event: status, attendance, and for a set meeting the role they held."""

    __tablename__ = "programme_progress"
    __table_args__ = (UniqueConstraint("participant_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participant.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("programme_event.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ProgressStatus.NOT_STARTED.value)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(16), default="")
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
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted
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


__all__ += [
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


class ExternalCpd(Base):
    """CPD a learner did outside the tool (a course, reading, supervision), recorded in their portfolio.

    So the regulator's counter covers all of a practitioner's CPD, not only toolkits (issue 10 item 10).
    Title, what was learnt, impact and the peer reflection are personal data: never logged. The peer is
    described by role ("a colleague in my team"), never named.
    """

    __tablename__ = "external_cpd"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    done_on: Mapped[date] = mapped_column(Date)
    activity_type: Mapped[str] = mapped_column(String(64))
    # Time spent in minutes (the form takes hours: 1.5 is 90 minutes).
    minutes: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    learnt: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    peer: Mapped[bool] = mapped_column(Boolean, default=False)
    peer_with: Mapped[str] = mapped_column(String(200), default="")
    peer_reflection: Mapped[str] = mapped_column(Text, default="")
    # SSSC core learning element ids (toolkits.cpd.SSSC_SOCIAL_WORK_ELEMENTS) the learning covers.
    elements: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PortfolioProfile(Base):
    """A learner's own regulator and registration details, for the portfolio's counter and exports.

    Everything optional: without a row the platform's default regulator applies
    (`Platform.default_regulator`) and periods that hang on a registration date are approximate.
    """

    __tablename__ = "portfolio_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), unique=True)
    regulator: Mapped[str] = mapped_column(String(8), default="")
    registered_on: Mapped[date | None] = mapped_column(Date, default=None)
    newly_qualified: Mapped[bool] = mapped_column(Boolean, default=False)
    part_time: Mapped[bool] = mapped_column(Boolean, default=False)
    manager_since: Mapped[date | None] = mapped_column(Date, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


__all__ += ["ExternalCpd", "PortfolioProfile"]


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
    phase: Mapped[str] = mapped_column(String(8))  # toolkits.model.Phase: before | after
    status: Mapped[str] = mapped_column(String(16))  # services.evaluation.Answer: answered | skipped
    confidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    open_answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    share_text: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionFeedback(Base):
    """A learner's two-minute feedback on one group session: how useful, what to change.

    Separate from the peer feedback and feedforward of `GroupFeedback`, which is about practice; this is
    about the session, for whoever runs the next one.
    """

    __tablename__ = "session_feedback"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("group_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))  # answered | skipped
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
    status: Mapped[str] = mapped_column(String(16))  # answered | skipped | later
    remind_after: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    carried_out: Mapped[str] = mapped_column(String(8), default="")  # yes | partly | no
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
    kind: Mapped[str] = mapped_column(String(16), default="toolkit")  # toolkit | programme
    subject_id: Mapped[str] = mapped_column(String(64))  # the toolkit's (or programme's) id
    started_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    holder_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


__all__ += ["Certificate", "EvaluationResponse", "FollowUp", "SessionFeedback"]
