"""The programme template model: activities, occurrences, weeks (format: toolkits/programmes/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from toolkits.checking import L2_MIN_MINUTES, Problem
from toolkits.model import GroupFormat, Questionnaire

MAX_FILE_BYTES = 128 * 1024  # the toolkit loader's limit for one text file
MAX_WEEKS = 52
DAYS_PER_WEEK = 7
MIN_SERIES = 2
# Minutes of one occurrence, per kind. A group session is at least an hour (docs/programmes.md; issue 16:
# each action learning set meeting); the upper bounds catch a typo (600 for 60), not a policy.
MINUTES = {
    "group-session": (L2_MIN_MINUTES, 480),
    "one-to-one": (30, 240),
    "discovery-day": (60, 480),
    "protected-time": (30, 2400),
}
COHORT_SIZE = (2, 30)
YEARS = (2000, 2100)
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ActivityKind(StrEnum):
    """What a programme activity is (`kind:` in the YAML)."""

    TOOLKIT_L1 = "toolkit-l1"
    GROUP_SESSION = "group-session"
    ONE_TO_ONE = "one-to-one"
    DISCOVERY_DAY = "discovery-day"
    PROTECTED_TIME = "protected-time"


class SessionType(StrEnum):
    """What a group session is (`session:`); each runs in the L2 session mode with a `GroupFormat` preset."""

    TOOLKIT_L2 = "toolkit-l2"
    WORKSHOP = "workshop"
    ACTION_LEARNING_SET = "action-learning-set"


class Support(StrEnum):
    """Who a one-to-one is with (`support:`)."""

    COACHING = "coaching"
    MENTORING = "mentoring"


@dataclass(frozen=True, order=True)
class Occurrence:
    """One time an activity happens (or, for a toolkit L1, opens): week and day from the start."""

    week: int
    day: int
    minutes: int
    fixed_date: date | None = None

    @property
    def offset_days(self) -> int:
        """Days after the programme start (day 1 of week 1 is 0)."""
        return (self.week - 1) * DAYS_PER_WEEK + self.day - 1

    def on(self, start: date) -> date:
        """The date for a programme starting on `start`: the fixed date if the author set one."""
        return self.fixed_date or start + timedelta(days=self.offset_days)


@dataclass(frozen=True)
class Activity:
    id: str
    kind: ActivityKind
    title: str
    occurrences: tuple[Occurrence, ...]
    required: bool
    reflection: bool
    line_item: bool
    toolkit: str | None = None
    session: SessionType | None = None
    format: GroupFormat | None = None
    support: Support | None = None
    due_days: int | None = None
    reflective_model: str | None = None
    summary: str = ""
    line: int = field(default=0, compare=False)

    @property
    def is_series(self) -> bool:
        return len(self.occurrences) > 1

    @property
    def peer_reflection(self) -> bool:
        """Social Work England counts discussion with peers, group sessions and action learning sets as
        peer reflection (docs/programmes.md); a coach or mentor is a professional who knows the practice."""
        return self.reflection and self.kind in (ActivityKind.GROUP_SESSION, ActivityKind.ONE_TO_ONE)

    @property
    def deadline_offset(self) -> int | None:
        """Days after the start by which a toolkit L1 is due (None for other kinds)."""
        if self.due_days is None:
            return None
        return self.occurrences[0].offset_days + self.due_days

    def due(self, start: date) -> date | None:
        if self.due_days is None:
            return None
        return self.occurrences[0].on(start) + timedelta(days=self.due_days)


@dataclass(frozen=True)
class Week:
    number: int
    title: str
    focus: str
    activities: tuple[Activity, ...]  # every activity with an occurrence (or an L1 opening) this week


@dataclass(frozen=True)
class Programme:
    id: str
    title: str
    version: str
    summary: str
    cohort_size: int | None
    weeks: tuple[Week, ...]
    activities: tuple[Activity, ...]
    path: str = field(default="", compare=False)
    # What a participant should be able to do by the end (`outcomes:`), and the before-and-after
    # questionnaire rating confidence against each (`questionnaire:`, the toolkits' format; issue 12).
    outcomes: tuple[str, ...] = ()
    questionnaire: Questionnaire | None = None

    def activity(self, activity_id: str) -> Activity | None:
        return next((a for a in self.activities if a.id == activity_id), None)

    @property
    def toolkit_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.toolkit for a in self.activities if a.toolkit))

    @property
    def required_activities(self) -> tuple[Activity, ...]:
        return tuple(a for a in self.activities if a.required)


class ProgrammeInvalid(Exception):
    """A programme file has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
