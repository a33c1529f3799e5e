"""`questionnaire:` in toolkit.yaml: one confidence statement per learning outcome, one or two open questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shipped_catalogue
from tests.toolkits.faults import copy_mini, first_problem, mini_with
from toolkits.loader import load_toolkit
from toolkits.model import Phase

GOOD = """questionnaire:
  confidence:
    - I can recognise a valid toolkit.
  open_questions:
    - id: eval-hopes
      text: What do you hope to change?
      when: before
    - id: eval-both
      text: What gets in the way?
"""


def test_a_toolkit_without_a_questionnaire_asks_nothing(tmp_path: Path) -> None:
    assert load_toolkit(copy_mini(tmp_path)).questionnaire is None


def test_the_questionnaire_is_loaded_with_when_each_question_is_asked(tmp_path: Path) -> None:
    root, _ = mini_with(tmp_path, GOOD)
    questionnaire = load_toolkit(root).questionnaire
    assert questionnaire is not None
    assert questionnaire.confidence == ("I can recognise a valid toolkit.",)
    assert [q.id for q in questionnaire.open_for(Phase.BEFORE)] == ["eval-hopes", "eval-both"]
    assert [q.id for q in questionnaire.open_for(Phase.AFTER)] == ["eval-both"]


@pytest.mark.parametrize(
    ("block", "offset", "message"),
    [
        ("questionnaire:\n  confidence:\n    - One\n    - Two\n  open_questions:\n    - {id: a, text: Why}\n", 1,
         "`questionnaire.confidence` has 2 statement(s) but the toolkit has 1 learning outcome(s)"),
        ("questionnaire:\n  confidence: [One]\n  open_questions: []\n", 2,
         "a questionnaire has one or two open questions, this one has 0"),
        ("questionnaire:\n  confidence: [One]\n  open_questions:\n    - {id: a, text: A}\n    - {id: b, text: B}\n"
         "    - {id: c, text: C}\n", 2, "a questionnaire has one or two open questions, this one has 3"),
        ("questionnaire:\n  confidence: [One]\n  open_questions:\n    - {id: a, text: A, when: later}\n", 3,
         "`when` must be before, after or both, not 'later'"),
        ("questionnaire:\n  confidence: [One]\n  open_questions:\n    - {id: Bad Id, text: A}\n", 3,
         "open question id `Bad Id` must use lower-case letters"),
        ("questionnaire:\n  confidence: [One]\n  open_questions:\n    - {id: a}\n", 3,
         "`text` is missing from this open question"),
        ("questionnaire:\n  confidence: [One]\n  open_questions:\n    - {id: a, text: A}\n  score: 5\n", 4,
         "unknown key `score`"),
        ("questionnaire:\n  confidence: [\"" + "x" * 161 + "\"]\n  open_questions:\n    - {id: a, text: A}\n", 1,
         "a confidence statement is 161 characters long"),
        ("questionnaire:\n  open_questions:\n    - {id: a, text: A}\n", 1, "`confidence` is missing"),
    ],
)  # fmt: skip
def test_each_questionnaire_problem_names_its_line(tmp_path: Path, block: str, offset: int, message: str) -> None:
    root, first = mini_with(tmp_path, block)
    found = first_problem(root, message)
    assert found.path.endswith("mini/toolkit.yaml") and found.line == first + offset
    assert str(found).startswith(f"{found.path}:{first + offset}: ")


def test_every_shipped_toolkit_asks_about_each_of_its_learning_outcomes() -> None:
    catalogue = shipped_catalogue()
    assert len(catalogue) == 3 and not catalogue.problems
    for toolkit in catalogue:
        questionnaire = toolkit.questionnaire
        assert questionnaire is not None, toolkit.id
        assert len(questionnaire.confidence) == len(toolkit.learning_outcomes), toolkit.id
        assert all(s.startswith("I can ") for s in questionnaire.confidence), toolkit.id
        assert questionnaire.open_for(Phase.BEFORE) and questionnaire.open_for(Phase.AFTER), toolkit.id
