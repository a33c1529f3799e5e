"""The toolkits shipped with SWOTT Connect are valid and complete enough to run a real L1 and L2."""

from __future__ import annotations

import pytest

from tests.conftest import shipped_catalogue
from toolkits.loader import Catalogue, default_root, toolkit_dirs, validate_many
from toolkits.model import PageKind, QuestionType, Toolkit

SHIPPED = ["making-safeguarding-personal", "participatory-practice", "social-ecological-assessment"]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return shipped_catalogue()


def test_every_shipped_toolkit_validates() -> None:
    toolkits, problems = validate_many(toolkit_dirs(default_root()))
    assert [str(p) for p in problems] == []
    assert sorted(t.id for t in toolkits) == SHIPPED


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_l1_is_a_full_module(catalogue: Catalogue, toolkit_id: str) -> None:
    toolkit = catalogue.get(toolkit_id)
    assert isinstance(toolkit, Toolkit)
    assert 60 <= toolkit.l1.minutes <= 90
    assert sum(p.kind is PageKind.PAGE for p in toolkit.l1.pages) >= 8
    questions = toolkit.l1.questions
    assert len(questions) >= 6
    assert {q.type for q in questions} == {QuestionType.SINGLE, QuestionType.MULTIPLE}
    assert all(o.feedback for q in questions for o in q.options)
    assert any(p.kind is PageKind.THINKING for p in toolkit.l1.pages)
    assert toolkit.l1.reflection.model


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_l2_is_a_full_session(catalogue: Catalogue, toolkit_id: str) -> None:
    toolkit = catalogue.get(toolkit_id)
    assert isinstance(toolkit, Toolkit)
    l2 = toolkit.l2
    assert l2.minutes >= 60 and sum(a.minutes for a in l2.agenda) == l2.minutes
    assert len(l2.stages) >= 3 and all(s.prompts for s in l2.stages)
    assert l2.feedback_prompts and l2.feedforward_prompts
    assert l2.facilitator_guide.body.strip() and l2.participant_sheet.body.strip()
    assert l2.reflection.peer_reflection
    assert toolkit.references and toolkit.learning_outcomes and toolkit.standards
