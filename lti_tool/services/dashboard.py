"""The facilitator dashboard: who is ready for L2, who has finished, who missed the L1 deadline.

Plain Python over SQLAlchemy (no Flask). One row per learner of the course: L1 status and score,
whether the L1 reflection was submitted (never its text), L2 session and attendance, whether the L2
reflection was submitted; counts, filters and a CSV export.

It stays fast for a council-wide course of 10,000 learners (issue #15 item 4: under 300 ms) by asking
the database a fixed number of questions whatever the number of learners (seven: deadline, links,
learners, attempts, reflections, erasures, sessions and participants), each reading only the columns
it needs as plain tuples (no ORM objects), joining the answers in one pass in memory, and showing the
page a screen at a time (`Dashboard.page`); the CSV has every row. Reflection rows are read column by
column — status, never `fields` — so the text of a reflection is never even loaded here.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import case, func, null, select
from sqlalchemy.orm import Session

from lti_tool.models import (
    Attempt,
    AttemptStatus,
    Enrolment,
    GroupParticipant,
    GroupSession,
    LinkPart,
    LtiUser,
    Reflection,
    ReflectionErasure,
    ReflectionShare,
    ReflectionStatus,
    ResourceLink,
    SessionStatus,
    ToolkitSchedule,
    utcnow,
)
from lti_tool.words import N_, NO, YES, Translate, english
from toolkits.model import CompletionPart, Toolkit

PAGE_SIZE = 100
"""Learners per dashboard page: a screen a facilitator can scan (the CSV has everyone)."""


class L1Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


L1_LABELS = {
    L1Status.NOT_STARTED: N_("Not started"),
    L1Status.IN_PROGRESS: N_("In progress"),
    L1Status.COMPLETED: N_("Completed"),
}
"""English; the dashboard page and its CSV show each through gettext, as the page does FILTER_LABELS."""


class Filter(StrEnum):
    """The dashboard's filters; each names a question a facilitator asks."""

    ALL = "all"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"
    READY_FOR_L2 = "ready_for_l2"
    MISSED_L2 = "missed_l2"
    L2_REFLECTION_MISSING = "l2_reflection_missing"
    FINISHED = "finished"


FILTER_LABELS = {
    Filter.ALL: N_("Everyone"),
    Filter.NOT_STARTED: N_("L1 not started"),
    Filter.IN_PROGRESS: N_("L1 in progress"),
    Filter.COMPLETED: N_("L1 completed"),
    Filter.OVERDUE: N_("Not finished by the deadline"),
    Filter.READY_FOR_L2: N_("Ready for L2"),
    Filter.MISSED_L2: N_("Invited to L2, not there"),
    Filter.L2_REFLECTION_MISSING: N_("Attended L2, no reflection yet"),
    Filter.FINISHED: N_("Finished L1 and L2"),
}


@dataclass(frozen=True)
class Row:
    """One learner's line. Says whether reflections exist, never what they say."""

    user_id: int
    name: str
    l1_status: L1Status
    l1_percent: int
    l1_score: float | None
    l1_passed: bool | None
    l1_completed_at: datetime | None
    l1_reflection: bool
    l1_reflection_shared: bool
    l2_session_id: int | None
    l2_session_starts_at: datetime | None
    l2_session_closed: bool
    l2_attended: bool
    l2_reflection: bool
    l2_reflection_shared: bool
    overdue: bool

    @property
    def invited_to_l2(self) -> bool:
        return self.l2_session_id is not None

    @property
    def finished(self) -> bool:
        return self.l1_status is L1Status.COMPLETED and self.l2_attended and self.l2_reflection

    @property
    def l2_label(self) -> str:
        if self.l2_session_id is None:
            return N_("Not invited")
        if not self.l2_session_closed:
            return N_("Invited")
        return N_("Attended") if self.l2_attended else N_("Did not attend")

    def matches(self, wanted: Filter) -> bool:
        return wanted in self.filters()

    def filters(self) -> set[Filter]:
        """Every filter this learner appears under (computed once per row for the counts)."""
        completed = self.l1_status is L1Status.COMPLETED
        found = {Filter.ALL, _STATUS_FILTER[self.l1_status]}
        if self.overdue:
            found.add(Filter.OVERDUE)
        if completed and not self.l2_attended:
            found.add(Filter.READY_FOR_L2)
        if self.l2_session_closed and not self.l2_attended:
            found.add(Filter.MISSED_L2)
        if self.l2_attended and not self.l2_reflection:
            found.add(Filter.L2_REFLECTION_MISSING)
        if self.finished:
            found.add(Filter.FINISHED)
        return found


