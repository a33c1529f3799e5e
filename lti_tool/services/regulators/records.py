"""Turn portfolio pieces (`lti_tool.services.portfolio.Piece`) into regulator-neutral `CpdRecord`s.

A piece written after a toolkit takes what the toolkit counts for (`toolkit.yaml` `regulators:`):
SSSC core learning elements and mandatory learning, and NISCC hours for its part (L1 or L2). What the
learner wrote in the record wins: hours in `cpd_hours`, elements in `sssc_elements` (ids, comma
separated), and `cpd_supervision_appraisal` (yes) for NISCC first-line managers.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from lti_tool.services.portfolio import Piece
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
    own_hours = _hours(values.get("cpd_hours", ""))
    return CpdRecord(
        title=piece.title,
        day=piece.day,
        activity_type=piece.cpd_type,
        hours=own_hours if own_hours is not None else mapping.hours_for(piece.part),
        peer=piece.peer,
        elements=_ids(values.get("sssc_elements", "")) | frozenset(mapping.sssc_elements),
        mandatory=frozenset(mapping.sssc_mandatory),
        supervision_appraisal=values.get("cpd_supervision_appraisal", "").strip().lower() in YES,
        values=MappingProxyType(values),
        source=f"{piece.toolkit_id}/{piece.part}",
    )


def from_pieces(pieces: Iterable[Piece], catalogue: Catalogue) -> list[CpdRecord]:
    """Every piece as a record, with its toolkit's mapping when the toolkit is still in the catalogue."""
    records = []
    for piece in pieces:
        toolkit = catalogue.get(piece.toolkit_id)
        records.append(from_piece(piece, toolkit.regulators if toolkit else None))
    return records
