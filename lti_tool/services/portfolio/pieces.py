"""Submitted reflections as portfolio pieces, with the time the tool knows each one took.

A piece's date is the date the learner gave in the record, else the day they submitted it. Its time:
for an L2 reflection, the length of the group session the learner attended for that toolkit in that
course (started to closed), else the toolkit's planned L2 minutes; for an L1 reflection, the toolkit's
estimated L1 minutes (the tool does not time reading: a learner works in short bursts over days, so the
span from start to completion is not time spent).

`impact_pieces` turns the follow-up answers a learner kept as CPD (`services.evaluation.impact_records`)
into pieces of their own kind (`part="impact"`, `reflection_id` naming the `follow_up` row); the
programme's reflections and completion summaries come from `services.programmes.cpd`, and
`records.every_piece` merges all of them. `pieces` itself stays the toolkit L1/L2 reflections, whose
`reflection_id` names a `reflection` row (what reading and sharing act on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import (
    GroupParticipant,
    GroupSession,
    LinkPart,
    Reflection,
    ReflectionShare,
    ReflectionStatus,
    ResourceLink,
    utcnow,
)
from lti_tool.services.evaluation import impact_records
from lti_tool.services.regulators.swe import PEER_FIELD
from toolkits import Catalogue
from toolkits.cpd import REFLECTIVE_MODELS, Field, cpd_record_fields
from toolkits.model import Toolkit


@dataclass(frozen=True)
class Piece:
    """One submitted reflection as a CPD record."""

    reflection_id: int
    toolkit_id: str
    toolkit_title: str
    part: str
    model: str
    title: str
    day: date
    cpd_type: str
    peer: bool
    shared: bool
    submitted_at: datetime | None
    record: tuple[tuple[Field, str], ...]
    reflection: tuple[tuple[Field, str], ...]
    minutes: int | None = None
    # How `minutes` is known: "session" (the L2 session's length) or "estimate" (the toolkit's plan).
    minutes_source: str = ""

    @property
    def model_title(self) -> str:
        return REFLECTIVE_MODELS[self.model][0] if self.model in REFLECTIVE_MODELS else self.model

    def value(self, field_id: str) -> str:
        return next((text for f, text in self.record + self.reflection if f.id == field_id), "")


def _labelled(
    model: str, values: dict[str, str]
) -> tuple[tuple[tuple[Field, str], ...], tuple[tuple[Field, str], ...]]:
    record_fields = cpd_record_fields(PEER_FIELD in values)
    model_fields = REFLECTIVE_MODELS[model][1] if model in REFLECTIVE_MODELS else ()
    known = {f.id for f in record_fields} | {f.id for f in model_fields}
    extra = tuple(Field(k, k.replace("_", " ").capitalize(), "") for k in values if k not in known)
    record = tuple((f, values.get(f.id, "")) for f in record_fields)
    reflection = tuple((f, values.get(f.id, "")) for f in (*model_fields, *extra))
    return record, reflection


def _day(values: dict[str, str], submitted_at: datetime | None) -> date:
    try:
        return date.fromisoformat(values.get("cpd_date", "").strip())
    except ValueError:
        return (submitted_at or utcnow()).date()


def _session_minutes(session: Session, user_id: int, context_id: int, toolkit_id: str) -> int | None:
    """The length of the latest closed L2 session this learner attended for the toolkit in this course."""
    row = session.execute(
        select(GroupSession.started_at, GroupSession.closed_at)
        .join(GroupParticipant, GroupParticipant.session_id == GroupSession.id)
        .where(
            GroupParticipant.user_id == user_id,
            GroupParticipant.attended.is_(True),
            GroupSession.context_id == context_id,
            GroupSession.toolkit_id == toolkit_id,
            GroupSession.started_at.is_not(None),
            GroupSession.closed_at.is_not(None),
        )
        .order_by(GroupSession.closed_at.desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    minutes = round((row[1] - row[0]).total_seconds() / 60)
    return minutes if minutes > 0 else None


def _time(
    session: Session, reflection: Reflection, link: ResourceLink, toolkit: Toolkit | None
) -> tuple[int | None, str]:
    if link.part == LinkPart.L2:
        measured = _session_minutes(session, reflection.user_id, link.context_id, reflection.toolkit_id)
        if measured is not None:
            return measured, "session"
        return (toolkit.l2.minutes, "estimate") if toolkit else (None, "")
    return (toolkit.l1.minutes, "estimate") if toolkit else (None, "")


def pieces(session: Session, *, user_id: int, catalogue: Catalogue) -> list[Piece]:
    """The learner's submitted reflections, newest first (drafts are not CPD yet)."""
    rows = session.execute(
        select(Reflection, ResourceLink, ReflectionShare.id)
        .join(ResourceLink, ResourceLink.id == Reflection.resource_link_id)
        .outerjoin(ReflectionShare, ReflectionShare.reflection_id == Reflection.id)
        .where(Reflection.user_id == user_id, Reflection.status == ReflectionStatus.SUBMITTED)
    ).all()
    found: list[Piece] = []
    for reflection, link, share_id in rows:
        values = dict(reflection.fields or {})
        toolkit = catalogue.get(reflection.toolkit_id)
        record, body = _labelled(reflection.model, values)
        minutes, minutes_source = _time(session, reflection, link, toolkit)
        found.append(
            Piece(
                reflection_id=reflection.id,
                toolkit_id=reflection.toolkit_id,
                toolkit_title=toolkit.title if toolkit else reflection.toolkit_id,
                part=link.part,
                model=reflection.model,
                title=values.get("cpd_title", "").strip() or (toolkit.title if toolkit else reflection.toolkit_id),
                day=_day(values, reflection.submitted_at),
                cpd_type=values.get("cpd_type", ""),
                peer=bool(values.get(PEER_FIELD, "").strip()),
                shared=share_id is not None,
                submitted_at=reflection.submitted_at,
                record=record,
                reflection=body,
                minutes=minutes,
                minutes_source=minutes_source,
            )
        )
    return sorted(found, key=lambda p: (p.day, p.reflection_id), reverse=True)


IMPACT_PART = "impact"


def impact_pieces(session: Session, *, user_id: int, catalogue: Catalogue) -> list[Piece]:
    """The follow-up answers the learner chose to keep as CPD records of impact, newest first."""
    found: list[Piece] = []
    for row in impact_records(session, user_id):
        toolkit = catalogue.get(row.toolkit_id)
        toolkit_title = toolkit.title if toolkit else row.toolkit_id
        values = {
            "cpd_title": f"Impact on practice: {toolkit_title}",
            "cpd_date": row.recorded_on.isoformat(),
            "cpd_type": "Other",
            "cpd_description": f"{row.carried_out}. {row.what_happened}".strip(),
            "cpd_impact": row.impact,
        }
        record, _body = _labelled("", values)
        found.append(
            Piece(
                reflection_id=row.id, toolkit_id=row.toolkit_id, toolkit_title=toolkit_title, part=IMPACT_PART,
                model="", title=values["cpd_title"], day=row.recorded_on, cpd_type=values["cpd_type"], peer=False,
                shared=False, submitted_at=None, record=record, reflection=(),
            )
        )  # fmt: skip
    return sorted(found, key=lambda p: (p.day, p.reflection_id), reverse=True)