_STATUS_FILTER = {
    L1Status.NOT_STARTED: Filter.NOT_STARTED,
    L1Status.IN_PROGRESS: Filter.IN_PROGRESS,
    L1Status.COMPLETED: Filter.COMPLETED,
}


@dataclass(frozen=True)
class Page:
    """One screen of the dashboard: `number` counts from 1, `pages` is at least 1."""

    rows: list[Row]
    number: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based), for "learners 101 to 200 of 10,000"."""
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass(frozen=True)
class Dashboard:
    toolkit_id: str
    toolkit_title: str
    deadline: datetime | None
    rows: list[Row]
    counts: dict[Filter, int] = field(default_factory=dict)
    shared: dict[int, list[int]] = field(default_factory=dict)
    """User id → ids of the reflections they shared with the facilitators of this course."""

    def filtered(self, wanted: Filter) -> list[Row]:
        if wanted is Filter.ALL:
            return self.rows
        return [r for r in self.rows if r.matches(wanted)]

    def page(self, wanted: Filter, number: int, size: int = PAGE_SIZE) -> Page:
        """The `number`th screen of the learners under `wanted` (out-of-range numbers are clamped)."""
        rows = self.filtered(wanted)
        pages = max(1, math.ceil(len(rows) / size))
        number = min(max(1, number), pages)
        return Page(rows[(number - 1) * size : number * size], number, pages, len(rows))


def parse_page(value: str | None) -> int:
    """A page number from the query string; anything that is not a positive number is page 1."""
    return int(value) if value and value.isdigit() and 0 < len(value) < 7 else 1


def parse_filter(value: str | None) -> Filter:
    try:
        return Filter(value or Filter.ALL)
    except ValueError:
        return Filter.ALL


def build(session: Session, *, context_id: int, toolkit: Toolkit, now: datetime | None = None) -> Dashboard:
    """Every learner of the course for this toolkit, in a fixed number of queries."""
    now = now or utcnow()
    # Plain Core rows through the session's connection: the ORM's row loading costs more than the
    # database itself for 10,000 rows, and nothing here needs identity or change tracking.
    db = session.connection()
    deadline = db.scalar(
        select(ToolkitSchedule.l1_deadline).where(
            ToolkitSchedule.context_id == context_id, ToolkitSchedule.toolkit_id == toolkit.id
        )
    )
    links = db.execute(
        select(ResourceLink.id, ResourceLink.part).where(
            ResourceLink.context_id == context_id, ResourceLink.toolkit_id == toolkit.id
        )
    ).all()
    l1_links = [link_id for link_id, part in links if part == LinkPart.L1]
    l2_links = [link_id for link_id, part in links if part == LinkPart.L2]

    learners = db.execute(
        select(LtiUser.id, LtiUser.name)
        .join(Enrolment, Enrolment.user_id == LtiUser.id)
        .where(Enrolment.context_id == context_id, Enrolment.role == "learner", Enrolment.active.is_(True))
        .order_by(LtiUser.name, LtiUser.id)
    ).all()

    attempts: dict[int, _Attempt] = {}
    if l1_links:
        # The pages and answers (JSON) are only needed for the percent of an unfinished attempt; decoding
        # them for every finished one too was most of the time for 10,000 learners. How far an attempt got
        # (to pick between two) is counted by the database: json_array_length exists in SQLite and PostgreSQL.
        unfinished = Attempt.status != AttemptStatus.COMPLETED
        for row in db.execute(
            select(
                Attempt.user_id,
                Attempt.status,
                Attempt.score_percent,
                Attempt.passed,
                case((unfinished, Attempt.pages_viewed), else_=null()).label("pages_viewed"),
                case((unfinished, Attempt.answers), else_=null()).label("answers"),
                Attempt.completed_at,
                func.json_array_length(Attempt.pages_viewed),
            ).where(Attempt.resource_link_id.in_(l1_links))
        ).all():
            candidate = _Attempt(*row[1:])
            held = attempts.get(row[0])
            # With two L1 placements of one toolkit, the more advanced attempt counts.
            if held is None or candidate.rank > held.rank:
                attempts[row[0]] = candidate

    submitted: dict[tuple[int, str], bool] = {}
    shared: set[tuple[int, str]] = set()
    shared_ids: dict[int, list[int]] = {}
    part_of = dict(links)
    if links:
        for user_id, link_id, reflection_id, status, share_id in db.execute(
            select(
                Reflection.user_id, Reflection.resource_link_id, Reflection.id, Reflection.status, ReflectionShare.id
            )
            .outerjoin(ReflectionShare, ReflectionShare.reflection_id == Reflection.id)
            .where(Reflection.resource_link_id.in_(part_of))
            .order_by(Reflection.id)
        ).all():
            key = (user_id, part_of[link_id])
            submitted[key] = submitted.get(key, False) or status == ReflectionStatus.SUBMITTED
            if share_id is not None:
                shared.add(key)
                ids = shared_ids.setdefault(user_id, [])
                if reflection_id not in ids:
                    ids.append(reflection_id)
        for user_id, link_id in db.execute(
            select(ReflectionErasure.user_id, ReflectionErasure.resource_link_id).where(
                ReflectionErasure.resource_link_id.in_(part_of), ReflectionErasure.was_submitted.is_(True)
            )
        ).all():
            submitted[(user_id, part_of[link_id])] = True

    invitations: dict[int, tuple[int, datetime, bool, bool]] = {}
    for user_id, session_id, starts_at, group_status, attended in db.execute(
        select(
            GroupParticipant.user_id,
            GroupSession.id,
            GroupSession.starts_at,
            GroupSession.status,
            GroupParticipant.attended,
        )
        .join(GroupSession, GroupSession.id == GroupParticipant.session_id)
        .where(GroupSession.context_id == context_id, GroupSession.toolkit_id == toolkit.id)
        .order_by(GroupSession.starts_at)
    ).all():
        held_invite = invitations.get(user_id)
        # Invited to several sessions (moved to a later group): the one attended, else the latest.
        if held_invite is None or attended or not held_invite[3]:
            invitations[user_id] = (session_id, starts_at, group_status == SessionStatus.CLOSED, bool(attended))

    rows: list[Row] = []
    percent_done = _PercentRule(toolkit)
    for user_id, name in learners:
        attempt = attempts.get(user_id)
        has_l1_reflection = submitted.get((user_id, LinkPart.L1), False)
        if attempt is None:
            status_, percent = L1Status.NOT_STARTED, 0
        elif attempt.status == AttemptStatus.COMPLETED:
            status_, percent = L1Status.COMPLETED, 100
        else:
            status_ = L1Status.IN_PROGRESS
            percent = percent_done(attempt, has_l1_reflection)
        completed_at = attempt.completed_at if attempt is not None else None
        overdue = deadline is not None and (
            (status_ is not L1Status.COMPLETED and now > deadline)
            or (completed_at is not None and completed_at > deadline)
        )
        invite = invitations.get(user_id)
        rows.append(
            Row(
                user_id=user_id,
                name=name or f"Learner {user_id}",
                l1_status=status_,
                l1_percent=percent,
                l1_score=attempt.score_percent if attempt is not None and status_ is L1Status.COMPLETED else None,
                l1_passed=attempt.passed if attempt is not None else None,
                l1_completed_at=completed_at,
                l1_reflection=has_l1_reflection,
                l1_reflection_shared=(user_id, LinkPart.L1) in shared,
                l2_session_id=invite[0] if invite else None,
                l2_session_starts_at=invite[1] if invite else None,
                l2_session_closed=invite[2] if invite else False,
                l2_attended=invite[3] if invite else False,
                l2_reflection=submitted.get((user_id, LinkPart.L2), False) and bool(l2_links),
                l2_reflection_shared=(user_id, LinkPart.L2) in shared,
                overdue=overdue,
            )
        )
    counts = dict.fromkeys(Filter, 0)
    for row_ in rows:
        for wanted in row_.filters():
            counts[wanted] += 1
    return Dashboard(toolkit.id, toolkit.title, deadline, rows, counts, shared_ids)


class _Attempt(NamedTuple):
    """The columns of one L1 attempt the dashboard needs (a tuple: an ORM object per row costs 40 µs)."""

    status: str
    score_percent: float | None
    passed: bool | None
    pages_viewed: Sequence[str] | None  # None once completed: not read
    answers: dict[str, Any] | None  # likewise
    completed_at: datetime | None
    pages_count: int | None

    @property
    def rank(self) -> tuple[int, int]:
        return (1 if self.status == AttemptStatus.COMPLETED else 0, self.pages_count or 0)


class _PercentRule:
    """`progress.percent_done` for many rows at once: the toolkit's page and question ids as sets.

    Same rule (the toolkit's completion parts: pages viewed, checks answered, reflection submitted),
    checked against `progress.percent_done` by tests/lti_tool/services/test_dashboard.py.
    """

    def __init__(self, toolkit: Toolkit) -> None:
        parts = toolkit.l1.completion
        self.pages = frozenset(p.id for p in toolkit.l1.pages) if CompletionPart.PAGES in parts else frozenset()
        self.questions = (
            frozenset(q.id for q in toolkit.l1.questions) if CompletionPart.CHECKS in parts else frozenset()
        )
        self.reflection = CompletionPart.REFLECTION in parts
        self.total = len(self.pages) + len(self.questions) + int(self.reflection)

    def __call__(self, attempt: _Attempt, submitted: bool) -> int:
        if self.total == 0:
            return 100
        done = len(self.pages.intersection(attempt.pages_viewed or ()))
        done += len(self.questions.intersection(attempt.answers or ()))
        done += int(self.reflection and submitted)
        return math.floor(100 * done / self.total)


CSV_HEADER = (
    N_("Name"),
    N_("L1 status"),
    N_("L1 progress %"),
    N_("L1 score %"),
    N_("L1 completed at (UTC)"),
    N_("L1 reflection submitted"),
    N_("Not finished by the deadline"),
    N_("L2 session"),
    N_("L2 attendance"),
    N_("L2 reflection submitted"),
)


def to_csv(rows: Iterable[Row], gettext: Translate = english) -> str:
    """The dashboard as CSV for a spreadsheet; names that look like formulas are defused.

    The headings and the words in cells (statuses, yes and no) are in the facilitator's language (the view
    passes its `gettext`); the columns, numbers and ISO dates are the same in every language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext(heading) for heading in CSV_HEADER])
    yes, no = gettext(YES), gettext(NO)
    for row in rows:
        writer.writerow(
            (
                _cell(row.name),
                gettext(L1_LABELS[row.l1_status]),
                row.l1_percent,
                "" if row.l1_score is None else f"{row.l1_score:g}",
                row.l1_completed_at.strftime("%Y-%m-%d %H:%M") if row.l1_completed_at else "",
                yes if row.l1_reflection else no,
                yes if row.overdue else no,
                row.l2_session_starts_at.strftime("%Y-%m-%d %H:%M") if row.l2_session_starts_at else "",
                gettext(row.l2_label),
                yes if row.l2_reflection else no,
            )
        )
    return out.getvalue()


def _cell(text: str) -> str:
    # Spreadsheets run a cell starting with = + - @ as a formula (CSV injection): a platform's user
    # name is not ours to trust.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
