"""What the sandbox platform knows: a course, its people, registered tools, placements and grades.

Plain dataclasses with no Flask; `Platform` keeps them in memory behind a lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)
ALL_SCOPES = (*AGS_SCOPES, SCOPE_NRPS)

ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_INSTITUTION_STAFF = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Staff"
ROLE_INSTITUTION_STUDENT = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"


@dataclass(frozen=True)
class User:
    """A person in the sandbox course. `key` is the handle tests use ("learner1", "facilitator")."""

    key: str
    sub: str
    given_name: str
    family_name: str
    email: str
    roles: tuple[str, ...]
    locale: str = "en-GB"
    """What the launch's `launch_presentation.locale` says (LTI Core 1.3 §5.4.4): a test sets `cy-GB`."""

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_instructor(self) -> bool:
        return ROLE_INSTRUCTOR in self.roles


@dataclass(frozen=True)
class Course:
    id: str
    label: str
    title: str
    type: str = COURSE_OFFERING


@dataclass
class Tool:
    """A registered tool (one client_id) with its single deployment in this platform."""

    client_id: str
    name: str
    initiate_login_uri: str
    redirect_uris: list[str]
    jwks_uri: str
    target_link_uri: str
    deployment_id: str
    #: Moodle's tool type id; it appears as `?type_id=N` on service URLs.
    type_id: int
    scopes: frozenset[str]
    deep_linking_uri: str = ""
    claims: list[str] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)
    #: The client registration the tool POSTed, kept as received (Dynamic Registration only).
    registration: dict[str, Any] = field(default_factory=dict)

    @property
    def deep_link_target(self) -> str:
        return self.deep_linking_uri or self.target_link_uri


@dataclass
class Placement:
    """A resource link in the course: what the learner clicks to launch the tool."""

    id: str
    client_id: str
    title: str
    url: str
    custom: dict[str, str] = field(default_factory=dict)
    text: str = ""
    line_item_id: str | None = None
    due: datetime | None = None


@dataclass
class LineItem:
    """A gradebook column (AGS 2.0 §3.2)."""

    id: str
    client_id: str
    label: str
    score_maximum: float
    resource_id: str = ""
    tag: str = ""
    resource_link_id: str = ""
    start_date_time: str = ""
    end_date_time: str = ""


@dataclass
class Grade:
    """The latest accepted score of one user on one line item."""

    user_id: str
    score_given: float | None
    score_maximum: float
    activity_progress: str
    grading_progress: str
    timestamp: datetime
    comment: str = ""


@dataclass(frozen=True)
class ScoreRecord:
    """One score POST as received, accepted or not, in arrival order (for tests and the gradebook)."""

    line_item_id: str
    client_id: str
    body: dict[str, Any]
    status: int
    reason: str


@dataclass
class PendingLaunch:
    """A launch the platform started; its id travels as `lti_message_hint` (LTI Security §5.1.1.1)."""

    hint: str
    client_id: str
    user_key: str
    message_type: str
    placement_id: str | None
    created: float
    used: bool = False
    #: In-process only: the claims a negative test forged for this launch, given the nonce
    #: (`sandbox_platform.forge`); the id_token carries them instead of the platform's own.
    forged: Callable[[str], dict[str, Any]] | None = None


@dataclass
class DeepLinkRequest:
    """An issued deep linking request; `data` must come back unchanged in the response (DL 2.0 §4.4.9)."""

    data: str
    client_id: str
    deployment_id: str
    user_key: str
    created: float
    used: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    scopes: frozenset[str]
    expires: float
    #: `Script.token_generation` when issued: `Script.revoke_tokens()` refuses older generations.
    generation: int = 0
