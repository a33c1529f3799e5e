"""Every piece of the portfolio as regulator-neutral `CpdRecord`s, and the portfolio as a regulator sees it.

A piece written after a toolkit takes what the toolkit counts for (`toolkit.yaml` `regulators:`):
SSSC core learning elements and mandatory learning, and NISCC hours for its part (L1 or L2). What the
learner wrote in the record wins: hours in `cpd_hours`, elements in `sssc_elements` (ids, comma
separated), and `cpd_supervision_appraisal` (yes) for NISCC first-line managers. Where neither gives
hours, the time the tool knows (`pieces`: the L2 session's length, else the toolkit's estimate).

CPD done elsewhere (`external`) joins them, so the counter covers all of a practitioner's CPD, and so
do programme reflections and completed programmes (`services.programmes.cpd`) and the impact on
practice a learner kept from a follow-up (`pieces.impact_pieces`): `every_piece`. A record's `ref` says
what it links to: `reflection:<id>` (a toolkit reflection the portfolio can open and share),
`external:<id>`, or a kind with no page of its own (`programme:<id>`, `programme-summary:<template>`,
`impact:<id>`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy.orm import Session

from lti_tool.models import utcnow
from lti_tool.services.portfolio import external
from lti_tool.services.portfolio.pieces import IMPACT_PART, Piece, impact_pieces, pieces
from lti_tool.services.programmes import cpd as programme_cpd
from lti_tool.services.regulators import Period, Registrant, Regulator, Status
from lti_tool.services.regulators.base import CpdRecord
from toolkits import Catalogue
from toolkits.model import RegulatorMapping

YES = frozenset({"yes", "y", "true", "on", "1"})


def _hours(text: str) -> float | None:
    try:
        hours = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return hours if 0 < hours < 1000 else None


def _ids(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def from_piece(piece: Piece, mapping: RegulatorMapping | None = None) -> CpdRecord:
    """One piece as a record; `mapping` is the toolkit's `regulators:` (None: the piece's own values only)."""
    mapping = mapping or RegulatorMapping()
    values = {f.id: text for f, text in piece.record + piece.reflection}
    hours, source = _hours(values.get("cpd_hours", "")), "entered"
    if hours is None:
        hours, source = mapping.hours_for(piece.part), "mapping"
    if hours is None and piece.minutes:
        hours, source = piece.minutes / 60, piece.minutes_source
    return CpdRecord(
        title=piece.title,
        day=piece.day,
        activity_type=piece.cpd_type,
        hours=hours,
        peer=piece.peer,
        elements=_ids(values.get("sssc_elements", "")) | frozenset(mapping.sssc_elements),
        mandatory=frozenset(mapping.sssc_mandatory),
        supervision_appraisal=values.get("cpd_supervision_appraisal", "").strip().lower() in YES,
        values=MappingProxyType(values),
        source=f"{piece.toolkit_id}/{piece.part}",
        ref=ref_of(piece),
        hours_source=source if hours is not None else "",
    )


def ref_of(piece: Piece) -> str:
    """What a piece's record links to (see the module docstring)."""
    if piece.part == programme_cpd.PART:
        return f"programme:{piece.reflection_id}"
    if piece.part == programme_cpd.SUMMARY_PART:
        return f"programme-summary:{piece.toolkit_id}-{piece.day.isoformat()}"
    if piece.part == IMPACT_PART:
        return f"impact:{piece.reflection_id}"
    return f"reflection:{piece.reflection_id}"


def every_piece(session: Session, *, user_id: int, catalogue: Catalogue, now: datetime) -> list[Piece]:
    """Toolkit reflections, programme reflections and completed programmes, and kept impact records."""
    found = pieces(session, user_id=user_id, catalogue=catalogue)
    found += programme_cpd.pieces(session, user_id=user_id, catalogue=catalogue)
    found += programme_cpd.completion_summaries(session, user_id=user_id, catalogue=catalogue, now=now)
    found += impact_pieces(session, user_id=user_id, catalogue=catalogue)
    return found


def from_pieces(all_pieces: Iterable[Piece], catalogue: Catalogue) -> list[CpdRecord]:
    """Every piece as a record, with its toolkit's mapping when the toolkit is still in the catalogue."""
    records = []
    for piece in all_pieces:
        toolkit = catalogue.get(piece.toolkit_id)
        records.append(from_piece(piece, toolkit.regulators if toolkit else None))
    return records


def all_records(
    session: Session, *, user_id: int, catalogue: Catalogue, now: datetime | None = None
) -> list[CpdRecord]:
    """Every piece (`every_piece`) and CPD done elsewhere, newest first."""
    found = from_pieces(every_piece(session, user_id=user_id, catalogue=catalogue, now=now or utcnow()), catalogue)
    found += [external.to_record(row) for row in external.entries(session, user_id=user_id)]
    return sorted(found, key=lambda r: (r.day, r.ref), reverse=True)


@dataclass(frozen=True)
class Overview:
    """The portfolio through one regulator's eyes: this period's counter, then earlier records."""

    regulator: Regulator
    registrant: Registrant
    today: date
    status: Status
    current: tuple[CpdRecord, ...]
    earlier: tuple[tuple[Period | None, tuple[CpdRecord, ...]], ...]

    @property
    def total_hours(self) -> float:
        return sum(r.hours or 0.0 for r in self.current)


def overview(
    regulator: Regulator, records: Sequence[CpdRecord], today: date, registrant: Registrant | None = None
) -> Overview:
    """Group the records: those in the period holding `today`, then earlier periods, newest first.

    Where the period hangs on a registration date the learner has not given (approximate), earlier
    records are one group without a period rather than made-up periods.
    """
    registrant = registrant or Registrant()
    status = regulator.status(records, today, registrant)
    current = tuple(r for r in records if r.day in status.period)
    groups: dict[Period | None, list[CpdRecord]] = {}
    for record in records:
        if record.day in status.period:
            continue
        key = None if status.period.approximate else regulator.period_containing(record.day, registrant)
        groups.setdefault(key, []).append(record)
    ordered = sorted(groups.items(), key=lambda item: item[0].start if item[0] else date.min, reverse=True)
    return Overview(regulator, registrant, today, status, current, tuple((p, tuple(rs)) for p, rs in ordered))
