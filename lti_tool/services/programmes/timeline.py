"""A participant's programme as a timeline of weeks: what is next, what is due, what is done.

Built from the cohort view's row of this participant only, so the page carries nobody else's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import ProgrammeEvent, ProgrammeParticipant, ProgrammeReflection, ProgrammeRun, ProgressStatus
from lti_tool.services.programmes import cohort, runs
from lti_tool.services.programmes.templates import toolkit_of
from toolkits.programmes import ActivityKind, Programme, SessionType

# The kinds whose every occurrence can yield its own CPD reflection (docs/programmes.md).
REFLECTIVE_KINDS = (ActivityKind.GROUP_SESSION.value, ActivityKind.ONE_TO_ONE.value, ActivityKind.DISCOVERY_DAY.value)


@dataclass(frozen=True)
class Item:
    event: ProgrammeEvent
    status: str
    label: str
    is_next: bool
    reflection_open: bool
    reflection_status: str  # "" | draft | submitted


@dataclass(frozen=True)
class WeekItems:
    number: int
    title: str
    focus: str
    items: tuple[Item, ...]


def week_of(event: ProgrammeEvent, programme: Programme | None, run: ProgrammeRun) -> int:
    activity = programme.activity(event.activity_id) if programme else None
    if activity is not None and event.occurrence < len(activity.occurrences):
        return activity.occurrences[event.occurrence].week
    return max(1, (event.starts_at.date() - run.starts_on).days // 7 + 1)


def reflective(programme: Programme | None, event: ProgrammeEvent) -> bool:
    """Whether this occurrence yields its own programme reflection: the template asks for one, and it is
    not a toolkit's L2 session (whose reflection is the toolkit's own L2 reflection, in the L2 pages)."""
    activity = programme.activity(event.activity_id) if programme else None
    if activity is None or not activity.reflection or activity.session is SessionType.TOOLKIT_L2:
        return False
    return event.kind in REFLECTIVE_KINDS


def reflections_of(session: Session, participant: ProgrammeParticipant) -> dict[int, ProgrammeReflection]:
    query = select(ProgrammeReflection).where(ProgrammeReflection.participant_id == participant.id)
    return {r.event_id: r for r in session.scalars(query)}


def build(
    session: Session, run: ProgrammeRun, participant: ProgrammeParticipant, programme: Programme | None, now: datetime
) -> list[WeekItems]:
    view = cohort.build_many(session, [run], now, {run.id: toolkit_of(programme)})[0]
    row = next(r for r in view.rows if r.participant_id == participant.id)
    by_id = {e.id: e for e in runs.events(session, run)}
    written = reflections_of(session, participant)
    weeks: dict[int, list[Item]] = {}
    next_found = False
    for column, cell in zip(view.columns, row.cells, strict=True):
        event = by_id[column.event_id]
        is_next = not next_found and cell.status == ProgressStatus.NOT_STARTED
        next_found = next_found or is_next
        reflection = written.get(event.id)
        open_ = reflective(programme, event) and cell.status == ProgressStatus.DONE
        item = Item(event, cell.status, cohort.STATUS_LABELS[cell.status], is_next, open_,
                    reflection.status if reflection else "")  # fmt: skip
        weeks.setdefault(week_of(event, programme, run), []).append(item)
    titles = {w.number: (w.title, w.focus) for w in programme.weeks} if programme else {}
    return [
        WeekItems(n, titles.get(n, (f"Week {n}", ""))[0], titles.get(n, ("", ""))[1], tuple(weeks[n]))
        for n in sorted(weeks)
    ]
