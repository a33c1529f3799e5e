"""An SSSC employer's verification of a learner's CPL: a secret, revocable link and its sign-off.

SSSC news, "Verifying your staff's continuous professional learning (CPL)" (21 April 2025),
https://news.sssc.uk.com/news/verifying-your-staffs-continuous-professional-learning-cpl (read
1 December 2026): from 3 May 2025 a sampled registrant gives details of their CPL against the core
learning elements, and a person they select at their employer verifies it (docs/regulators.md).

The learner makes a link (like a certificate's check, but secret): whoever has it, with no LMS account,
sees that learner's CPL records of the current declaration year against the core learning elements, and
can sign them off once with their name, role and the date. Only the SHA-256 of the secret is stored, so
the learner sees the link once, when it is made. The learner can withdraw a link at any time; a
withdrawn or unknown link answers "not found" and shows nothing. Erasure removes every link and
sign-off (`remove_all`, called by `rights.erase_reflections`). Names and roles are never logged.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, NotFound
from lti_tool.models import CplVerification, utcnow
from lti_tool.services.regulators.base import ExportItem, ExportSection

TOKEN_BYTES = 24  # 32 URL-safe characters: not guessable


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignOff:
    """What the employer confirmed (for the portfolio page and the export)."""

    name: str
    role: str
    verified_on: date
    signed_at: datetime


def make_link(session: Session, *, user_id: int, now: datetime | None = None) -> tuple[CplVerification, str]:
    """A new verification link for this learner; returns the row and its secret (shown once)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = CplVerification(user_id=user_id, token_hash=_hash(token), created_at=now or utcnow())
    session.add(row)
    session.flush()
    return row, token


def by_token(session: Session, token: str) -> CplVerification:
    """The live link for a secret; "not found" for an unknown or withdrawn one (nothing is revealed)."""
    row = session.scalar(select(CplVerification).where(CplVerification.token_hash == _hash(token or "")))
    if row is None or row.revoked_at is not None:
        raise NotFound("There is no verification at this address.", reason="unknown_cpl_verification",
                       advice="Ask the person who sent you the link for a new one.")  # fmt: skip
    return row


def sign(
    session: Session, *, token: str, name: str, role: str, verified_on: date, now: datetime | None = None
) -> CplVerification:
    """The employer's sign-off, once per link."""
    row = by_token(session, token)
    if row.signed_at is not None:
        raise BadRequest("This verification has already been signed off.", reason="cpl_already_signed")
    row.verifier_name = name.strip()
    row.verifier_role = role.strip()
    row.verified_on = verified_on
    row.signed_at = now or utcnow()
    session.flush()
    return row


def revoke(session: Session, *, verification_id: int, user_id: int, now: datetime | None = None) -> None:
    """Withdraw one of the learner's own links ("not found" for anyone else's). A sign-off made before
    stays in the learner's portfolio; the link stops working."""
    row = session.get(CplVerification, verification_id)
    if row is None or row.user_id != user_id:
        raise NotFound("There is no such verification link.", reason="unknown_cpl_verification")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.flush()


def links(session: Session, *, user_id: int) -> Sequence[CplVerification]:
    """The learner's links, newest first."""
    return session.scalars(
        select(CplVerification).where(CplVerification.user_id == user_id).order_by(CplVerification.id.desc())
    ).all()


def sign_offs(session: Session, *, user_id: int) -> list[SignOff]:
    """Every sign-off of this learner's CPL, newest first."""
    return [
        SignOff(row.verifier_name, row.verifier_role, row.verified_on, row.signed_at)
        for row in links(session, user_id=user_id)
        if row.signed_at is not None and row.verified_on is not None
    ]


def export_section(sign_off: SignOff) -> ExportSection:
    """The SSSC export's "Employer verification" section, filled in from a sign-off."""
    return ExportSection(
        "Employer verification",
        (
            ExportItem("Verified by (name)", sign_off.name),
            ExportItem("Role", sign_off.role),
            ExportItem("Date", f"{sign_off.verified_on:%d/%m/%Y}"),
            ExportItem("I confirm this learning took place", "Yes (signed off online through SWOTT Connect)"),
        ),
    )


def remove_all(session: Session, *, user_id: int) -> int:
    """Erase every link and sign-off of this learner (their right to erasure); returns how many."""
    result = session.execute(
        delete(CplVerification).where(CplVerification.user_id == user_id).execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) or 0
