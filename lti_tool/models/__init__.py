"""SQLAlchemy 2 typed models, one module per concern; every public name is re-exported here.

Importing this package registers every table on `Base.metadata` (Alembic's env relies on it).
"""

from __future__ import annotations

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, utcnow
from lti_tool.models.evaluation import Certificate, EvaluationResponse, FollowUp, SessionFeedback
from lti_tool.models.l1 import Attempt, Reflection
from lti_tool.models.l2 import (
    GroupFeedback,
    GroupParticipant,
    GroupSession,
    ReflectionErasure,
    ReflectionShare,
    ToolkitSchedule,
)
from lti_tool.models.launches import Context, Enrolment, LaunchState, LtiUser, ResourceLink, UsedNonce
from lti_tool.models.passback import AccessToken, ScoreRecord
from lti_tool.models.platforms import Deployment, Platform, RegistrationInvite, RegistryVersion, Subscription, ToolKey
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
    "Attempt",
    "Base",
    "Certificate",
    "Context",
    "CplVerification",
    "Deployment",
    "Enrolment",
    "EvaluationResponse",
    "EventStatus",
    "ExternalCpd",
    "FollowUp",
    "GroupFeedback",
    "GroupParticipant",
    "GroupSession",
    "LaunchState",
    "LtiUser",
    "Platform",
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
    "RegistrationInvite",
    "RegistryVersion",
    "ResourceLink",
    "RunStatus",
    "ScoreRecord",
    "SessionFeedback",
    "SetRole",
    "Subscription",
    "ToolKey",
    "ToolkitSchedule",
    "UTCDateTime",
    "UsedNonce",
    "utcnow",
]
