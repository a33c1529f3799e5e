"""SQLAlchemy 2 typed models, one module per concern; every public name is re-exported here.

Importing this package registers every table on `Base.metadata` (Alembic's env relies on it).
"""

from __future__ import annotations

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, utcnow
from lti_tool.models.evaluation import (
    Answer,
    CarriedOut,
    Certificate,
    CertificateKind,
    EvaluationResponse,
    FollowUp,
    FollowUpStatus,
    LearnerFeed,
    SessionFeedback,
)
from lti_tool.models.l1 import Attempt, AttemptStatus, Reflection, ReflectionStatus
from lti_tool.models.l2 import (
    ErasureReason,
    FeedbackKind,
    FeedbackStatus,
    GroupFeedback,
    GroupParticipant,
    GroupSession,
    ParticipantRole,
    ReflectionErasure,
    ReflectionShare,
    SessionStatus,
    ToolkitSchedule,
)
from lti_tool.models.launches import Context, Enrolment, LaunchState, LinkPart, LtiUser, ResourceLink, UsedNonce
from lti_tool.models.passback import AccessToken, ActivityProgress, GradingProgress, ScoreRecord, ScoreStatus
from lti_tool.models.platforms import (
    Deployment,
    Platform,
    PlatformStatus,
    RegisteredBy,
    RegistrationInvite,
    RegistryVersion,
    Subscription,
    ToolKey,
)
from lti_tool.models.portfolio import CplVerification, ExternalCpd, PortfolioProfile
from lti_tool.models.programmes import (
    EventStatus,
    ProgrammeEvent,
    ProgrammeGoal,
    ProgrammeMeeting,
    ProgrammeParticipant,
    ProgrammeProgress,
    ProgrammeReflection,
    ProgrammeRun,
    ProgressStatus,
    RunStatus,
    SetRole,
)

__all__ = [
    "AccessToken",
    "ActivityProgress",
    "Answer",
    "Attempt",
    "AttemptStatus",
    "Base",
    "CarriedOut",
    "Certificate",
    "CertificateKind",
    "Context",
    "CplVerification",
    "Deployment",
    "Enrolment",
    "ErasureReason",
    "EvaluationResponse",
    "EventStatus",
    "ExternalCpd",
    "FeedbackKind",
    "FeedbackStatus",
    "FollowUp",
    "FollowUpStatus",
    "GradingProgress",
    "GroupFeedback",
    "GroupParticipant",
    "GroupSession",
    "LaunchState",
    "LearnerFeed",
    "LinkPart",
    "LtiUser",
    "ParticipantRole",
    "Platform",
    "PlatformStatus",
    "PortfolioProfile",
    "ProgrammeEvent",
    "ProgrammeGoal",
    "ProgrammeMeeting",
    "ProgrammeParticipant",
    "ProgrammeProgress",
    "ProgrammeReflection",
    "ProgrammeRun",
    "ProgressStatus",
    "Reflection",
    "ReflectionErasure",
    "ReflectionShare",
    "ReflectionStatus",
    "RegisteredBy",
    "RegistrationInvite",
    "RegistryVersion",
    "ResourceLink",
    "RunStatus",
    "ScoreRecord",
    "ScoreStatus",
    "SessionFeedback",
    "SessionStatus",
    "SetRole",
    "Subscription",
    "ToolKey",
    "ToolkitSchedule",
    "UTCDateTime",
    "UsedNonce",
    "utcnow",
]
