"""Launch state and who launched what: users, courses (contexts), resource links and enrolments.

Every row that holds personal data (lti_user) is reached only through the platform that sent it, so one
platform's users can never be mixed with another's.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import Base
from lti_tool.lti.roles import Role
from lti_tool.models.base import UTCDateTime, str_enum, utcnow


class LinkPart(StrEnum):
    """What a resource link opens: a toolkit's L1 or L2, or a programme; or, made by the tool and never
    launched, one programme activity's gradebook column (`services.programmes.columns`). Two characters in
    the column."""

    L1 = "l1"
    L2 = "l2"
    PROGRAMME = "pg"
    PROGRAMME_ACTIVITY = "pa"


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
    part: Mapped[LinkPart] = mapped_column(str_enum(LinkPart, 2))
    lineitem_url: Mapped[str] = mapped_column(String(1024), default="")
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Enrolment(Base):
    """A user's role in a context as of their latest launch."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[LtiUser] = relationship()
    context: Mapped[Context] = relationship()


__all__ = ["Context", "Enrolment", "LaunchState", "LinkPart", "LtiUser", "ResourceLink", "UsedNonce"]
