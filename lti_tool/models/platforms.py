"""Registered LTI platforms, their deployments, subscriptions, invites, the tool's keys and the registry version.

Table names are singular snake_case.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, str_enum, utcnow


class PlatformStatus(StrEnum):
    """A Dynamic Registration without an operator's invite waits as pending (issue 9, defect 1)."""

    ACTIVE = "active"
    PENDING = "pending"


class RegisteredBy(StrEnum):
    MANUAL = "manual"
    DYNAMIC = "dynamic"


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
    registered_by: Mapped[RegisteredBy] = mapped_column(str_enum(RegisteredBy, 32), default=RegisteredBy.MANUAL)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # active | pending. A Dynamic Registration without an operator's invite waits as "pending": it can
    # launch nothing and frame nothing until an operator approves it (issue 9, defect 1).
    status: Mapped[PlatformStatus] = mapped_column(str_enum(PlatformStatus, 16), default=PlatformStatus.ACTIVE)
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


__all__ = [
    "Deployment",
    "Platform",
    "PlatformStatus",
    "RegisteredBy",
    "RegistrationInvite",
    "RegistryVersion",
    "Subscription",
    "ToolKey",
]
