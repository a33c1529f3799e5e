"""The learner's CPD portfolio: CPD done outside the tool and the portfolio profile."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base
from lti_tool.models.base import UTCDateTime, utcnow


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


__all__ = ["ExternalCpd", "PortfolioProfile"]
