"""CPD done elsewhere: what a learner records by hand so their regulator's counter covers all their CPD.

A course, reading, supervision or a team discussion outside SWOTT Connect counts towards Social Work
England's two pieces a year (docs/portfolio.md) as much as a toolkit does. Each record belongs to one
learner (`LtiUser`): anyone else asking for it gets "not found", so ids cannot be probed. The peer is
described by role, never named (the regulator's form asks what was learnt from the discussion, not who
with: docs/portfolio.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lti_tool.errors import NotFound
from lti_tool.models import ExternalCpd
from lti_tool.services.regulators.base import CpdRecord
from lti_tool.services.regulators.swe import PEER_FIELD


@dataclass(frozen=True)
class ExternalEntry:
    """What the learner typed about one piece of CPD done elsewhere."""

    title: str
    done_on: date
    activity_type: str
    minutes: int
    description: str = ""
    learnt: str = ""
    impact: str = ""
    peer: bool = False
    peer_with: str = ""
    peer_reflection: str = ""
    elements: tuple[str, ...] = field(default_factory=tuple)
    supervision_appraisal: bool = False  # NISCC first-line managers (services/regulators/niscc.py)


def _apply(row: ExternalCpd, entry: ExternalEntry) -> None:
    row.title = entry.title.strip()
    row.done_on = entry.done_on
    row.activity_type = entry.activity_type.strip()
    row.minutes = max(0, entry.minutes)
    row.description = entry.description.strip()
    row.learnt = entry.learnt.strip()
    row.impact = entry.impact.strip()
    row.peer = entry.peer
    # A "no" keeps no peer text: what is not a peer reflection must not read as one in an export.
    row.peer_with = entry.peer_with.strip() if entry.peer else ""
    row.peer_reflection = entry.peer_reflection.strip() if entry.peer else ""
    row.elements = sorted(set(entry.elements))
    row.supervision_appraisal = entry.supervision_appraisal


def add(session: Session, *, user_id: int, entry: ExternalEntry) -> ExternalCpd:
    row = ExternalCpd(user_id=user_id)
    _apply(row, entry)
    session.add(row)
    session.flush()
    return row


def get(session: Session, *, record_id: int, user_id: int) -> ExternalCpd:
    """The learner's own record; "not found" for anyone else's, so ids cannot be probed."""
    row = session.get(ExternalCpd, record_id)
    if row is None or row.user_id != user_id:
        raise NotFound("There is no such CPD record.", reason="unknown_external_cpd")
    return row


def update(session: Session, *, record_id: int, user_id: int, entry: ExternalEntry) -> ExternalCpd:
    row = get(session, record_id=record_id, user_id=user_id)
    _apply(row, entry)
    session.flush()
    return row


def remove(session: Session, *, record_id: int, user_id: int) -> None:
    row = get(session, record_id=record_id, user_id=user_id)
    session.delete(row)
    session.flush()


def remove_all(session: Session, *, user_id: int) -> int:
    """Erase every record of CPD done elsewhere of this learner (their right to erasure); returns how many."""
    result = session.execute(
        delete(ExternalCpd).where(ExternalCpd.user_id == user_id).execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) or 0


def entries(session: Session, *, user_id: int) -> Sequence[ExternalCpd]:
    """The learner's records, newest first."""
    return session.scalars(
        select(ExternalCpd)
        .where(ExternalCpd.user_id == user_id)
        .order_by(ExternalCpd.done_on.desc(), ExternalCpd.id.desc())
    ).all()


def as_entry(row: ExternalCpd) -> ExternalEntry:
    return ExternalEntry(
        title=row.title,
        done_on=row.done_on,
        activity_type=row.activity_type,
        minutes=row.minutes,
        description=row.description,
        learnt=row.learnt,
        impact=row.impact,
        peer=row.peer,
        peer_with=row.peer_with,
        peer_reflection=row.peer_reflection,
        elements=tuple(row.elements or ()),
        supervision_appraisal=row.supervision_appraisal,
    )


def peer_text(row: ExternalCpd) -> str:
    """The peer box as the regulator's form takes it: what was learnt, and with whom (by role)."""
    if not row.peer:
        return ""
    text = row.peer_reflection or "Discussed with a peer."
    return f"{text} (with {row.peer_with})" if row.peer_with else text


def to_record(row: ExternalCpd) -> CpdRecord:
    """One record of CPD done elsewhere as a regulator-neutral record (hours as entered)."""
    values = {
        "cpd_title": row.title,
        "cpd_date": row.done_on.isoformat(),
        "cpd_type": row.activity_type,
        "cpd_hours": f"{row.minutes / 60:g}" if row.minutes else "",
        "cpd_description": row.description,
        "cpd_learnt": row.learnt,
        "cpd_impact": row.impact,
        PEER_FIELD: peer_text(row),
        "sssc_elements": ", ".join(row.elements or ()),
        "cpd_supervision_appraisal": "yes" if row.supervision_appraisal else "",
    }
    return CpdRecord(
        title=row.title,
        day=row.done_on,
        activity_type=row.activity_type,
        hours=row.minutes / 60 if row.minutes else None,
        peer=row.peer,
        elements=frozenset(row.elements or ()),
        supervision_appraisal=row.supervision_appraisal,
        values=MappingProxyType(values),
        source="",
        ref=f"external:{row.id}",
        hours_source="entered" if row.minutes else "",
    )
