"""The lead's cohort view: participants × activities with status, attendance and who is falling behind.

Statuses (issue 16): *done*; *missed* once an activity's time has passed without it being done (an L1
past its due time, a session or meeting after it ended); *not started* otherwise. A toolkit L1 is done
when the learner completed that toolkit's L1 in this course (`Attempt.status` is `completed`); the other
kinds are done when the lead records attendance (or, for a one-to-one, when the meeting is marked
held). Protected time is agreed per participant, not completed, so it is not a column.

Bounded work: however many cohorts, participants and weeks, `build_many` runs four queries (events,
participants with their names, progress rows, completed L1s) — `bench/programmes.py` counts them.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from lti_tool.models import (
    Attempt,
    AttemptStatus,
    EventStatus,
    LtiUser,
    ProgrammeEvent,
    ProgrammeParticipant,
    ProgrammeProgress,
    ProgrammeRun,
    ProgressStatus,
    ResourceLink,
    SetRole,
)
from lti_tool.words import N_, NO, YES, Translate, english
from toolkits.programmes import ActivityKind

STATUS_LABELS: dict[str, str] = {
    ProgressStatus.NOT_STARTED: N_("Not started"),
    ProgressStatus.DONE: N_("Done"),
    ProgressStatus.MISSED: N_("Missed"),
    EventStatus.CANCELLED: N_("Cancelled"),
}


@dataclass(frozen=True)
class Column:
    event_id: int
    activity_id: str
    title: str
    kind: str
    starts_at: datetime
    due_at: datetime | None
    required: bool
    cancelled: bool

    @property
    def deadline(self) -> datetime:
        return self.due_at or self.starts_at


@dataclass(frozen=True)
class Cell:
    status: str
    attended: bool
    role: str = ""


@dataclass
class Row:
    participant_id: int
    user_id: int
    name: str
    coach: str
    mentor: str
    protected_hours: int
    cells: list[Cell] = field(default_factory=list)
    done_required: int = 0
    total_required: int = 0
    attended: int = 0
    missed: int = 0

    @property
    def behind(self) -> bool:
        """Falling behind: a required activity whose time has passed was missed."""
        return self.missed > 0

    @property
    def share_done(self) -> float:
        return self.done_required / self.total_required if self.total_required else 0.0

    @property
    def complete(self) -> bool:
        return self.total_required > 0 and self.done_required == self.total_required


@dataclass
class CohortView:
    run: ProgrammeRun
    columns: list[Column]
    rows: list[Row]

    @property
    def behind(self) -> list[Row]:
        return [r for r in self.rows if r.behind]


def _end(event: ProgrammeEvent) -> datetime:
    return event.due_at or event.starts_at + timedelta(minutes=event.minutes)


def cell_status(event: ProgrammeEvent, progress: ProgrammeProgress | None, l1_done: bool, now: datetime) -> str:
    if event.status == EventStatus.CANCELLED:
        return EventStatus.CANCELLED
    done = (
        l1_done
        if event.kind == ActivityKind.TOOLKIT_L1.value
        else (progress is not None and progress.status == ProgressStatus.DONE)
    )
    if done:
        return ProgressStatus.DONE
    if (progress is not None and progress.status == ProgressStatus.MISSED) or _end(event) < now:
        return ProgressStatus.MISSED
    return ProgressStatus.NOT_STARTED


def _completed_l1s(session: Session, context_ids: set[int], user_ids: set[int]) -> set[tuple[int, int, str]]:
    """(context id, user id, toolkit id) of every completed L1 of these learners in these courses."""
    if not user_ids:
        return set()
    rows = session.execute(
        select(ResourceLink.context_id, Attempt.user_id, Attempt.toolkit_id)
        .join(ResourceLink, ResourceLink.id == Attempt.resource_link_id)
        .where(
            ResourceLink.context_id.in_(context_ids),
            Attempt.user_id.in_(user_ids),
            Attempt.status == AttemptStatus.COMPLETED,
        )
    )
    return {(c, u, t) for c, u, t in rows}


def build_many(
    session: Session, runs: Sequence[ProgrammeRun], now: datetime, toolkit_of: Mapping[int, Mapping[str, str]]
) -> list[CohortView]:
    """One view per run. `toolkit_of[run id][activity id]` names the toolkit of each L1 activity."""
    if not runs:
        return []
    run_ids = [r.id for r in runs]
    by_run: dict[int, list[ProgrammeEvent]] = defaultdict(list)
    for event in session.scalars(
        select(ProgrammeEvent)
        .where(ProgrammeEvent.run_id.in_(run_ids))
        .order_by(ProgrammeEvent.starts_at, ProgrammeEvent.id)
    ):
        if event.kind != ActivityKind.PROTECTED_TIME.value:
            by_run[event.run_id].append(event)
    coach, mentor = aliased(LtiUser), aliased(LtiUser)
    people = session.execute(
        select(ProgrammeParticipant, LtiUser.name, coach.name, mentor.name)
        .join(LtiUser, LtiUser.id == ProgrammeParticipant.user_id)
        .outerjoin(coach, coach.id == ProgrammeParticipant.coach_id)
        .outerjoin(mentor, mentor.id == ProgrammeParticipant.mentor_id)
        .where(ProgrammeParticipant.run_id.in_(run_ids))
        .order_by(LtiUser.name, LtiUser.id)
    )
    members: dict[int, list[tuple[ProgrammeParticipant, str, str, str]]] = defaultdict(list)
    for participant, name, coach_name, mentor_name in people:
        members[participant.run_id].append((participant, name or "", coach_name or "", mentor_name or ""))
    participant_ids = [p.id for group in members.values() for p, *_ in group]
    progress: dict[tuple[int, int], ProgrammeProgress] = {}
    if participant_ids:
        for found_row in session.scalars(
            select(ProgrammeProgress).where(ProgrammeProgress.participant_id.in_(participant_ids))
        ):
            progress[(found_row.participant_id, found_row.event_id)] = found_row
    l1s = _completed_l1s(
        session, {r.context_id for r in runs}, {p.user_id for group in members.values() for p, *_ in group}
    )
    views = []
    for run in runs:
        run_events = by_run.get(run.id, [])
        columns = [
            Column(e.id, e.activity_id, e.title, e.kind, e.starts_at, e.due_at, e.required,
                   e.status == EventStatus.CANCELLED)
            for e in run_events
        ]  # fmt: skip
        rows = []
        for participant, name, coach_name, mentor_name in members.get(run.id, []):
            row = Row(participant.id, participant.user_id, name or f"Learner {participant.user_id}",
                      coach_name, mentor_name, participant.protected_hours)  # fmt: skip
            for event in run_events:
                found = progress.get((participant.id, event.id))
                toolkit = toolkit_of.get(run.id, {}).get(event.activity_id, "")
                l1_done = (run.context_id, participant.user_id, toolkit) in l1s
                status = cell_status(event, found, l1_done, now)
                attended = bool(found and found.attended)
                row.cells.append(Cell(status, attended, found.role if found else ""))
                if event.required and status != EventStatus.CANCELLED:
                    row.total_required += 1
                    row.done_required += status == ProgressStatus.DONE
                    row.missed += status == ProgressStatus.MISSED
                row.attended += attended
            rows.append(row)
        views.append(CohortView(run, columns, rows))
    return views


CSV_HEADER = (N_("cohort"), N_("participant"), N_("coach"), N_("mentor"), N_("protected hours a week"),
              N_("activity"), N_("date (UTC)"), N_("required"), N_("status"), N_("attended"), N_("role"))  # fmt: skip
ROLE_WORDS = {"presenter": N_("presenter"), "consultant": N_("consultant"), "facilitator": N_("facilitator")}
"""An action learning set's roles as the CSV writes them: the stored value, in the lead's language."""


def to_csv(views: Iterable[CohortView], gettext: Translate = english) -> str:
    """One line per participant and activity (long format): easy to filter and pivot in a spreadsheet.

    The headings and the words in cells (status, yes and no, role) are in the lead's language (the view
    passes its `gettext`); names and titles are as written, dates ISO in UTC, in every language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext(heading) for heading in CSV_HEADER])
    yes, no = gettext(YES), gettext(NO)
    for view in views:
        for row in view.rows:
            for column, cell in zip(view.columns, row.cells, strict=True):
                writer.writerow([
                    _safe(view.run.cohort_name), _safe(row.name), _safe(row.coach), _safe(row.mentor),
                    row.protected_hours, _safe(column.title), column.deadline.strftime("%Y-%m-%d %H:%M"),
                    yes if column.required else no, gettext(STATUS_LABELS[cell.status]),
                    yes if cell.attended else no, gettext(ROLE_WORDS.get(cell.role, cell.role)) if cell.role else "",
                ])  # fmt: skip
    return out.getvalue()


