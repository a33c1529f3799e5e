"""Certificates for a completed toolkit (L1 completed and the L2 reflection submitted), and their check.

A certificate's `code` is 16 characters from an alphabet without look-alikes (no I, L, O, U, 0 or 1),
random from `secrets` (about 78 bits): a changed character names no certificate. The public check
(`verify`) answers only genuine, not found, revoked or erased: never whose it is or what it is for.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lti_tool.models import (
    Attempt,
    AttemptStatus,
    Certificate,
    CertificateKind,
    LinkPart,
    Reflection,
    ReflectionStatus,
    ResourceLink,
)
from toolkits.model import Toolkit

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 16
_NOT_CODE = re.compile(r"[^A-Z0-9]")


class Verdict(StrEnum):
    GENUINE = "genuine"
    NOT_FOUND = "not_found"
    REVOKED = "revoked"
    ERASED = "erased"


@dataclass(frozen=True)
class Completion:
    started_on: date
    completed_on: date


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise(code: str) -> str:
    """`abcd efgh-jkmn pqrs` -> `ABCD-EFGH-JKMN-PQRS` (what people type back from a printed page)."""
    raw = _NOT_CODE.sub("", code.upper())[: CODE_LENGTH + 1]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


Row = TypeVar("Row")


def _on_part(
    query: Select[Row],
    model: type[Attempt | Reflection],
    user_id: int,
    context_id: int,
    toolkit: Toolkit,
    part: LinkPart,
) -> Select[Row]:
    """`query` narrowed to the learner's rows of `model` on the toolkit's `part` links in the course."""
    return query.join(ResourceLink, ResourceLink.id == model.resource_link_id).where(
        model.user_id == user_id,
        ResourceLink.context_id == context_id,
        ResourceLink.toolkit_id == toolkit.id,
        ResourceLink.part == part,
    )


def completion(session: Session, *, user_id: int, context_id: int, toolkit: Toolkit) -> Completion | None:
    """When the learner started L1 and finished L2 in this course, or None if either is not done."""
    attempt = session.scalars(
        _on_part(select(Attempt), Attempt, user_id, context_id, toolkit, LinkPart.L1)
        .where(Attempt.status == AttemptStatus.COMPLETED)
        .order_by(Attempt.started_at)
    ).first()
    l2_done = session.scalar(
        _on_part(select(Reflection.submitted_at), Reflection, user_id, context_id, toolkit, LinkPart.L2)
        .where(Reflection.status == ReflectionStatus.SUBMITTED)
        .order_by(Reflection.submitted_at)
        .limit(1)
    )
    if attempt is None or l2_done is None:
        return None
    return Completion(attempt.started_at.date(), l2_done.date())


def find_mine(session: Session, *, user_id: int, context_id: int, toolkit_id: str) -> Certificate | None:
    return session.scalars(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.context_id == context_id,
            Certificate.kind == CertificateKind.TOOLKIT,
            Certificate.subject_id == toolkit_id,
        )
    ).first()


def issue(
    session: Session, *, user_id: int, platform_id: int, context_id: int, toolkit: Toolkit, now: datetime
) -> Certificate | None:
    """The learner's certificate for this toolkit in this course (made once), or None if not complete."""
    existing = find_mine(session, user_id=user_id, context_id=context_id, toolkit_id=toolkit.id)
    if existing is not None:
        return existing
    done = completion(session, user_id=user_id, context_id=context_id, toolkit=toolkit)
    if done is None:
        return None
    certificate = Certificate(
        code=new_code(), user_id=user_id, platform_id=platform_id, context_id=context_id, kind=CertificateKind.TOOLKIT,
        subject_id=toolkit.id, started_on=done.started_on, completed_on=done.completed_on,
        minutes=toolkit.total_minutes, issued_at=now,
    )  # fmt: skip
    session.add(certificate)
    session.flush()
    return certificate


def by_code(session: Session, code: str) -> Certificate | None:
    return session.scalars(select(Certificate).where(Certificate.code == normalise(code))).first()


def verify(session: Session, code: str) -> Verdict:
    certificate = by_code(session, code)
    if certificate is None:
        return Verdict.NOT_FOUND
    if certificate.holder_erased_at is not None or certificate.user_id is None:
        return Verdict.ERASED
    if certificate.revoked_at is not None:
        return Verdict.REVOKED
    return Verdict.GENUINE


def revoke(session: Session, code: str, *, now: datetime, by: str = "", by_user_id: int | None = None) -> bool:
    """Withdraw a certificate (issued in error, or its completion undone); True if there was one.

    `by` says who ("course lead", "operator <name>", "command line"), `by_user_id` the lead's user row;
    a second revocation keeps the first one's who and when.
    """
    certificate = by_code(session, code)
    if certificate is None:
        return False
    if certificate.revoked_at is None:
        certificate.revoked_at = now
        certificate.revoked_by = by[:200]
        certificate.revoked_by_user_id = by_user_id
    session.flush()
    return True


def in_course(session: Session, *, context_id: int, kind: str, subject_id: str | None) -> list[Certificate]:
    """The certificates issued in one course for one toolkit (or every programme: `subject_id` None),
    newest first: the lead's list."""
    query = select(Certificate).where(Certificate.context_id == context_id, Certificate.kind == kind)
    if subject_id is not None:
        query = query.where(Certificate.subject_id == subject_id)
    return list(session.scalars(query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def erase_holder(session: Session, *, user_id: int, now: datetime) -> int:
    """A learner's erasure: their certificates keep only that they existed (no holder, no course)."""
    rows = list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)))
    for row in rows:
        row.user_id, row.context_id, row.holder_erased_at = None, None, now
    session.flush()
    return len(rows)


def hours(minutes: int) -> str:
    """'2.9 hours' (one decimal; '3 hours' when whole)."""
    value = round(minutes / 60, 1)
    return f"{value:g} hour" + ("" if value == 1 else "s")
