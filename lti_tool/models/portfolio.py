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
    # NISCC: learning in the professional supervision and appraisal of staff (a first-line manager's
    # requirement within two years of appointment: NISCC, Social Worker PRTL; services/regulators/niscc.py).
    supervision_appraisal: Mapped[bool] = mapped_column(Boolean, default=False)
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


class CplVerification(Base):
    """A secret, revocable link an SSSC learner gives their employer to verify their CPL (issue 13).

    SSSC news, "Verifying your staff's continuous professional learning (CPL)" (21 April 2025),
    https://news.sssc.uk.com/news/verifying-your-staffs-continuous-professional-learning-cpl : a sampled
    registrant's CPL details, against the core learning elements, are verified by a person they select
    at their employer. Only the SHA-256 of the link's secret is kept (the learner sees the link once).
    The verifier's name and role are personal data: never logged; erased with the learner's records.
    """

    __tablename__ = "cpl_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    verifier_name: Mapped[str] = mapped_column(String(200), default="")
    verifier_role: Mapped[str] = mapped_column(String(200), default="")
    verified_on: Mapped[date | None] = mapped_column(Date, default=None)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


__all__ = ["CplVerification", "ExternalCpd", "PortfolioProfile"]