def _safe(text: str) -> str:
    """Defuse spreadsheet formulas in names and titles (OWASP "CSV Injection")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_attendance(
    session: Session,
    event: ProgrammeEvent,
    participant_ids: Iterable[int],
    present: set[int],
    roles: Mapping[int, str] | None = None,
) -> None:
    """The lead's register for a session: present participants are done, the rest missed; set roles."""
    roles = roles or {}
    existing = {
        p.participant_id: p
        for p in session.scalars(select(ProgrammeProgress).where(ProgrammeProgress.event_id == event.id))
    }
    for pid in participant_ids:
        row = existing.get(pid)
        if row is None:
            row = ProgrammeProgress(participant_id=pid, event_id=event.id)
            session.add(row)
        row.attended = pid in present
        row.status = ProgressStatus.DONE if pid in present else ProgressStatus.MISSED
        role = roles.get(pid, "")
        row.role = SetRole(role) if role in {r.value for r in SetRole} else SetRole.NONE
    event.status = EventStatus.HELD
    session.flush()


def mark(session: Session, event: ProgrammeEvent, participant_id: int, status: ProgressStatus) -> None:
    """Set one participant's status on one event (a one-to-one held, a discovery day done)."""
    row = session.scalars(
        select(ProgrammeProgress).where(
            ProgrammeProgress.event_id == event.id, ProgrammeProgress.participant_id == participant_id
        )
    ).first()
    if row is None:
        row = ProgrammeProgress(participant_id=participant_id, event_id=event.id)
        session.add(row)
    row.status = status
    row.attended = status is ProgressStatus.DONE
    session.flush()
