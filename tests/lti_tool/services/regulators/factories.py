"""A learner's year of CPD records, the same for every regulator's tests."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from lti_tool.services.regulators import CpdRecord


def record(
    title: str,
    day: date,
    *,
    hours: float | None = None,
    peer: bool = False,
    elements: tuple[str, ...] = (),
    mandatory: tuple[str, ...] = (),
    supervision_appraisal: bool = False,
    activity_type: str = "Course or training",
) -> CpdRecord:
    values = {
        "cpd_title": title,
        "cpd_type": activity_type,
        "cpd_description": f"Why {title} matters",
        "cpd_learnt": f"What I learnt from {title}",
        "cpd_impact": f"How {title} changed my practice",
    }
    if peer:
        values["cpd_peer"] = f"What a colleague and I took from {title}"
    return CpdRecord(
        title=title,
        day=day,
        activity_type=activity_type,
        hours=hours,
        peer=peer,
        elements=frozenset(elements),
        mandatory=frozenset(mandatory),
        supervision_appraisal=supervision_appraisal,
        values=MappingProxyType(values),
    )


def a_year_of_records() -> list[CpdRecord]:
    """Learning from January 2026 to November 2026, plus one piece from the year before."""
    return [
        record("Older course", date(2025, 6, 10), hours=30),
        record(
            "Participation L1",
            date(2026, 1, 15),
            hours=1.25,
            elements=("ethics-values-rights",),
            mandatory=("protection",),
        ),
        record(
            "Participation L2",
            date(2026, 2, 20),
            hours=1.25,
            peer=True,
            elements=("ethics-values-rights", "communication-engagement-relationships"),
        ),
        record(
            "Trauma awareness day",
            date(2026, 5, 1),
            hours=6,
            elements=("element-3", "element-4"),
            mandatory=("trauma",),
        ),
        record(
            "Supervising staff course", date(2026, 9, 9), hours=12, elements=("element-5",), supervision_appraisal=True
        ),
        record("Reading on assessment", date(2026, 11, 30), hours=2.5, activity_type="Reading or research"),
    ]
