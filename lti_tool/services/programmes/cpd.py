"""Programme reflections as CPD pieces, for the learner's portfolio (issue 16 item 8).

Each submitted reflection on a programme occurrence is one piece (a set that met three times gives
three), with `part="programme"` so the portfolio can tell them from toolkit L1/L2 reflections (whose
`reflection_id` names a `reflection` row; here it names a `programme_reflection` row). A piece counts
as peer reflection when its peer box is written (docs/programmes.md). `services.portfolio.pieces`
merges these in; nothing here reads another learner's rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import ProgrammeParticipant, ProgrammeRun

# The submodule, not the package: the package's `records` merges these pieces in (no import cycle).
from lti_tool.services.portfolio.pieces import Piece
from lti_tool.services.programmes import cohort, meetings, templates
from lti_tool.services.regulators.swe import PEER_FIELD
from toolkits import Catalogue
from toolkits.cpd import REFLECTIVE_MODELS, cpd_record_fields

PART = "programme"
SUMMARY_PART = "programme-summary"
MINUTES_SOURCE = "programme"  # a piece's time: the programme occurrence's planned length


def pieces(session: Session, *, user_id: int, catalogue: Catalogue) -> list[Piece]:
    """The learner's submitted programme reflections as portfolio pieces, newest first."""
    found: list[Piece] = []
    for reflection, event in meetings.submitted_reflections(session, user_id):
        run = session.get(ProgrammeRun, event.run_id)
        programme = templates.get(catalogue, run.template_id) if run else None
        values = dict(reflection.fields or {})
        record_fields = cpd_record_fields(PEER_FIELD in values)
        model_fields = REFLECTIVE_MODELS[reflection.model][1] if reflection.model in REFLECTIVE_MODELS else ()
        try:
            day = date.fromisoformat(values.get("cpd_date", "").strip())
        except ValueError:
            day = (reflection.submitted_at or event.starts_at).date()
        found.append(
            Piece(
                reflection_id=reflection.id,
                toolkit_id=run.template_id if run else "",
                toolkit_title=programme.title if programme else (run.template_id if run else ""),
                part=PART,
                model=reflection.model,
                title=values.get("cpd_title", "").strip() or event.title,
                day=day,
                cpd_type=values.get("cpd_type", ""),
                peer=bool(values.get(PEER_FIELD, "").strip()),
                shared=False,
                submitted_at=reflection.submitted_at,
                record=tuple((f, values.get(f.id, "")) for f in record_fields),
                reflection=tuple((f, values.get(f.id, "")) for f in model_fields),
                # The occurrence's planned length: the time the tool knows (the learner enters none here).
                minutes=event.minutes or None,
                minutes_source=MINUTES_SOURCE,
            )
        )
    return sorted(found, key=lambda p: (p.day, p.reflection_id), reverse=True)


def completion_summaries(session: Session, *, user_id: int, catalogue: Catalogue, now: datetime) -> list[Piece]:
    """One summary record per programme this learner has completed (every required activity done).

    A record of the whole programme, not a reflection (so `reflection_id` is 0 and it carries no
    reflective text): the title, the dates, and what was done, for the learner's CPD year.
    """
    found: list[Piece] = []
    for run in session.scalars(
        select(ProgrammeRun)
        .join(ProgrammeParticipant, ProgrammeParticipant.run_id == ProgrammeRun.id)
        .where(ProgrammeParticipant.user_id == user_id)
    ):
        programme = templates.get(catalogue, run.template_id)
        view = cohort.build_many(session, [run], now, {run.id: templates.toolkit_of(programme)})[0]
        row = next((r for r in view.rows if r.user_id == user_id), None)
        if row is None or not row.complete:
            continue
        title = programme.title if programme else run.template_id
        last = max(c.deadline for c in view.columns if not c.cancelled)
        values = {
            "cpd_title": f"Completed: {title}",
            "cpd_date": last.date().isoformat(),
            "cpd_type": "Course or training",
            "cpd_description": f"{len(view.columns)} programme activities from {run.starts_on.isoformat()}, "
            f"{row.done_required} of {row.total_required} required activities done, {row.attended} attended.",
        }
        record_fields = cpd_record_fields(False)
        found.append(
            Piece(
                reflection_id=0, toolkit_id=run.template_id, toolkit_title=title, part=SUMMARY_PART, model="",
                title=values["cpd_title"], day=last.date(), cpd_type=values["cpd_type"], peer=False, shared=False,
                submitted_at=None, record=tuple((f, values.get(f.id, "")) for f in record_fields), reflection=(),
            )
        )  # fmt: skip
    return found
