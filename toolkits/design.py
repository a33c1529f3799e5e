"""Learning-design checks on a loaded toolkit: warnings an author should act on, and citation errors.

The loader (`toolkits.loader`) decides whether a toolkit *can* run; the checks here say whether it
will *measure and run well*. They are warnings, not errors — `swott toolkit validate` prints them as
`path:line: warning: ...` and still exits 0 — because a toolkit with a pattern in its answers is
usable, just less honest as a measure. The rules and their reasons are in docs/learning-design.md:

- **Answer patterns** (item-writing guidance: Haladyna, Downing & Rodriguez 2002): the correct option
  in the same place across most questions, the correct option the longest in most questions, and the
  correct options of a multiple-answer question in one unbroken block are cues a test-wise learner
  uses without knowing the content. The player shuffles options, but SCORM packages and printed
  copies show the authored order.
- **L2 timing**: each agenda item that names the case-study stages it covers (`stages: [2]`) must
  hold reading those stages at `READING_WORDS_PER_MINUTE` plus `DISCUSSION_MINUTES_PER_PROMPT` for
  each of their prompts.

Citations (`[Hart, 1992](#ref-hart-1992)`) that name no reference of the toolkit are errors: a
claim linked to nothing is worse than an unlinked one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from toolkits import render
from toolkits.model import Question, QuestionType, Toolkit

# Adults read English non-fiction silently at about 238 words a minute (Brysbaert 2019); a group
# reading unfamiliar case material together, at the pace of its slowest reader, is slower.
READING_WORDS_PER_MINUTE = 200
DISCUSSION_MINUTES_PER_PROMPT = 2
# A pattern is only a pattern across enough questions.
MIN_QUESTIONS_FOR_PATTERN = 3
CITATION_PREFIX = "#ref-"
_WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True, order=True)
class DesignWarning:
    """A learning-design warning with the file and line an author should look at."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


def _where(toolkit: Toolkit, display: str, rel: str) -> str:
    """`display/rel`, the folder shown as the validator shows it (relative to the working folder)."""
    if not display:
        folder = Path(toolkit.path)
        try:
            display = folder.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            display = folder.as_posix()
    return f"{display}/{rel}"


def words(markdown: str) -> int:
    return len(_WORD.findall(markdown))


def reading_minutes(text_words: int) -> float:
    return text_words / READING_WORDS_PER_MINUTE


def _correct_places(question: Question) -> list[int]:
    return [i for i, o in enumerate(question.options) if o.correct]


def _correct_is_longest(question: Question) -> bool:
    """Every correct option is longer than every wrong one (for one answer: it is the longest)."""
    right = [len(o.text) for o in question.options if o.correct]
    wrong = [len(o.text) for o in question.options if not o.correct]
    return bool(right and wrong) and min(right) > max(wrong)


def answer_pattern_warnings(toolkit: Toolkit, display: str = "") -> list[DesignWarning]:
    """Cues in the authored order and length of options (docs/learning-design.md, 'Answer patterns')."""
    found: list[DesignWarning] = []
    questions = toolkit.l1.questions
    singles = [q for q in questions if q.type is QuestionType.SINGLE]
    if len(singles) >= MIN_QUESTIONS_FOR_PATTERN:
        places = Counter(_correct_places(q)[0] for q in singles)
        place, count = places.most_common(1)[0]
        if count * 2 > len(singles):
            first = next(q for q in singles if _correct_places(q)[0] == place)
            found.append(
                DesignWarning(
                    _where(toolkit, display, first.source),
                    first.line,
                    f"the correct option is option {place + 1} in {count} of {len(singles)} single-answer "
                    "questions: vary its place so position is no clue",
                )
            )
    if len(questions) >= MIN_QUESTIONS_FOR_PATTERN:
        longest = [q for q in questions if _correct_is_longest(q)]
        if len(longest) * 2 > len(questions):
            found.append(
                DesignWarning(
                    _where(toolkit, display, longest[0].source),
                    longest[0].line,
                    f"the correct option is the longest in {len(longest)} of {len(questions)} questions "
                    f"({', '.join(q.id for q in longest)}): make wrong options as full and specific",
                )
            )
    for question in questions:
        if question.type is not QuestionType.MULTIPLE:
            continue
        correct_at = _correct_places(question)
        wrong = len(question.options) - len(correct_at)
        if (
            len(correct_at) >= 2
            and wrong >= 1
            and correct_at == list(range(correct_at[0], correct_at[0] + len(correct_at)))
        ):
            found.append(
                DesignWarning(
                    _where(toolkit, display, question.source),
                    question.line,
                    f"the {len(correct_at)} correct options of `{question.id}` sit together in one block "
                    f"(options {correct_at[0] + 1} to {correct_at[-1] + 1}): mix them with the wrong ones",
                )
            )
    return found


