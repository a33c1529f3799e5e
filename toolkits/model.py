"""The toolkit content model: typed, immutable objects both faces (LTI and SCORM) read.

Nothing here knows about files or the web; `toolkits.loader` builds these objects from a toolkit
folder after validating it, and `toolkits.render` turns their Markdown into safe HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class PageKind(StrEnum):
    """What an L1 page asks of the learner."""

    PAGE = "page"
    CHECK = "check"
    THINKING = "thinking"


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"


class CompletionPart(StrEnum):
    """The parts of L1 a toolkit can require for completion (`l1.completion`)."""

    PAGES = "pages"
    CHECKS = "checks"
    REFLECTION = "reflection"


class ScoringMode(StrEnum):
    """Which answer to a question counts toward the L1 score (`l1.scoring`).

    `first` (the default) makes the gradebook figure mean what the learner knew; retries stay for
    learning. `best` counts a question right once any answer was right; `latest` the last answer.
    """

    FIRST = "first"
    BEST = "best"
    LATEST = "latest"


class GroupFormat(StrEnum):
    """The L2 group formats (docs/cpd-rules.md, "L2 group formats")."""

    SWOTT_DEFAULT = "swott-default"
    ACTION_LEARNING_SET = "action-learning-set"
    BELLS_THAT_RING = "bells-that-ring"


@dataclass(frozen=True)
class Reference:
    author: str
    year: int
    title: str
    publisher: str = ""
    # The anchor a page cites it by (`[Hart, 1992](#ref-hart-1992)`); derived when the author gives none.
    id: str = ""

    @property
    def key(self) -> str:
        """`hart-1992`: the author's id, else the first author's surname and the year."""
        if self.id:
            return self.id
        surname = self.author.split(",", 1)[0]
        slug = "-".join("".join(ch for ch in word.lower() if ch.isalnum()) for word in surname.split())
        return f"{slug.strip('-') or 'ref'}-{self.year}"

    @property
    def anchor(self) -> str:
        return f"ref-{self.key}"

    def citation(self) -> str:
        """Author (year) Title. Publisher. — the short form used on catalogue and guide pages."""
        text = f"{self.author} ({self.year}) {self.title}."
        return f"{text} {self.publisher}." if self.publisher else text


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool
    feedback: str
    # A pinned option keeps its place when the player shuffles (e.g. "None of these" stays last).
    pinned: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt: str
    options: tuple[Option, ...]
    # Where the question starts in its file (1-based), for the design warnings of `toolkits.design`.
    source: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)

    @property
    def correct_option_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    def is_correct(self, chosen: frozenset[str] | set[str]) -> bool:
        """A question is right when exactly the correct options are chosen."""
        return frozenset(chosen) == self.correct_option_ids


@dataclass(frozen=True)
class ThinkingPrompt:
    id: str
    text: str


@dataclass(frozen=True)
class Page:
    """One L1 page: content, a knowledge check or preliminary thinking."""

    id: str
    kind: PageKind
    title: str
    body: str
    source: str
    questions: tuple[Question, ...] = ()
    prompts: tuple[ThinkingPrompt, ...] = ()


@dataclass(frozen=True)
class ReflectionTemplate:
    """A reflective model's headings plus the Social Work England CPD record fields."""

    id: str
    title: str
    model: str
    cpd_title: str
    peer_reflection: bool
    guidance: str
    source: str


@dataclass(frozen=True)
class L1Module:
    minutes: int
    pass_mark: int
    retries: bool
    completion: frozenset[CompletionPart]
    pages: tuple[Page, ...]
    reflection: ReflectionTemplate
    scoring: ScoringMode = ScoringMode.FIRST

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for p in self.pages for q in p.questions)

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)


@dataclass(frozen=True)
class AgendaItem:
    title: str
    minutes: int
    # The case-study stages (1-based numbers) read and discussed in this item, when the author says.
    stages: tuple[int, ...] = ()
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Document:
    """A titled Markdown document: case-study introduction, guide or participant sheet."""

    title: str
    body: str
    source: str


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    body: str
    prompts: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class L2Session:
    minutes: int
    format: GroupFormat
    agenda: tuple[AgendaItem, ...]
    introduction: Document
    stages: tuple[Stage, ...]
    feedback_prompts: tuple[str, ...]
    feedforward_prompts: tuple[str, ...]
    facilitator_guide: Document
    participant_sheet: Document
    reflection: ReflectionTemplate


@dataclass(frozen=True)
class RegulatorMapping:
    """What a toolkit counts for with regulators other than Social Work England (`regulators:`).

    `sssc_elements` are ids of `toolkits.cpd.SSSC_SOCIAL_WORK_ELEMENTS`; `sssc_mandatory` are keys of
    `toolkits.cpd.SSSC_MANDATORY_LEARNING`; `niscc_hours` gives the PRTL hours of each part
    (`l1`, `l2`) for a record written after it.
    """

    sssc_elements: tuple[str, ...] = ()
    sssc_mandatory: tuple[str, ...] = ()
    niscc_hours: tuple[tuple[str, float], ...] = ()

    def hours_for(self, part: str) -> float | None:
        return next((hours for p, hours in self.niscc_hours if p == part), None)


class Phase(StrEnum):
    """When a questionnaire is asked: before L1 starts, or after the L2 reflection."""

    BEFORE = "before"
    AFTER = "after"


# The 5-point confidence scale every questionnaire uses, lowest first (the stored value is 1-5).
CONFIDENCE_SCALE = ("Not at all confident", "A little confident", "Fairly confident", "Confident", "Very confident")


@dataclass(frozen=True)
class OpenQuestion:
    id: str
    text: str
    phases: tuple[Phase, ...] = (Phase.BEFORE, Phase.AFTER)


@dataclass(frozen=True)
class Questionnaire:
    """The before-and-after questionnaire (`questionnaire:`): one confidence statement per learning
    outcome, in the outcomes' order, and one or two open questions. `toolkits.questionnaires` checks it."""

    confidence: tuple[str, ...]
    open_questions: tuple[OpenQuestion, ...]

    def open_for(self, phase: Phase) -> tuple[OpenQuestion, ...]:
        return tuple(q for q in self.open_questions if phase in q.phases)


@dataclass(frozen=True)
class Toolkit:
    id: str
    title: str
    theme: str
    version: str
    summary: str
    learning_outcomes: tuple[str, ...]
    standards: tuple[str, ...]
    references: tuple[Reference, ...]
    l1: L1Module
    l2: L2Session
    path: str = field(default="", compare=False)
    regulators: RegulatorMapping = field(default_factory=RegulatorMapping)
    # When the content was last checked against its sources, and when it is next due for review.
    last_reviewed: date | None = None
    review_date: date | None = None
    questionnaire: Questionnaire | None = None

    @property
    def total_minutes(self) -> int:
        return self.l1.minutes + self.l2.minutes
