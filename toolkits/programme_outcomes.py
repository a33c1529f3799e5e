"""A programme template's `outcomes:` and its before-and-after `questionnaire:` (issue 12).

The questionnaire is checked by the toolkits' own rules (`toolkits.questionnaires`), with each problem
reported at the template's path and line.
"""

from __future__ import annotations

from pathlib import Path

from toolkits import yamlpos
from toolkits.checking import Checker as ToolkitChecker  # a questionnaire is checked as in a toolkit
from toolkits.checking import show
from toolkits.model import Questionnaire
from toolkits.programme_reading import Checker
from toolkits.questionnaires import validate_questionnaire

MAX_OUTCOME_CHARS = 200


def outcomes_of(c: Checker, data: yamlpos.PosDict) -> tuple[str, ...] | None:
    """`outcomes:`, one plain sentence each (optional; a questionnaire needs them)."""
    items = c.get(data, "outcomes", yamlpos.PosList, required=False)
    if items is None:
        return None
    found: list[str] = []
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, str) or not item.strip():
            c.add(line, f"each outcome must be a sentence, not {show(item)}")
        elif len(item) > MAX_OUTCOME_CHARS:
            c.add(line, f"an outcome is {len(item)} characters long; at most {MAX_OUTCOME_CHARS} are allowed")
        else:
            found.append(item.strip())
    if not items:
        c.add(data.line_of("outcomes"), "`outcomes` is empty: list at least one, or leave the key out")
    return tuple(found) if len(found) == len(items) and found else None


def questionnaire_of(
    c: Checker, data: yamlpos.PosDict, outcomes: tuple[str, ...] | None, path: Path
) -> Questionnaire | None:
    """`questionnaire:`, checked by the toolkits' own rules (`toolkits.questionnaires`), against `outcomes`."""
    if "questionnaire" not in data:
        return None
    if outcomes is None and "outcomes" not in data:
        c.add(data.line_of("questionnaire"), "a questionnaire rates confidence against the programme's "
              "`outcomes`: add them")  # fmt: skip
        return None
    checker = ToolkitChecker(root=path.parent, display="")
    found = validate_questionnaire(checker, data, outcomes, rel=path.name, whose="programme")
    for problem in checker.problems:
        c.add(problem.line, problem.message)
    return found