def timing_warnings(toolkit: Toolkit, display: str = "") -> list[DesignWarning]:
    """Agenda items too short for the stages they cover (docs/learning-design.md, 'L2 timing')."""
    found: list[DesignWarning] = []
    l2 = toolkit.l2
    yaml_path = _where(toolkit, display, "toolkit.yaml")
    covered: set[int] = set()
    for item in l2.agenda:
        if not item.stages:
            continue
        stage_words = prompts = 0
        for number in item.stages:
            if number > len(l2.stages):
                message = f"`{item.title}` names stage {number}, but the case study has {len(l2.stages)} stages"
                found.append(DesignWarning(yaml_path, item.line, message))
                continue
            covered.add(number)
            stage = l2.stages[number - 1]
            stage_words += words(stage.body) + sum(words(p) for p in stage.prompts)
            prompts += len(stage.prompts)
        needed = reading_minutes(stage_words) + DISCUSSION_MINUTES_PER_PROMPT * prompts
        if needed > item.minutes:
            found.append(
                DesignWarning(
                    yaml_path,
                    item.line,
                    f"`{item.title}` has {item.minutes} minutes, but reading its stages ({stage_words} words, "
                    f"about {math.ceil(reading_minutes(stage_words))} minutes) and discussing their {prompts} "
                    f"prompts ({DISCUSSION_MINUTES_PER_PROMPT} minutes each) needs about {math.ceil(needed)}",
                )
            )
    missing = [n for n in range(1, len(l2.stages) + 1) if n not in covered]
    if missing:
        line = l2.agenda[0].line if l2.agenda else 1
        names = ", ".join(str(n) for n in missing)
        found.append(
            DesignWarning(
                yaml_path,
                line,
                f"no agenda item says it covers stage(s) {names}: add `stages: [N]` to the item where each "
                "stage is read, so its reading time can be checked",
            )
        )
    return found


def design_warnings(toolkit: Toolkit, display: str = "") -> list[DesignWarning]:
    """Every learning-design warning for a valid toolkit, sorted by file and line."""
    return sorted(answer_pattern_warnings(toolkit, display) + timing_warnings(toolkit, display))


def cited_keys(markdown: str) -> list[tuple[int, str]]:
    """`(line, key)` for each citation link `[...](#ref-KEY)` in a Markdown text."""
    return [
        (link.line, link.href[len(CITATION_PREFIX) :])
        for link in render.find_links(markdown)
        if link.href.startswith(CITATION_PREFIX)
    ]


def unknown_citations(toolkit: Toolkit) -> list[tuple[str, int, str]]:
    """`(file, line, message)` for each citation naming no reference of the toolkit (an error)."""
    keys = {r.key for r in toolkit.references}
    problems: list[tuple[str, int, str]] = []
    for source, body, body_line in _bodies(toolkit):
        for line, key in cited_keys(body):
            if key not in keys:
                known = ", ".join(sorted(keys))
                message = f"the citation `#ref-{key}` names no reference of this toolkit (known: {known})"
                problems.append((source, body_line + line - 1, message))
    return problems


def _bodies(toolkit: Toolkit) -> list[tuple[str, str, int]]:
    """Every Markdown body of the toolkit with its file and the line its body starts on."""
    found: list[tuple[str, str, int]] = []
    docs = [
        *((p.source, p.body) for p in toolkit.l1.pages),
        (toolkit.l1.reflection.source, toolkit.l1.reflection.guidance),
        (toolkit.l2.introduction.source, toolkit.l2.introduction.body),
        *((s.source, s.body) for s in toolkit.l2.stages),
        (toolkit.l2.facilitator_guide.source, toolkit.l2.facilitator_guide.body),
        (toolkit.l2.participant_sheet.source, toolkit.l2.participant_sheet.body),
        (toolkit.l2.reflection.source, toolkit.l2.reflection.guidance),
    ]
    for source, body in docs:
        found.append((source, body, _body_line(toolkit, source)))
    return found


def _body_line(toolkit: Toolkit, source: str) -> int:
    """The 1-based line where a file's body starts (after its front matter)."""
    try:
        lines = (Path(toolkit.path) / source).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    return closing + 2


def cited_references(toolkit: Toolkit, markdown: str) -> list[str]:
    """The keys a text cites, in order of first citation, for a 'References on this page' list."""
    seen: list[str] = []
    for _line, key in cited_keys(markdown):
        if key not in seen:
            seen.append(key)
    return seen
